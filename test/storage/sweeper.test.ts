// The sweeper deletes what has expired and keeps what is live, judged by the server's clock (moved here, never
// slept on); two nodes on one database sweep once between them (a lease in the database decides).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContextStore } from '../../src/flows/context-store.ts';
import { DatabaseRateLimitStore } from '../../src/http/rate-limit-store.ts';
import type { FlowState } from '../../src/flows/flow-state.ts';
import { openStorage, type Storage } from '../../src/storage/database.ts';
import { Leases } from '../../src/storage/lease.ts';
import { Sweeper } from '../../src/storage/sweeper.ts';
import { ManualClock } from '../../src/time/clock.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import { ALL_DATABASES, createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const quiet = { info: () => undefined, warn: () => undefined };

async function count(server: TestServer, table: 'auth_contexts' | 'sso_sessions' | 'email_codes' | 'notification_sends' | 'audit_events' | 'rate_limits', column: string, value: string): Promise<number> {
  const { db } = server.services.storage;
  const rows = await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).where(db.dynamic.ref(column), '=', value).execute();
  return Number(rows[0]?.n ?? 0);
}

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`sweeper on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let database: TestDatabase;
    let server: TestServer;
    const clock = new ManualClock();

    before(async () => {
      database = await createTestDatabase(type);
      server = await startTestServer({ database, clock, toml: '[housekeeping]\naudit_retention_days = 30' });
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });

    test('expired rows of each kind go and live ones stay, as the clock moves', async () => {
      const s = server.services;
      const tenant = await s.tenants.requireActive('carbon.super');
      const alice = await s.users.create(tenant, { username: 'sweep-alice', password: 'a long password' });
      const bob = await s.users.create(tenant, { username: 'sweep-bob', password: 'a long password' });
      const ssoState = (user: UserRecord) => ({ user: { id: user.id, storeDomain: user.storeDomain, username: user.username }, passed: {}, participants: [], authTime: clock.now() });

      // T0: an anonymous visit to My Account starts a login (one context row, as every such GET does).
      const visit = await server.client().request('/myaccount');
      assert.equal(visit.status, 303);
      const oldContext = new URL(visit.location!, server.url).searchParams.get('sessionDataKey')!;
      assert.equal(await count(server, 'auth_contexts', 'id', oldContext), 1);
      const oldSession = await s.sso.createWithCookie('old-cookie', tenant.id, ssoState(alice), clock.now());
      assert.equal((await s.emailCodes.issue(alice, 6, 5 * MINUTE, clock.now())).issued, true);
      await s.audit.record({ tenantId: tenant.id, event: 'logout', outcome: 'success', reason: 'sweep-old' });
      const rateLimits = new DatabaseRateLimitStore(s.storage, clock);
      await rateLimits.hit('sweep-old', MINUTE);

      // T0 + 20 minutes: the login timeout (15), SSO idle timeout (15), code lifetime (5) and send window (15) have passed.
      clock.advance(20 * MINUTE);
      const live = await server.client().request('/myaccount');
      const liveContext = new URL(live.location!, server.url).searchParams.get('sessionDataKey')!;
      const liveSession = await s.sso.createWithCookie('live-cookie', tenant.id, ssoState(bob), clock.now());
      assert.equal((await s.emailCodes.issue(bob, 6, 5 * MINUTE, clock.now())).issued, true);
      await s.audit.record({ tenantId: tenant.id, event: 'logout', outcome: 'success', reason: 'sweep-new' });
      await rateLimits.hit('sweep-new', MINUTE);

      const first = await s.sweeper.runOnce();
      assert.equal(first.ran, true);
      assert.ok(first.deleted.auth_contexts! >= 1);
      assert.equal(first.deleted.sso_sessions, 1);
      assert.equal(first.deleted.email_codes, 1);
      assert.equal(first.deleted.notification_sends, 1);
      assert.equal(first.deleted.audit_events, 0, 'audit events are kept for the retention period');
      assert.equal(await count(server, 'rate_limits', 'limit_key', 'sweep-old'), 0, 'an ended rate-limit window goes');
      assert.equal(await count(server, 'rate_limits', 'limit_key', 'sweep-new'), 1, 'an open one stays');
      assert.equal(await count(server, 'auth_contexts', 'id', oldContext), 0);
      assert.equal(await count(server, 'auth_contexts', 'id', liveContext), 1);
      assert.equal(await count(server, 'sso_sessions', 'id', oldSession.id), 0);
      assert.equal(await count(server, 'sso_sessions', 'id', liveSession.id), 1);
      assert.equal(await count(server, 'email_codes', 'user_id', alice.id), 0);
      assert.equal(await count(server, 'email_codes', 'user_id', bob.id), 1);
      assert.equal(await count(server, 'notification_sends', 'user_id', alice.id), 0);
      assert.equal(await count(server, 'notification_sends', 'user_id', bob.id), 1);
      assert.equal(await count(server, 'audit_events', 'reason', 'sweep-old'), 1);

      // 30 days after T0 (retention), the old event goes; the one recorded 20 minutes later stays.
      clock.advance(30 * DAY - 20 * MINUTE);
      const second = await s.sweeper.runOnce();
      assert.equal(second.deleted.audit_events, 1);
      assert.equal(await count(server, 'audit_events', 'reason', 'sweep-old'), 0);
      assert.equal(await count(server, 'audit_events', 'reason', 'sweep-new'), 1);
    });

    test('two nodes sweeping at once: one takes the lease and deletes everything due in batches, the other skips', async () => {
      const settings = { type, path: database.path, url: database.url, poolSize: 5 };
      const nodes: Storage[] = [await openStorage(settings), await openStorage(settings)];
      try {
        // The server's own sweeper (a third node) holds the lease since the test above; start from no lease row,
        // so that the first-use INSERT race is the one decided here.
        await nodes[0]!.db.deleteFrom('leases').execute();
        const now = clock.now();
        const state = { tenantId: 'sweep-tenant' } as unknown as FlowState;
        const contexts = new ContextStore(nodes[0]!.db, MINUTE);
        await nodes[0]!.db.deleteFrom('auth_contexts').execute();
        // 1,201 expired contexts (three batches of 500) and one live context.
        const expired = Array.from({ length: 1201 }, (_, i) => ({ id: `expired-${i}`, tenant_id: 'sweep-tenant', nonce_hash: 'x', state: '{}', version: 1, created_at: now - 2 * MINUTE, expires_at: now - MINUTE }));
        for (let i = 0; i < expired.length; i += 300) await nodes[0]!.db.insertInto('auth_contexts').values(expired.slice(i, i + 300)).execute();
        // A context is written by its first save (context-store.ts).
        await contexts.save(contexts.create('live-context', 'nonce', state, now), state);

        const purges: number[] = [0, 0];
        const sweepers = nodes.map((node, i) => {
          const sweeper = new Sweeper({ db: node.db, clock, log: quiet, intervalMs: 60_000, batchSize: 500 });
          const store = new ContextStore(node.db, MINUTE);
          sweeper.register({ name: 'auth_contexts', purge: async (at, limit) => (purges[i]!++, store.purgeExpired(at, limit)) });
          return sweeper;
        });
        const reports = await Promise.all(sweepers.map((s) => s.runOnce()));
        const winners = reports.filter((r) => r.ran);
        assert.equal(winners.length, 1, 'exactly one node ran');
        assert.equal(winners[0]!.deleted.auth_contexts, 1201);
        assert.deepEqual(reports.find((r) => !r.ran)!.deleted, {});
        assert.deepEqual([...purges].sort(), [0, 3], 'the loser issued no delete; the winner three batches');
        const left = await nodes[1]!.db.selectFrom('auth_contexts').select('id').execute();
        assert.deepEqual(left.map((r) => r.id), ['live-context']);

        // The lease lasts one interval: the loser still skips; once the clock passes it, either node may sweep.
        const loser = sweepers[reports.indexOf(reports.find((r) => !r.ran)!)]!;
        assert.equal((await loser.runOnce()).ran, false);
        clock.advance(60_001);
        assert.equal((await loser.runOnce()).ran, true);
      } finally {
        for (const node of nodes) await node.close();
      }
    });

    test('twenty holders racing for one lease, new or expired: exactly one wins each time', async () => {
      const settings = { type, path: database.path, url: database.url, poolSize: 10 };
      const nodes: Storage[] = [await openStorage(settings), await openStorage(settings)];
      try {
        // Each round has new holders (a holder may always renew its own lease).
        const race = async (round: string, now: number) => {
          const results = await Promise.all(Array.from({ length: 20 }, (_, i) => new Leases(nodes[i % 2]!.db).acquire('race-test', `${round}-${i}`, now, 1000)));
          return results.filter(Boolean).length;
        };
        assert.equal(await race('a', clock.now()), 1, 'first use: one INSERT wins');
        assert.equal(await race('b', clock.now() + 500), 0, 'held: nobody else gets it');
        assert.equal(await race('c', clock.now() + 1000), 1, 'expired: one conditional UPDATE wins');
      } finally {
        for (const node of nodes) await node.close();
      }
    });
  });
}

describe('the server runs the sweeper on its timer and stops it on close', () => {
  test('a short interval: an expired login context goes without calling runOnce', async () => {
    const clock = new ManualClock();
    const server = await startTestServer({ clock, toml: '[housekeeping]\ninterval = 1' });
    try {
      const visit = await server.client().request('/myaccount');
      const id = new URL(visit.location!, server.url).searchParams.get('sessionDataKey')!;
      clock.advance(16 * 60_000);
      // Wait for timer-driven runs (no sleep, no runOnce) until one has deleted the context.
      for (;;) {
        const [report] = (await new Promise((resolve) => server.services.sweeper.once('swept', (r) => resolve([r])))) as [{ deleted: Record<string, number> }];
        if ((report.deleted.auth_contexts ?? 0) > 0) break;
      }
      assert.equal(await count(server, 'auth_contexts', 'id', id), 0);
    } finally {
      // A run in flight when close() is called has finished by the time close() resolves.
      let settled = false;
      const run = server.services.sweeper.runOnce().finally(() => (settled = true));
      await server.close();
      assert.equal(settled, true);
      await run;
      assert.deepEqual(await server.services.sweeper.runOnce(), { ran: false, deleted: {} }, 'nothing runs after close');
    }
  });
});
