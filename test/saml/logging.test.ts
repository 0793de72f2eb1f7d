// Nothing a SAML exchange carries reaches the log: no SAMLRequest or SAMLResponse (they hold NameIDs and
// attributes), no password, even at debug level and when requests are refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { idpMetadata, postedForm, samlApp, serviceProvider, startRedirect } from './support.ts';

let server: TestServer;
const lines: string[] = [];

before(async () => {
  server = await startTestServer({ toml: '[logging]\nlevel = "debug"\n', logStream: { write: (line: string) => lines.push(line) } });
});
after(async () => server?.close());

test('SAML messages, NameIDs and passwords never appear in the log', async () => {
  const app = await samlApp(server);
  const idp = await idpMetadata(server);
  const sp = serviceProvider(server, app, idp);
  const { username, password } = await createUser(server, { email: 'logged@example.com' });
  const browser = new LoginBrowser(server.client());
  const url = new URL(await sp.getAuthorizeUrlAsync('', undefined, {}));
  const request = url.searchParams.get('SAMLRequest')!;
  const form = postedForm(await browser.login(await browser.open(url.pathname + url.search), username, password))!;
  const { profile } = await sp.validatePostResponseAsync(form.fields);
  const logout = new URL(await sp.getLogoutUrlAsync(profile!, '', {}));
  await browser.open(logout.pathname + logout.search);
  const refused = serviceProvider(server, { ...app, acs: 'https://evil.example/acs' }, idp);
  await startRedirect(new LoginBrowser(server.client()), refused);
  await browser.client.post('/samlsso', { form: { SAMLRequest: Buffer.from('<bad').toString('base64') } });
  const log = lines.join('\n');
  assert.match(log, /SAML request refused/, 'the log was captured');
  for (const secret of [password, request.slice(0, 40), form.fields.SAMLResponse!.slice(0, 40), form.fields.SAMLResponse!.slice(-40), 'logged@example.com', logout.searchParams.get('SAMLRequest')!.slice(0, 40)]) {
    assert.ok(!log.includes(secret), `the log does not contain ${secret.slice(0, 12)}...`);
  }
});
