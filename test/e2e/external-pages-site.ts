// A WSO2-style login UI on another origin, for the external-pages tests: three static pages made from WSO2's
// page contract (reference/wso2-dropin/page-contract.md), served by plain node:http on 127.0.0.1 while the
// identity server is https://localhost, so every form post back to /commonauth is cross-site.
//  - login.do: username, password, sessionDataKey, posted to {idp}/commonauth.
//  - totp.do (WSO2's totp.jsp): token and sessionDataKey; "Get a Verification Code" runs WSO2's request
//    GET {idp}/commonauth?&sessionDataKey=..&sendToken=true and says "sent" only for an empty body, as
//    WSO2's scripts.js requestTOTPToken does (with credentials, since the page is on another origin).
//  - enableTOTP.do (WSO2's enableTOTP.jsp): reads `ske` (Base64 otpauth URI, atob as WSO2's gadget.js),
//    shows the key to type into an app, and posts ENABLE_TOTP, ske, sessionDataKey and ECC (from the nested
//    form whose start tag HTML drops), the 6/7 portal's order.
// The pages read only their query string, as WSO2's JSPs read request parameters.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExternalSite {
  /** http://127.0.0.1:port */
  origin: string;
  /** Every path the browser asked for, with its query (what the identity server sent it). */
  requests: URL[];
  close(): Promise<void>;
}

const page = (title: string, body: string, script: string): string => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>${body}
<script>
const q = new URLSearchParams(location.search);
const idp = document.documentElement.dataset.idp;
for (const el of document.querySelectorAll('form')) el.action = idp + '/commonauth';
for (const el of document.querySelectorAll('input[name=sessionDataKey]')) el.value = q.get('sessionDataKey');
if (q.get('authFailure') === 'true') document.getElementById('failure').textContent = 'Authentication failed: ' + q.get('authFailureMsg');
${script}
</script></body></html>`;

const LOGIN = page(
  'Sign in',
  `<p id="failure"></p>
<form method="post" id="loginForm">
  <label>Username <input type="text" id="username" name="username"></label>
  <label>Password <input type="password" id="password" name="password"></label>
  <input type="hidden" name="sessionDataKey">
  <button type="submit">Continue</button>
</form>`,
  '',
);

const TOTP = page(
  'Authenticating with TOTP',
  `<p id="failure"></p>
<p id="user"></p>
<form method="post" id="pin_form">
  <label>Verification Code <input type="text" id="token" name="token"></label>
  <input type="hidden" name="sessionDataKey">
  <input type="submit" value="Authenticate">
</form>
<a href="#" id="genToken">Get a Verification Code</a>`,
  `document.getElementById('user').textContent = 'Signed in as ' + q.get('username');
document.getElementById('genToken').addEventListener('click', async (e) => {
  e.preventDefault();
  try {
    const response = await fetch(idp + '/commonauth?&sessionDataKey=' + q.get('sessionDataKey') + '&sendToken=true', { credentials: 'include' });
    const text = await response.text();
    if (text == '') alert('Verification is code sent to your email address');
    else alert('Error while sending the code to the email address');
  } catch (err) {
    console.log(err);
  }
});`,
);

const ENROL = page(
  'Enable TOTP',
  `<p id="failure"></p>
<p>Scan the QR code, or enter this key in your app:</p>
<p id="key"></p>
<p id="uri"></p>
<form method="post" id="pin_form">
  <input type="hidden" name="ENABLE_TOTP" id="ENABLE_TOTP">
  <input type="hidden" name="ske" id="ske">
  <input type="hidden" name="sessionDataKey">
  <form name="qrinp"><input type="hidden" name="ECC" value="1"></form>
  <input type="button" id="continue" value="Continue">
  <input type="button" id="cancel" value="Cancel">
</form>`,
  `const ske = q.get('ske') || '';
document.getElementById('ske').value = ske;
const uri = ske ? atob(ske) : '';
document.getElementById('uri').textContent = uri;
document.getElementById('key').textContent = uri ? new URL(uri).searchParams.get('secret') : 'no key: the server sent none';
const submit = (value) => { document.getElementById('ENABLE_TOTP').value = value; document.getElementById('pin_form').submit(); };
document.getElementById('continue').addEventListener('click', () => submit('true'));
document.getElementById('cancel').addEventListener('click', () => submit('false'));`,
);

const PAGES: Record<string, string> = {
  '/authenticationendpoint/login.do': LOGIN,
  '/authenticationendpoint/totp.do': TOTP,
  '/authenticationendpoint/enableTOTP.do': ENROL,
};

/** Starts the site; `idp()` is read per request, so the site can start before the identity server it points at. */
export async function startExternalSite(idp: () => string): Promise<ExternalSite> {
  const requests: URL[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url);
    const html = PAGES[url.pathname];
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html.replace('<html>', `<html data-idp="${idp()}">`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** deployment.toml lines that send every login page to the site. */
export function externalPagesToml(origin: string, options: { allowSke?: boolean } = {}): string {
  return `[authentication.endpoints]
login_url = "${origin}/authenticationendpoint/login.do"
[authentication.authenticator.totp]
allow_secret_in_enrolment_url = ${options.allowSke ?? false}
[authentication.authenticator.totp.parameters]
TOTPAuthenticationEndpointURL = "${origin}/authenticationendpoint/totp.do"
TOTPAuthenticationEndpointEnableTOTPPage = "${origin}/authenticationendpoint/enableTOTP.do"
AllowSendingVerificationCodeByEmail = true
`;
}
