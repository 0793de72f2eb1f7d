// The one contract every user store passes: describeUserStoreContract(name, makeStore) runs the same tests on
// PRIMARY (SQLite, PostgreSQL, MariaDB), JDBC stores (managed tables and mapped existing tables) and, later,
// LDAP. Each call states what the store is expected to offer (`expects`): the suite checks that the store declares
// exactly that, tests each capability it offers, and shows that the service refuses what it cannot do (USR-40004).
// Nothing is skipped for a missing capability: its tests are simply not part of that store's contract. Users are
// seeded through `seed`, so read-only stores are tested too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { AppError } from '../../src/errors/app-error.ts';
import type { ErrorCode } from '../../src/errors/codes.ts';
import type { Database } from '../../src/storage/schema.ts';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import { canList, canVerify, canWrite } from '../../src/users/capabilities.ts';
import { PRIMARY_DOMAIN } from '../../src/users/qualified-name.ts';
import type { UserFilter } from '../../src/users/user-filter.ts';
import { UserService } from '../../src/users/user-service.ts';
import type { NewUser, UserRecord, UserStore } from '../../src/users/user-store.ts';
import { UserStoreRegistry } from '../../src/users/user-stores.ts';

export interface StoreUnderTest {
  store: UserStore;
  /** Puts users in the store (through a writable handle on the same data when the store is read-only). */
  seed(tenantId: string, user: NewUser): Promise<void>;
  /** True when the store itself keeps tenants apart; mapped tables belong to one tenant by declaration. */
  tenantScoped: boolean;
  close(): Promise<void>;
}

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === code, `expected ${code}`);
}

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';
const tenantA: Tenant = { id: TENANT_A, domain: 'a.example', active: true, adminUsername: 'admin', createdAt: 0 };

const PEOPLE: NewUser[] = [
  { username: 'Alice', password: 'alice-Secret-1', attributes: { mail: 'alice@example.org', givenName: 'Alice' } },
  { username: 'bob', password: 'bob-Secret-1', attributes: { mail: 'bob@example.com', givenName: 'Robert' } },
  { username: 'carol', password: 'carol-Secret-1', attributes: { mail: 'carol@example.org' } },
  { username: 'dave_x', password: 'dave-Secret-1', attributes: {} },
];

/** A view of a store that declares fewer capabilities, to show the service asks rather than assumes. */
function readOnlyView(store: UserStore): UserStore {
  return Object.assign(Object.create(store) as UserStore, { capabilities: { ...store.capabilities, write: false } });
}

function serviceFor(store: UserStore): UserService {
  const registry = store.domain === PRIMARY_DOMAIN ? new UserStoreRegistry(store) : new UserStoreRegistry(readOnlyView(store));
  if (store.domain !== PRIMARY_DOMAIN) registry.addSecondary(TENANT_A, store);
  // Refusals happen before the identity database is touched.
  return new UserService({} as Kysely<Database>, registry);
}

/** What a store under test must offer; tenantScoped: the store itself keeps tenants apart. */
export interface ExpectedCapabilities {
  verifyPassword: boolean;
  list: boolean;
  write: boolean;
  tenantScoped: boolean;
}

export function describeUserStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>, options: { skip?: string | false; expects: ExpectedCapabilities }): void {
  const { expects } = options;
  /** A capability's test belongs to the contract only for stores expected to have it. */
  const when = (offered: boolean, title: string, body: () => Promise<void>) => {
    if (offered) test(title, body);
  };
  describe(`user store contract: ${name}`, { skip: options.skip ?? false }, () => {
    let sut: StoreUnderTest;
    let store: UserStore;
    const byName = new Map<string, UserRecord>();

    before(async () => {
      sut = await makeStore();
      store = sut.store;
      for (const person of PEOPLE) await sut.seed(TENANT_A, person);
      for (const person of PEOPLE) byName.set(person.username, (await store.findByName(TENANT_A, person.username))!);
    });
    after(async () => sut?.close());

    test('declares exactly the capabilities expected of it', () => {
      assert.deepEqual({ verifyPassword: store.capabilities.verifyPassword, list: store.capabilities.list, write: store.capabilities.write }, { verifyPassword: expects.verifyPassword, list: expects.list, write: expects.write });
      assert.deepEqual([canVerify(store), canList(store), canWrite(store)], [expects.verifyPassword, expects.list, expects.write], 'the methods are there for what it declares');
      assert.equal(sut.tenantScoped, expects.tenantScoped);
    });

    test('looks users up by name (any case, stored case returned) and by id', async () => {
      const alice = byName.get('Alice')!;
      assert.equal(alice.username, 'Alice');
      assert.equal(alice.storeDomain, store.domain);
      assert.equal(alice.tenantId, TENANT_A);
      assert.deepEqual(await store.findByName(TENANT_A, 'ALICE'), alice);
      assert.deepEqual(await store.findByName(TENANT_A, 'alice'), alice);
      assert.deepEqual(await store.findById(TENANT_A, alice.id), alice);
      assert.equal(await store.findByName(TENANT_A, 'nobody'), undefined);
      assert.equal(await store.findById(TENANT_A, 'PRIMARY-or-other:00000000-0000-4000-8000-000000000000'), undefined);
      assert.equal(await store.findByName(TENANT_A, 'dave%'), undefined, 'names are not patterns');
      assert.notEqual(byName.get('bob')!.id, alice.id);
    });

    when(expects.verifyPassword, 'verifies passwords: right, wrong and unknown user; wrong and unknown answer alike', async () => {
      if (!canVerify(store)) throw new Error('declared no password check');
      const ok = await store.verifyPassword(TENANT_A, 'alice', 'alice-Secret-1');
      assert.equal(ok?.id, byName.get('Alice')!.id);
      const wrong = await store.verifyPassword(TENANT_A, 'Alice', 'alice-Secret-2');
      const unknown = await store.verifyPassword(TENANT_A, 'nobody', 'alice-Secret-1');
      const empty = await store.verifyPassword(TENANT_A, 'Alice', '');
      assert.equal(wrong, undefined);
      assert.equal(unknown, undefined);
      assert.equal(empty, undefined);
      assert.equal(await store.verifyPassword(TENANT_A, 'bob', 'alice-Secret-1'), undefined, "another user's password");
    });

    test('reads attributes: all, some, none, absent ones missing', async () => {
      const bob = byName.get('bob')!;
      assert.deepEqual(await store.getAttributes(bob), { mail: 'bob@example.com', givenName: 'Robert' });
      assert.deepEqual(await store.getAttributes(bob, ['mail']), { mail: 'bob@example.com' });
      assert.deepEqual(await store.getAttributes(bob, []), {});
      assert.deepEqual(await store.getAttributes(byName.get('dave_x')!), {});
      assert.deepEqual(await store.getAttributes(byName.get('carol')!, ['givenName', 'mail']), { mail: 'carol@example.org' });
    });

    when(expects.list, 'lists with offset and limit in name order, any case', async () => {
      if (!canList(store)) throw new Error('declared no listing');
      const all = await store.list(TENANT_A, { offset: 0, limit: 10 });
      assert.equal(all.total, 4);
      assert.deepEqual(all.users.map((u) => u.username), ['Alice', 'bob', 'carol', 'dave_x']);
      const page = await store.list(TENANT_A, { offset: 1, limit: 2 });
      assert.equal(page.total, 4);
      assert.deepEqual(page.users.map((u) => u.username), ['bob', 'carol']);
      assert.deepEqual((await store.list(TENANT_A, { offset: 10, limit: 5 })).users, []);
    });

    when(expects.list, 'lists with every filter operator, and/or, case-insensitively', async () => {
      if (!canList(store)) throw new Error('declared no listing');
      const lister = store;
      const names = async (filter: UserFilter) => (await lister.list(TENANT_A, { filter, offset: 0, limit: 10 })).users.map((u) => u.username);
      const c = (attribute: string, op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'pr', value = ''): UserFilter => ({ kind: 'condition', attribute, op, value });
      assert.deepEqual(await names(c('username', 'eq', 'ALICE')), ['Alice']);
      assert.deepEqual(await names(c('username', 'sw', 'CA')), ['carol']);
      assert.deepEqual(await names(c('username', 'co', '_')), ['dave_x'], '_ is not a wildcard');
      assert.deepEqual(await names(c('username', 'ne', 'bob')), ['Alice', 'carol', 'dave_x']);
      assert.deepEqual(await names(c('mail', 'ew', '.ORG')), ['Alice', 'carol']);
      assert.deepEqual(await names(c('mail', 'co', 'example.c')), ['bob']);
      assert.deepEqual(await names(c('givenName', 'pr')), ['Alice', 'bob']);
      assert.deepEqual(await names(c('givenName', 'ne', 'robert')), ['Alice', 'carol', 'dave_x']);
      assert.deepEqual(await names(c('noSuchAttribute', 'eq', 'x')), []);
      assert.deepEqual(await names({ kind: 'and', filters: [c('mail', 'ew', '.org'), c('givenName', 'pr')] }), ['Alice']);
      assert.deepEqual(await names({ kind: 'or', filters: [c('username', 'eq', 'bob'), c('username', 'eq', 'dave_x')] }), ['bob', 'dave_x']);
      // Empty and/or are true/false (what a SCIM filter on another store's `DOMAIN/name` becomes).
      assert.deepEqual(await names({ kind: 'or', filters: [] }), []);
      assert.deepEqual(await names({ kind: 'and', filters: [c('username', 'sw', 'b'), { kind: 'and', filters: [] }] }), ['bob']);
      const counted = await store.list(TENANT_A, { filter: c('mail', 'ew', '.org'), offset: 1, limit: 1 });
      assert.equal(counted.total, 2);
      assert.deepEqual(counted.users.map((u) => u.username), ['carol']);
    });

    when(expects.tenantScoped, 'keeps tenants apart', async () => {
      assert.equal(await store.findByName(TENANT_B, 'alice'), undefined);
      assert.equal(await store.findById(TENANT_B, byName.get('Alice')!.id), undefined);
      if (canVerify(store)) assert.equal(await store.verifyPassword(TENANT_B, 'alice', 'alice-Secret-1'), undefined);
      if (canList(store)) assert.equal((await store.list(TENANT_B, { offset: 0, limit: 10 })).total, 0);
      if (canWrite(store)) {
        const other = await store.create(TENANT_B, { username: 'alice', password: 'other-Secret-1', attributes: { mail: 'b@b.b' } });
        assert.notEqual(other.id, byName.get('Alice')!.id);
        assert.deepEqual(await store.getAttributes(byName.get('Alice')!, ['mail']), { mail: 'alice@example.org' });
        await store.delete(other);
      }
    });

    when(expects.write, 'writes: create (duplicate refused), password, attributes set and removed, delete', async () => {
      if (!canWrite(store)) throw new Error('declared no writes');
      const erin = await store.create(TENANT_A, { username: 'Erin', password: 'erin-Secret-1', attributes: { mail: 'erin@example.org' } });
      assert.equal(erin.username, 'Erin');
      await rejects(store.create(TENANT_A, { username: 'ERIN', password: 'x-Secret-1' }), 'USR-40901');
      await store.setAttributes(erin, { givenName: 'Erin', mail: 'erin@example.net' });
      assert.deepEqual(await store.getAttributes(erin), { mail: 'erin@example.net', givenName: 'Erin' });
      await store.setAttributes(erin, { givenName: null });
      assert.deepEqual(await store.getAttributes(erin), { mail: 'erin@example.net' });
      if (canVerify(store)) {
        await store.setPassword(erin, 'erin-Secret-2');
        assert.equal(await store.verifyPassword(TENANT_A, 'erin', 'erin-Secret-1'), undefined);
        assert.equal((await store.verifyPassword(TENANT_A, 'erin', 'erin-Secret-2'))?.id, erin.id);
      }
      await store.delete(erin);
      assert.equal(await store.findByName(TENANT_A, 'erin'), undefined);
      assert.equal(await store.findById(TENANT_A, erin.id), undefined);
    });

    test('the service refuses writes to a store that cannot write (USR-40004)', async () => {
      const view = readOnlyView(store);
      const users = serviceFor(view);
      const bob = byName.get('bob')!;
      const domain = store.domain === PRIMARY_DOMAIN ? '' : `${store.domain}/`;
      await rejects(users.create(tenantA, { username: `${domain}frank`, password: 'frank-Secret-1' }), 'USR-40004');
      await rejects(users.setPassword(bob, 'bob-Secret-2'), 'USR-40004');
      await rejects(users.setAttributes(bob, { mail: 'x@y.z' }), 'USR-40004');
      await rejects(users.delete(bob), 'USR-40004');
      assert.equal(await store.findByName(TENANT_A, 'frank'), undefined);
      assert.deepEqual(await store.getAttributes(bob, ['mail']), { mail: 'bob@example.com' });
    });

    test('reports its health', async () => {
      assert.deepEqual(await store.health(), { status: 'UP' });
    });
  });
}
