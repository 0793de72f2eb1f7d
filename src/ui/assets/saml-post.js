// Sends the SAML message form on its own. Without scripts the page shows a Continue button that does the same
// (SAML bindings 3.5.4 expects an auto-submitting form; the button keeps it usable with JavaScript off).
const form = document.getElementById('saml-post');
if (form) form.submit();
