// The claim read policy on the SAML side: an application stored before the policy (here written straight to
// the application store, past the API's check) that names the TOTP seed as its subject or asks for secret and
// identity claims as attributes gets neither: the NameID falls back to InvalidNameIDPolicy, the attributes
// carry only profile claims. The Response is parsed, not grepped alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import type { ClaimConfiguration } from '../../src/applications/application.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { CLAIM_EMAIL, idpMetadata, postedForm, responseXml, samlApp, serviceProvider, startRedirect, type IdpInfo, type SamlApp } from './support.ts';

const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PENDING = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';

interface Parsed {
  status: string[];
  nameId: string | undefined;
  attributes: Record<string, string[]>;
}

function parse(xml: string): Parsed {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
  const status = Array.from(root.getElementsByTagNameNS(P, 'StatusCode')).map((e) => e.getAttribute('Value') ?? '');
  const nameId = root.getElementsByTagNameNS(A, 'NameID')[0]?.textContent ?? undefined;
  const attributes: Record<string, string[]> = {};
  for (const a of Array.from(root.getElementsByTagNameNS(A, 'Attribute'))) {
    attributes[a.getAttribute('Name') ?? ''] = Array.from(a.getElementsByTagNameNS(A, 'AttributeValue')).map((v) => v.textContent ?? '');
  }
  return { status, nameId, attributes };
}

describe('SAML: secrets and identity claims never leave, whatever an application stored', () => {
  let server: TestServer;
  let idp: IdpInfo;

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
  });
  after(async () => server?.close());

  /** Writes the claim configuration with the store alone, as an application saved before the policy would be. */
  async function storeDirectly(app: SamlApp, claimConfiguration: ClaimConfiguration): Promise<void> {
    await server.services.applications.update({ ...app.app, claimConfiguration }, [{ protocol: 'saml', identifier: app.issuer }]);
  }

  async function enrolledUser() {
    const created = await createUser(server, { email: 'seed@example.com', givenName: 'Sid' });
    await server.services.claimValues.set(created.user, { [CLAIMS.secretKey]: SEED, [CLAIMS.verifySecretKey]: PENDING, [CLAIMS.totpEnabled]: 'true' });
    return created;
  }

  async function responseFor(app: SamlApp, user: { username: string; password: string }, sp = serviceProvider(server, app, idp)): Promise<{ xml: string; fields: Record<string, string> }> {
    const browser = new LoginBrowser(server.client());
    const form = postedForm(await browser.login(await startRedirect(browser, sp), user.username, user.password));
    assert.ok(form, 'a Response is posted to the ACS');
    assert.equal(form.action, app.acs);
    return { xml: responseXml(form), fields: form.fields };
  }

  test('a stored subject claim of secretkey gives no NameID at all: the SP gets InvalidNameIDPolicy, never the seed', async () => {
    const app = await samlApp(server);
    await storeDirectly(app, { requestedClaims: [], subject: { claim: { uri: CLAIMS.secretKey } } });
    const user = await enrolledUser();
    const { xml } = await responseFor(app, user);
    const parsed = parse(xml);
    assert.deepEqual(parsed.status, ['urn:oasis:names:tc:SAML:2.0:status:Requester', 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy']);
    assert.equal(parsed.nameId, undefined);
    assert.ok(!xml.includes(SEED) && !xml.includes(PENDING), 'the seed is nowhere in the Response');
  });

  test('stored requested claims that name secrets or identity claims are dropped; profile claims still go, and the SP accepts it', async () => {
    const app = await samlApp(server);
    const uris = [CLAIM_EMAIL, CLAIMS.secretKey, CLAIMS.verifySecretKey, CLAIMS.usedTotpTimeWindows, CLAIMS.totpEnabled, CLAIMS.accountLocked];
    await storeDirectly(app, { requestedClaims: uris.map((uri) => ({ claim: { uri }, mandatory: true })), subject: { claim: { uri: CLAIMS.verifySecretKey } } });
    // The subject too was stored past the check: the unspecified NameID is refused, so use the email format here.
    const user = await enrolledUser();
    const emailApp = await samlApp(server, { manual: { singleSignOnProfile: { bindings: ['HTTP_POST', 'HTTP_REDIRECT'], assertion: { nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' } } } });
    await storeDirectly(emailApp, { requestedClaims: uris.map((uri) => ({ claim: { uri }, mandatory: true })) });
    const sp = serviceProvider(server, emailApp, idp, { identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' });
    const { xml, fields } = await responseFor(emailApp, user, sp);
    const parsed = parse(xml);
    assert.equal(parsed.status[0], 'urn:oasis:names:tc:SAML:2.0:status:Success');
    assert.equal(parsed.nameId, 'seed@example.com');
    assert.deepEqual(parsed.attributes, { [CLAIM_EMAIL]: ['seed@example.com'] }, 'only the profile claim is released');
    assert.ok(!xml.includes(SEED) && !xml.includes(PENDING));
    const { profile } = await sp.validatePostResponseAsync(fields);
    assert.equal(profile?.nameID, 'seed@example.com');

    const refused = parse((await responseFor(app, user)).xml);
    assert.equal(refused.status[1], 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy', 'verifySecretkey as subject is refused like secretkey');
  });
});
