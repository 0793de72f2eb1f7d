// Key rotation as a relying party sees it: after POST /api/server/v1/keys/oidc/rotate, new ID tokens are signed
// by the new key (its kid is in the JWKS the RP fetches), while a token signed by the previous key still
// verifies against the published JWKS during the grace period; with no grace period the old key leaves the
// JWKS and its tokens no longer verify. Signatures are checked with jose against /oauth2/jwks as served.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { authorizationUrl, discover, issuerOf, oidcApp, openAuthorization, redeem, type OidcApp } from './support.ts';

const ADMIN: [string, string] = ['admin', 'admin'];

describe('OIDC signing key rotation', () => {
  let server: TestServer;
  let app: OidcApp;
  let user: { username: string; password: string };

  before(async () => {
    server = await startTestServer();
    app = await oidcApp(server, { steps: [['basic']] });
    user = await createUser(server);
  });
  after(async () => server?.close());

  /** A password login through our pages with a fresh browser; the RP's ID token. */
  async function idToken(): Promise<string> {
    const config = await discover(server, app);
    const browser = new LoginBrowser(server.client());
    const auth = await authorizationUrl(config);
    const back = await browser.login(await openAuthorization(browser, auth.url), user.username, user.password);
    const tokens = await redeem(config, back, auth);
    assert.ok(tokens.id_token);
    return tokens.id_token;
  }

  const jwks = async () => (await server.client().get('/oauth2/jwks')).json<JSONWebKeySet>();
  const verifies = async (token: string, set: JSONWebKeySet) =>
    jwtVerify(token, createLocalJWKSet(set), { issuer: issuerOf(server).href, audience: app.clientId }).then(
      () => true,
      () => false,
    );
  const rotate = async (body: Record<string, unknown>) => {
    const res = await server.client().post('/api/server/v1/keys/oidc/rotate', { auth: ADMIN, json: body });
    assert.equal(res.status, 201);
  };

  test('new tokens use the new key; old tokens verify during the grace period, and not after it', async () => {
    const before = await idToken();
    const oldKid = decodeProtectedHeader(before).kid;
    assert.ok(oldKid);
    assert.equal(await verifies(before, await jwks()), true);

    await rotate({ gracePeriodDays: 7 });
    const after = await idToken();
    const newKid = decodeProtectedHeader(after).kid;
    assert.ok(newKid && newKid !== oldKid, 'the new ID token is signed by the new key');
    const published = await jwks();
    assert.deepEqual(published.keys.map((k) => k.kid), [newKid, oldKid], 'the active key first, the previous one still published');
    assert.equal(await verifies(after, published), true, 'the RP finds the new kid in the JWKS');
    assert.equal(await verifies(before, published), true, 'a token of the previous key verifies during the grace period');

    await rotate({ gracePeriodDays: 0 });
    const latest = await idToken();
    const now = await jwks();
    assert.equal(now.keys.some((k) => k.kid === newKid), false, 'with no grace period the rotated-out key leaves at once');
    assert.equal(await verifies(latest, now), true);
    assert.equal(await verifies(after, now), false, "its tokens no longer verify against the JWKS");
    assert.equal(await verifies(before, now), true, 'the first key keeps its own 7-day grace period');
  });
});
