// The tenant cache is bounded: requests naming random tenants (in /t/{tenant}/ or in a Basic-auth user name)
// cannot grow it, a name that cannot be a tenant domain is never looked up or cached, and entries expire as the
// server's clock moves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/time/clock.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const BOUND = 2000;

/** Sends `count` requests built by `make`, twenty at a time; returns the statuses seen. */
async function flood(server: TestServer, count: number, make: (i: number) => { path: string; auth?: [string, string] }): Promise<Set<number>> {
  const statuses = new Set<number>();
  let next = 0;
  const worker = async () => {
    const client = server.client();
    for (let i = next++; i < count; i = next++) {
      const { path, auth } = make(i);
      statuses.add((await client.request(path, auth ? { auth } : {})).status);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return statuses;
}

describe('tenant cache', () => {
  let server: TestServer;
  const clock = new ManualClock();

  before(async () => {
    server = await startTestServer({ clock });
  });
  after(async () => server?.close());

  test('20,000 distinct invalid or unknown tenant names do not grow the cache past its bound', async () => {
    const tenants = server.services.tenants;
    await server.client().request('/health');
    const start = tenants.cacheSize;
    // 10,000 names that cannot be tenant domains (too long, or with characters a domain cannot have).
    const invalid = await flood(server, 10_000, (i) => ({ path: i % 2 ? `/t/${'x'.repeat(300)}${i}/myaccount` : `/t/no_such_tenant_${i}/myaccount` }));
    assert.deepEqual([...invalid], [404]);
    assert.equal(tenants.cacheSize, start, 'nothing was cached for names that cannot be tenants');
    // 10,000 well-formed names of tenants that do not exist, half in the path, half in Basic-auth user names.
    const unknown = await flood(server, 10_000, (i) =>
      i % 2 ? { path: `/t/unknown-${i}.example/myaccount` } : { path: '/scim2/Users', auth: [`admin@unknown-${i}.example`, 'admin'] },
    );
    assert.deepEqual([...unknown], [404]);
    assert.ok(tenants.cacheSize <= BOUND, `cache size ${tenants.cacheSize} is within ${BOUND}`);
    assert.ok(tenants.cacheSize > start, 'misses for well-formed names are cached (within the bound)');
    // The real tenant still resolves.
    assert.equal((await server.client().request('/health')).status, 200);
  });

  test('a cached miss and a cached tenant expire when the clock passes the TTL', async () => {
    const tenants = server.services.tenants;
    const path = '/t/later.example/myaccount';
    assert.equal((await server.client().request(path)).status, 404);
    // Created behind the service's back (as another node would): this node still serves its cached miss.
    await server.services.storage.db
      .insertInto('tenants')
      .values({ id: 'later-tenant-id', domain: 'later.example', active: 1, admin_username: 'boss', created_at: clock.now() })
      .execute();
    assert.equal((await server.client().request(path)).status, 404);
    clock.advance(5001);
    assert.equal((await server.client().request(path)).status, 303, 'the miss expired; the new tenant is found');
    // Deactivated on "another node": served from the cache until the TTL passes, then refused.
    await server.services.storage.db.updateTable('tenants').set({ active: 0 }).where('id', '=', 'later-tenant-id').execute();
    assert.equal((await server.client().request(path)).status, 303);
    clock.advance(5001);
    assert.equal((await server.client().request(path)).status, 404);
    assert.equal(await tenants.findByDomain('LATER.example').then((t) => t?.active), false);
  });

  test('a miss is cached only for names that can be tenant domains', async () => {
    const tenants = server.services.tenants;
    clock.advance(5001); // every earlier entry is stale; stale entries are replaced, not added
    const before = tenants.cacheSize;
    for (const bad of ['', '-lead.example', 'under_score.example', 'x'.repeat(254), 'dots..example', 'space .example', '%e0']) {
      assert.equal(await tenants.findByDomain(bad), undefined);
    }
    assert.equal(tenants.cacheSize, before, 'invalid names were neither looked up nor cached');
    assert.equal(await tenants.findByDomain('valid-but-unknown.example'), undefined);
    assert.equal(tenants.cacheSize, Math.min(before + 1, BOUND));
  });
});
