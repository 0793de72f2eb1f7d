// The key service on every database, with the clock injected: the first key is made on first use, a rotation
// makes a new active key and keeps the previous one published for the grace period, the end of that period
// changes keySetVersion and drops the key from both JWKS, purposes rotate independently, and two services
// (two nodes) on one database see the same keys. The JWKS is checked with jose, an independent implementation.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../../test/support/databases.ts';
import { skipUnless } from '../../test/support/services.ts';
import { Keyring } from '../crypto/keyring.ts';
import { ManualClock } from '../time/clock.ts';
import type { Jwk } from './jwks.ts';
import { KeyService } from './key-service.ts';

const DAY = 86_400_000;
const newTenant = () => ({ id: randomUUID(), domain: `t${randomUUID().slice(0, 8)}.example` });

/** A JWT signed with a private JWK, as oidc-provider would sign an ID token. */
async function signWith(jwk: Jwk): Promise<string> {
  return new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).setIssuer('https://idp.example').setIssuedAt().sign(await importJWK(jwk, 'RS256'));
}

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`signing keys on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let keys: KeyService;
    let otherNode: KeyService;
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    const keyring = new Keyring([randomBytes(32)]);

    before(async () => {
      storage = await openTestStorage(type);
      keys = new KeyService(storage.db, keyring, clock, { ttlMs: 10_000 });
      otherNode = new KeyService(storage.db, keyring, clock, { ttlMs: 10_000 });
    });
    after(async () => storage?.close());

    test('the first key is made on first use: private and public JWKS of one RS256 key, never a private part in public', async () => {
      const tenant = newTenant();
      const [first] = await keys.list(tenant, 'oidc');
      assert.equal(first!.status, 'active');
      const priv = (await keys.privateJwks(tenant)).keys;
      const pub = (await keys.publicJwks(tenant)).keys;
      assert.deepEqual(priv.map((k) => [k.kid, k.kty, k.alg, k.use]), [[first!.id, 'RSA', 'RS256', 'sig']]);
      assert.ok(priv[0]!.d && priv[0]!.p, 'the private JWK carries the private exponent');
      assert.deepEqual(Object.keys(pub[0]!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
      assert.equal(pub[0]!.n, priv[0]!.n);
      // A token signed with the private JWK verifies against the public set (jose), and its kid selects the key.
      const { payload } = await jwtVerify(await signWith(priv[0]!), createLocalJWKSet({ keys: pub }), { issuer: 'https://idp.example' });
      assert.equal(payload.sub, 'alice');
    });

    test('rotation: the new key comes first, the previous one stays published until its grace period ends', async () => {
      const tenant = newTenant();
      const [old] = (await keys.privateJwks(tenant)).keys;
      const oldToken = await signWith(old!);
      const v1 = await keys.keySetVersion(tenant, 'oidc');
      await keys.rotate(tenant, 'oidc', 2 * DAY);
      const priv = (await keys.privateJwks(tenant)).keys;
      assert.equal(priv.length, 2);
      assert.notEqual(priv[0]!.kid, old!.kid, 'the active (new) key first');
      assert.equal(priv[1]!.kid, old!.kid);
      const v2 = await keys.keySetVersion(tenant, 'oidc');
      assert.notEqual(v2, v1, 'a rotation changes the version');
      const during = createLocalJWKSet(await keys.publicJwks(tenant));
      await jwtVerify(oldToken, during); // the previous key's tokens still verify
      await jwtVerify(await signWith(priv[0]!), during);
      const listed = await keys.list(tenant, 'oidc');
      assert.deepEqual(listed.map((k) => [k.status, k.published]), [['active', true], ['retired', true]]);
      assert.equal(listed[1]!.publishUntil, clock.now() + 2 * DAY);

      clock.advance(2 * DAY - 60_000);
      assert.equal(await keys.keySetVersion(tenant, 'oidc'), v2, 'unchanged within the grace period');
      clock.advance(60_000 + 1);
      const v3 = await keys.keySetVersion(tenant, 'oidc');
      assert.notEqual(v3, v2, 'the end of the grace period changes the version');
      assert.deepEqual((await keys.privateJwks(tenant)).keys.map((k) => k.kid), [priv[0]!.kid]);
      assert.deepEqual((await keys.publicJwks(tenant)).keys.map((k) => k.kid), [priv[0]!.kid]);
      await assert.rejects(jwtVerify(oldToken, createLocalJWKSet(await keys.publicJwks(tenant))), (e: Error & { code?: string }) => e.code === 'ERR_JWKS_NO_MATCHING_KEY');
      assert.deepEqual((await keys.list(tenant, 'oidc')).map((k) => [k.status, k.published]), [['active', true], ['retired', false]]);
    });

    test('purposes are independent: rotating OIDC leaves the SAML key (and its version) alone, and the keys differ', async () => {
      const tenant = newTenant();
      const saml = await keys.keys(tenant, 'saml');
      const samlVersion = await keys.keySetVersion(tenant, 'saml');
      const oidc = await keys.keys(tenant, 'oidc');
      assert.notEqual(saml.active.id, oidc.active.id);
      assert.notEqual(saml.active.certificatePem, oidc.active.certificatePem);
      await keys.rotate(tenant, 'oidc', DAY);
      assert.equal((await keys.keys(tenant, 'saml')).active.id, saml.active.id);
      assert.equal(await keys.keySetVersion(tenant, 'saml'), samlVersion);
      assert.deepEqual((await keys.list(tenant, 'saml')).map((k) => k.status), ['active']);
      // And tenants are independent: another tenant's set is its own.
      const other = newTenant();
      assert.ok(!(await keys.publicJwks(other)).keys.some((k) => k.kid === oidc.active.id));
    });

    test('two nodes on one database: the same first key, and a rotation on one reaches the other within the cache TTL', async () => {
      const tenant = newTenant();
      const [a, b] = await Promise.all([keys.keys(tenant, 'oidc'), otherNode.keys(tenant, 'oidc')]);
      assert.equal(a.active.id, b.active.id, 'one first key, whichever node asked first');
      await keys.rotate(tenant, 'oidc', DAY);
      const rotated = (await keys.keys(tenant, 'oidc')).active.id;
      assert.equal((await otherNode.keys(tenant, 'oidc')).active.id, a.active.id, 'the other node still holds its cached set');
      clock.advance(10_001);
      assert.equal((await otherNode.keys(tenant, 'oidc')).active.id, rotated);
      assert.equal(await otherNode.keySetVersion(tenant, 'oidc'), await keys.keySetVersion(tenant, 'oidc'));
      assert.deepEqual(await otherNode.privateJwks(tenant), await keys.privateJwks(tenant));
    });

    test('the NameID secret is made once, the same on every node, and is not a signing key', async () => {
      const tenant = newTenant();
      const [a, b] = await Promise.all([keys.secret(tenant.id, 'saml-nameid'), otherNode.secret(tenant.id, 'saml-nameid')]);
      assert.equal(a.length, 32);
      assert.ok(a.equals(b));
      assert.equal((await keys.list(tenant, 'saml')).length, 1, 'only the first SAML key');
    });
  });
}
