// The HTTP-POST binding (SAML bindings 3.5): the message is Base64-encoded (no DEFLATE) in a form field, and
// the browser carries it in an auto-submitting form. The page works without JavaScript (a visible Continue
// button); the script is served from /assets/ because the pages' policy forbids inline scripts, and the
// page's Content-Security-Policy allows posting only to the destination's origin.
import type { FrontResponse } from '../../flows/fronts.ts';
import { DEFAULT_CSP } from '../../http/security-headers.ts';
import { escapeAttr, escapeText } from '../../saml-core/xml.ts';

export function encodePostMessage(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** The page's policy: the default one, with form-action narrowed to the destination's origin. */
export function postCsp(action: string): string {
  return DEFAULT_CSP.replace("form-action 'self'", `form-action ${new URL(action).origin}`);
}

export function autoPostPage(action: string, fields: Record<string, string | undefined>, heading = 'Continuing to the application'): FrontResponse {
  const inputs = Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([name, value]) => `<input type="hidden" name="${escapeAttr(name)}" value="${escapeAttr(value)}">`)
    .join('\n    ');
  const body = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeText(heading)} · Portcullis</title>
  <link rel="stylesheet" href="/assets/portcullis.css">
  <script src="/assets/saml-post.js" defer></script>
</head>
<body>
  <main class="card" id="main">
  <h1>${escapeText(heading)}</h1>
  <form method="post" action="${escapeAttr(action)}" id="saml-post">
    ${inputs}
    <p class="muted">If nothing happens, press Continue.</p>
    <button type="submit">Continue</button>
  </form>
  </main>
</body>
</html>
`;
  return { kind: 'html', body, csp: postCsp(action) };
}
