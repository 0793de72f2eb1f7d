// The signing-key API per purpose (/api/server/v1/keys/oidc beside .../saml) and the JWKS at /oauth2/jwks: the
// tenant admin only, each tenant's keys its own (A's admin can neither list nor rotate B's), the rotate body
// checked strictly, the 201 answer's shape, rotating OIDC leaves SAML alone, and the served JWKS verifies a
// token signed with the private JWK the OIDC provider will be given (checked with jose).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import { createUser } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const ALPHA: [string, string] = ['boss', 'a long password'];
const BETA: [string, string] = ['chief', 'another long password'];
const OIDC = '/api/server/v1/keys/oidc';

interface KeyJson {
  id: string;
  status: string;
  published: boolean;
  certificate: string;
  subject: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  retiredAt: string | null;
  publishUntil: string | null;
}

describe('signing keys API and JWKS', () => {
  let server: TestServer;
  let alpha: Tenant;

  before(async () => {
    server = await startTestServer();
    alpha = await provisionTenant(server, 'alpha.keys.example', { username: ALPHA[0], password: ALPHA[1] });
    await provisionTenant(server, 'beta.keys.example', { username: BETA[0], password: BETA[1] });
  });
  after(async () => server?.close());

  async function list(path: string, auth: [string, string]): Promise<KeyJson[]> {
    const res = await server.client().get(path, { auth });
    assert.equal(res.status, 200, res.text);
    return res.json<{ keys: KeyJson[] }>().keys;
  }
  const jwks = async (prefix = '') => {
    const res = await server.client().get(`${prefix}/oauth2/jwks`);
    assert.equal(res.status, 200);
    return res;
  };

  test('the tenant admin only; a list of one active OIDC key, apart from the SAML key, never a private part', async () => {
    assert.equal((await server.client().get(OIDC)).status, 401);
    assert.equal((await server.client().post(`${OIDC}/rotate`, { json: {} })).status, 401);
    const user = await createUser(server);
    assert.equal((await server.client().get(OIDC, { auth: [user.username, user.password] })).status, 403);
    assert.equal((await server.client().post(`${OIDC}/rotate`, { auth: [user.username, user.password], json: {} })).status, 403);
    const res = await server.client().get(OIDC, { auth: ADMIN });
    assert.doesNotMatch(res.text, /PRIVATE KEY|privateKey|private_key|"d"/);
    const [oidc, ...rest] = res.json<{ keys: KeyJson[] }>().keys;
    assert.deepEqual(rest, []);
    assert.equal(oidc!.status, 'active');
    assert.match(oidc!.subject, /OIDC/);
    const [saml] = await list('/api/server/v1/keys/saml', ADMIN);
    assert.notEqual(saml!.id, oidc!.id);
  });

  test('the rotate body is checked strictly: 400 PCS-40001 and nothing rotated', async () => {
    const before = await list(OIDC, ADMIN);
    for (const json of [{ gracePeriodDays: -1 }, { gracePeriodDays: 366 }, { gracePeriodDays: 1.5 }, { gracePeriodDays: '7' }, { gracePeriodDays: null }, { gracePeriodDays: 1, extra: true }, [1], 'x']) {
      const res = await server.client().post(`${OIDC}/rotate`, { auth: ADMIN, json });
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      assert.equal(res.json<{ code: string }>().code, 'PCS-40001');
    }
    assert.deepEqual(await list(OIDC, ADMIN), before);
  });

  test('rotation answers 201 with the keys, newest first; the JWKS serves both during the grace period; SAML is untouched', async () => {
    const saml = await list('/api/server/v1/keys/saml', ADMIN);
    const [old] = await list(OIDC, ADMIN);
    const res = await server.client().post(`${OIDC}/rotate`, { auth: ADMIN, json: { gracePeriodDays: 3 } });
    assert.equal(res.status, 201, res.text);
    const keys = res.json<{ keys: KeyJson[] }>().keys;
    assert.deepEqual(keys.map((k) => [k.status, k.published]), [['active', true], ['retired', true]]);
    const [fresh, retired] = keys;
    assert.equal(retired!.id, old!.id);
    assert.deepEqual(Object.keys(fresh!), ['id', 'status', 'published', 'certificate', 'subject', 'thumbprintSha256', 'notBefore', 'notAfter', 'createdAt', 'retiredAt', 'publishUntil']);
    assert.match(fresh!.certificate, /^-----BEGIN CERTIFICATE-----/);
    assert.match(fresh!.thumbprintSha256, /^[0-9a-f]{64}$/);
    assert.equal(fresh!.retiredAt, null);
    assert.equal(Date.parse(retired!.publishUntil!) - Date.parse(retired!.retiredAt!), 3 * 86_400_000);
    const served = (await jwks()).json<JSONWebKeySet>().keys;
    assert.deepEqual(served.map((k) => k.kid), [fresh!.id, old!.id], 'the active key first');
    assert.deepEqual(await list('/api/server/v1/keys/saml', ADMIN), saml, 'rotating OIDC leaves the SAML keys alone');
    // Without grace, the key it retires leaves the JWKS at once (the cache is the node's own: dropped on rotation).
    assert.equal((await server.client().post(`${OIDC}/rotate`, { auth: ADMIN, json: { gracePeriodDays: 0 } })).status, 201);
    const after = (await jwks()).json<JSONWebKeySet>().keys.map((k) => k.kid);
    assert.equal(after.length, 2);
    assert.ok(!after.includes(fresh!.id) && after.includes(old!.id));
  });

  test('/oauth2/jwks: public keys only, short caching, and a token signed with the private JWK verifies (jose)', async () => {
    const res = await jwks('/t/alpha.keys.example');
    assert.match(String(res.headers['content-type']), /^application\/jwk-set\+json/);
    assert.equal(res.headers['cache-control'], 'public, max-age=60');
    const set = res.json<JSONWebKeySet>();
    assert.deepEqual(set.keys.map((k) => Object.keys(k).sort()), [['alg', 'e', 'kid', 'kty', 'n', 'use']]);
    const [signer] = (await server.services.keys.privateJwks(alpha)).keys;
    assert.equal(signer!.kid, set.keys[0]!.kid);
    const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: signer!.kid }).sign(await importJWK(signer!, 'RS256'));
    assert.equal((await jwtVerify(token, createLocalJWKSet(set))).payload.sub, 'alice');
    // The super tenant's set does not verify alpha's token.
    await assert.rejects(jwtVerify(token, createLocalJWKSet((await jwks()).json<JSONWebKeySet>())));
  });

  test("tenant isolation: A's admin can neither list nor rotate B's keys (nor the super tenant's); each tenant has its own", async () => {
    const a = `/t/alpha.keys.example${OIDC}`;
    const b = `/t/beta.keys.example${OIDC}`;
    const betaBefore = await list(b, BETA);
    assert.equal((await server.client().get(b, { auth: ALPHA })).status, 401, "alpha's admin is nobody in beta");
    assert.equal((await server.client().post(`${b}/rotate`, { auth: ALPHA, json: {} })).status, 401);
    assert.equal((await server.client().post(`${OIDC}/rotate`, { auth: ALPHA, json: {} })).status, 401);
    assert.equal((await server.client().post(`${a}/rotate`, { auth: ADMIN, json: {} })).status, 401, "the super admin is not alpha's admin");
    assert.deepEqual(await list(b, BETA), betaBefore, 'nothing rotated in beta');
    const alphaKeys = await list(a, ALPHA);
    assert.ok(!alphaKeys.some((k) => betaBefore.some((o) => o.id === k.id)));
    assert.equal((await server.client().post(`${a}/rotate`, { auth: ALPHA })).status, 201, 'no body: the default grace period');
    const rotated = await list(a, ALPHA);
    assert.equal(rotated.length, alphaKeys.length + 1);
    assert.equal(Date.parse(rotated[1]!.publishUntil!) - Date.parse(rotated[1]!.retiredAt!), 14 * 86_400_000);
    assert.deepEqual(await list(b, BETA), betaBefore);
  });
});
