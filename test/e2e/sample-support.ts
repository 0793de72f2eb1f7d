// Shared by the end-to-end tests of the travelocity sample: a Portcullis with the sample on an ephemeral
// port, users made through SCIM as an administrator would, and reading the IdP's auto-POST page.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestClient } from '../support/http-client.ts';
import { awayFromStepEdge, codeAt, totpFromQr, type LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server.ts';

export const SAMPLE_TOML = '[sample_app]\nenabled = true\nport = 0\n';

export async function startWithSample(options: TestServerOptions = {}): Promise<TestServer & { sampleUrl: string }> {
  const server = await startTestServer({ ...options, toml: `${SAMPLE_TOML}${options.toml ?? ''}` });
  if (!server.sampleUrl) {
    await server.close();
    throw new Error('the travelocity sample did not start (see the server log with PORTCULLIS_TEST_LOG=info)');
  }
  return server as TestServer & { sampleUrl: string };
}

export interface ScimUser {
  id: string;
  username: string;
  password: string;
  email: string;
}

/** Creates a user with an email address through POST /scim2/Users as admin:admin. */
export async function createScimUser(server: TestServer, prefix: string, name: { givenName: string; familyName: string }): Promise<ScimUser> {
  const suffix = randomBytes(3).toString('hex');
  const username = `${prefix}-${suffix}`;
  const password = 'correct horse battery';
  const email = `${prefix}.${suffix}@example.org`;
  const res = await server.client().post('/scim2/Users', {
    auth: ['admin', 'admin'],
    headers: { 'content-type': 'application/scim+json' },
    json: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: username, password, name, emails: [{ value: email, primary: true }] },
  });
  assert.equal(res.status, 201, res.text);
  return { id: res.json<{ id: string }>().id, username, password, email };
}

function unescapeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The form of an HTTP-POST binding page: where it posts and its hidden fields (SAMLResponse, RelayState). */
export function autoPostForm(page: Page): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.html);
  if (!form) throw new Error(`no POST form on ${page.name} (${page.status}):\n${page.html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = unescapeAttr(m[2]!);
  return { action: unescapeAttr(form[1]!), fields };
}

/** The path and query of an absolute URL, for a client bound to that URL's origin. */
export function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

/** Asks the sample to log in and follows its redirect into the IdP's pages. */
export async function startSampleLogin(idpUrl: string, sample: TestClient, idp: LoginBrowser): Promise<Page> {
  const start = await sample.get('/travelocity.com/samlsso');
  assert.equal(start.status, 302);
  assert.ok(start.location?.startsWith(`${idpUrl}/samlsso?SAMLRequest=`), `redirects to the IdP's SSO URL from its metadata: ${start.location}`);
  return idp.open(pathOf(start.location!));
}

/** Password, then enrolment (first login) or the code page, up to the IdP's auto-POST page. */
export async function loginThrough(page: Page, idp: LoginBrowser, user: ScimUser, enrolled?: ReturnType<typeof totpFromQr>) {
  assert.equal(page.name, 'login.do');
  let next = await idp.login(page, user.username, user.password);
  const totp = enrolled ?? totpFromQr(next);
  if (!enrolled) next = await idp.submit(next, {}, ['ENABLE_TOTP', 'true']);
  assert.equal(next.name, 'totp.do');
  await awayFromStepEdge(totp.period);
  return { post: autoPostForm(await idp.submit(next, { token: codeAt(totp) })), totp };
}
