// The sample's pages: server-rendered, every value escaped, no external resources (styles inline under a
// CSP nonce), like WSO2's travelocity.com sample but with the attributes and the login strength shown.
import type { SamlSession } from './sessions.ts';
import { shortStatus, type SamlStatus } from './saml-messages.ts';

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface Html {
  status: number;
  title: string;
  body: string;
  /** An inline script, run under the page's CSP nonce. */
  script?: string;
  /** Origins the page's forms may post to besides its own (the CSP form-action). */
  formTargets?: string[];
}

const CLASS_REFS: Record<string, string> = {
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport': 'a password over a protected connection',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Password': 'a password',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken': 'a time-based one-time code (second factor)',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract': 'two factors',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified': 'an unspecified method',
};

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2733;background:#eef3f8}
header{background:#0b4f8a;color:#fff;padding:14px 32px;display:flex;align-items:baseline;gap:16px}
header .brand{font-size:1.4rem;font-weight:700;letter-spacing:.01em}header .tag{opacity:.8;font-size:.9rem}
main{max-width:820px;margin:32px auto;padding:28px 32px;background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{margin:0 0 12px;font-size:1.6rem}p{margin:0 0 14px}.muted{color:#5b6875}
a.button,button{display:inline-block;background:#0b4f8a;color:#fff;border:0;border-radius:6px;padding:10px 18px;font:inherit;text-decoration:none;cursor:pointer}
a.button:hover,button:hover{background:#093f6e}a.secondary{background:#fff;color:#0b4f8a;border:1px solid #0b4f8a}
.actions{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:20px 0 8px}
.notice{background:#e7f5ea;border:1px solid #9fd3ab;border-radius:6px;padding:10px 14px}
.error{background:#fdecec;border:1px solid #f1a9a9;border-radius:6px;padding:10px 14px}
table{border-collapse:collapse;width:100%;margin:8px 0 18px;font-size:.95rem}th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #dfe6ee;vertical-align:top}
th{background:#f5f8fb;font-weight:600;white-space:nowrap;width:1%}td{overflow-wrap:anywhere}code{font-size:.85em}
@media (max-width:640px){main{margin:0;border-radius:0;padding:20px}header{padding:12px 20px}th{white-space:normal;overflow-wrap:anywhere}}
footer{text-align:center;color:#5b6875;font-size:.85rem;margin-bottom:24px}`;

export function layout(page: Html, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Travelocity</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><span class="brand">Travelocity.com</span><span class="tag">a sample SAML 2.0 application</span></header>
<main>
${page.body}
</main>
<footer>A sample service provider for Portcullis, built on @node-saml/node-saml.</footer>
${page.script ? `<script nonce="${nonce}">${page.script}</script>` : ''}
</body>
</html>`;
}

export function homePage(options: { loggedOut: boolean }): Html {
  return {
    status: 200,
    title: 'Home',
    body: `<h1>Travelocity</h1>
${options.loggedOut ? '<p class="notice" role="status">You have been logged out.</p>' : ''}
<p>Book your next trip. This sample application signs you in with SAML 2.0 single sign-on: you log in at
Portcullis (password, then a code from your authenticator app) and come back here logged in.</p>
<div class="actions">
<a class="button" id="login" href="/travelocity.com/samlsso">Log in with SAML from Portcullis</a>
<a class="secondary button" id="login-post" href="/travelocity.com/samlsso?SAML2.HTTPBinding=HTTP-POST">Log in (HTTP-POST binding)</a>
</div>`,
  };
}

export function loggedInPage(session: SamlSession): Html {
  const strength = CLASS_REFS[session.authnContextClassRef];
  const rows = session.attributes.map(([name, values]) => `<tr><th scope="row"><code>${escapeHtml(name)}</code></th><td>${values.map(escapeHtml).join('<br>')}</td></tr>`).join('\n');
  return {
    status: 200,
    title: 'Welcome',
    body: `<h1>Welcome to Travelocity</h1>
<p id="logged-in-as">You are logged in as <strong>${escapeHtml(session.nameID)}</strong></p>
<table id="login-details">
<tr><th scope="row">Authentication context</th><td id="authn-context"><code>${escapeHtml(session.authnContextClassRef || 'none')}</code>${strength ? `<br><span class="muted">${escapeHtml(strength)}</span>` : ''}</td></tr>
<tr><th scope="row">Authenticated at</th><td>${escapeHtml(session.authnInstant)}</td></tr>
<tr><th scope="row">Identity provider</th><td><code>${escapeHtml(session.issuer)}</code></td></tr>
</table>
<h2>SAML attributes</h2>
${rows ? `<table id="attributes">\n${rows}\n</table>` : '<p class="muted" id="attributes">The identity provider sent no attributes.</p>'}
<div class="actions"><a class="button" id="logout" href="/travelocity.com/logout">Logout</a></div>`,
  };
}

export function errorPage(title: string, message: string, status?: SamlStatus, httpStatus = 400): Html {
  const details = status
    ? `<table id="saml-status">
<tr><th scope="row">Status</th><td><code>${escapeHtml(status.code)}</code></td></tr>
${status.subCode ? `<tr><th scope="row">Second-level status</th><td><code>${escapeHtml(status.subCode)}</code></td></tr>` : ''}
${status.message ? `<tr><th scope="row">Message</th><td>${escapeHtml(status.message)}</td></tr>` : ''}
</table>`
    : '';
  const heading = status ? `${title}: ${shortStatus(status.subCode ?? status.code)}` : title;
  return {
    status: httpStatus,
    title,
    body: `<h1>${escapeHtml(heading)}</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
${details}
<div class="actions"><a class="button" href="/">Back to the home page</a></div>`,
  };
}

/** The HTTP-POST binding: a form the browser submits to the IdP (by script, or by the button without it). */
export function postBindingPage(action: string, fields: Record<string, string>): Html {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n');
  return {
    status: 200,
    title: 'Redirecting',
    formTargets: [new URL(action).origin],
    body: `<h1>Redirecting to Portcullis…</h1>
<form method="post" action="${escapeHtml(action)}" id="saml-post">
${inputs}
<p class="muted">If nothing happens, continue by hand.</p>
<button type="submit">Continue</button>
</form>`,
    script: "document.getElementById('saml-post').submit();",
  };
}
