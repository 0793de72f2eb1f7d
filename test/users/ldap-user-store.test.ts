// LDAP stores pass the same contract as PRIMARY and JDBC, on a real OpenLDAP (slapd) started by the test:
// read-write and read-only. Then what is LDAP's own: names are escaped (never patterns), an empty password
// never binds, a disabled AD account is refused, and a directory that is down fails fast and recovers.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/errors/app-error.ts';
import { ManualClock, systemClock } from '../../src/time/clock.ts';
import { escapeDnValue, escapeFilterValue, guidBytes, guidText, ldapFilterOf } from '../../src/users/ldap/ldap-filter.ts';
import { LdapUserStore } from '../../src/users/ldap/ldap-user-store.ts';
import { skipUnless } from '../support/services.ts';
import { ldapStoreSettings, Slapd, slapdAvailable } from '../support/slapd.ts';
import { describeUserStoreContract } from '../support/user-store-contract.ts';

const skip = skipUnless(slapdAvailable(), 'slapd (OpenLDAP) is not installed');

describeUserStoreContract('LDAP on OpenLDAP (read-write)', async () => {
  const slapd = await Slapd.start();
  const store = new LdapUserStore(ldapStoreSettings(slapd), systemClock);
  return { store, tenantScoped: false, seed: async (t, u) => void (await store.create(t, u)), close: async () => (await store.close(), await slapd.close()) };
}, { skip, expects: { verifyPassword: true, list: true, write: true, tenantScoped: false } });

describeUserStoreContract('LDAP on OpenLDAP (read-only)', async () => {
  const slapd = await Slapd.start();
  const writer = new LdapUserStore(ldapStoreSettings(slapd), systemClock);
  const store = new LdapUserStore(ldapStoreSettings(slapd, { readOnly: true }), systemClock);
  assert.equal(store.capabilities.write, false);
  return { store, tenantScoped: false, seed: async (t, u) => void (await writer.create(t, u)), close: async () => (await writer.close(), await store.close(), await slapd.close()) };
}, { skip, expects: { verifyPassword: true, list: true, write: false, tenantScoped: false } });

describe('LDAP text escaping', () => {
  test('filter values per RFC 4515, DN values per RFC 4514', () => {
    assert.equal(escapeFilterValue('a*b(c)d\\e\u0000'), 'a\\2ab\\28c\\29d\\5ce\\00');
    assert.equal(escapeFilterValue('é'), '\\c3\\a9');
    assert.equal(escapeDnValue('Smith, John+x=y'), 'Smith\\, John\\+x\\=y');
    assert.equal(escapeDnValue(' #lead trail '), '\\ #lead trail\\ ');
    const filter = ldapFilterOf({ kind: 'and', filters: [{ kind: 'condition', attribute: 'username', op: 'sw', value: 'a*' }, { kind: 'condition', attribute: 'other', op: 'eq', value: 'x' }] }, 'uid', { mail: 'mail' });
    assert.equal(filter, '(&(uid=a\\2a*)(!(objectClass=*)))');
  });

  test('objectGUID bytes and text round-trip', () => {
    const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const textForm = guidText(bytes);
    assert.equal(textForm, '33221100-5544-7766-8899-aabbccddeeff');
    assert.deepEqual(guidBytes(textForm), bytes);
    assert.equal(guidBytes('not-a-guid'), undefined);
  });
});

describe('an LDAP store on OpenLDAP', { skip }, () => {
  let slapd: Slapd;
  let store: LdapUserStore;
  before(async () => {
    slapd = await Slapd.start({ users: [{ uid: 'bob', password: 'bob-Secret-1', mail: 'bob@example.com' }, { uid: 'star', password: 'star-Secret-1' }], groups: [{ cn: 'staff', members: ['bob'] }] });
    store = new LdapUserStore(ldapStoreSettings(slapd, { connectTimeoutMs: 1000, operationTimeoutMs: 1000 }), systemClock);
  });
  after(async () => {
    await store?.close();
    await slapd?.close();
  });

  test('seeded users sign in by bind; names are not patterns; an empty password never binds', async () => {
    const bob = await store.verifyPassword('t', 'BOB', 'bob-Secret-1');
    assert.equal(bob?.username, 'bob');
    assert.match(bob!.id, /^LDAP:[0-9a-f-]{36}$/);
    assert.equal(await store.findByName('t', 'b*'), undefined);
    assert.equal(await store.findByName('t', '*'), undefined);
    assert.equal(await store.verifyPassword('t', 'b*', 'bob-Secret-1'), undefined);
    assert.equal(await store.verifyPassword('t', 'bob', ''), undefined);
    assert.equal(await store.findByName('t', 'bob)(uid=*'), undefined);
  });

  test('a stopped slapd fails fast with USR-50301, health says DOWN; it recovers when slapd is back', async () => {
    assert.ok(await store.findByName('t', 'bob'));
    await slapd.stop();
    const started = performance.now();
    await assert.rejects(store.verifyPassword('t', 'bob', 'bob-Secret-1'), (e: unknown) => e instanceof AppError && e.code === 'USR-50301' && !e.description.includes('slapd-Root'));
    // The next call inside the back-off is refused at once.
    await assert.rejects(store.findByName('t', 'bob'), (e: unknown) => e instanceof AppError && e.code === 'USR-50301');
    assert.ok(performance.now() - started < 5000, 'refused within the timeout');
    const down = await store.health();
    assert.equal(down.status, 'DOWN');
    assert.equal(down.reason, 'connection refused');
    await slapd.resume();
    assert.deepEqual(await store.health(), { status: 'UP' });
    assert.equal((await store.verifyPassword('t', 'bob', 'bob-Secret-1'))?.username, 'bob');
  });

  test('more concurrent lookups than pooled connections all complete', async () => {
    const small = new LdapUserStore(ldapStoreSettings(slapd, { poolSize: 2 }), systemClock);
    try {
      const found = await Promise.all(Array.from({ length: 20 }, (_, i) => small.findByName('t', i % 2 ? 'bob' : 'star')));
      assert.deepEqual(new Set(found.map((u) => u?.username)), new Set(['bob', 'star']));
    } finally {
      await small.close();
    }
  });

  test('a refused service-account bind is USR-50301 (access denied), never the password', async () => {
    const wrong = new LdapUserStore(ldapStoreSettings(slapd, { bindPassword: 'not-the-Root-pw' }), systemClock);
    try {
      await assert.rejects(wrong.findByName('t', 'bob'), (e: unknown) => e instanceof AppError && e.code === 'USR-50301' && /access denied/.test(e.description) && !e.description.includes('not-the-Root-pw'));
      assert.deepEqual(await wrong.health(), { status: 'DOWN', reason: 'access denied' });
    } finally {
      await wrong.close();
    }
  });

  test('Active Directory mode reads objectGUID as the id and userAccountControl bit 0x2 as disabled', async () => {
    // OpenLDAP has no objectGUID or userAccountControl; the store's reading of an AD entry is checked directly.
    const ad = new LdapUserStore(ldapStoreSettings(slapd, { kind: 'active_directory', usernameAttribute: 'sAMAccountName', idAttribute: 'objectGUID' }), systemClock);
    const found = (ad as unknown as { found: (t: string, e: unknown) => { disabled: boolean; record: { id: string; username: string } } }).found.bind(ad);
    const entry = (uac: string) => ({ dn: 'CN=x,DC=ad', sAMAccountName: 'x', objectGUID: Buffer.alloc(16, 1), userAccountControl: uac });
    assert.equal(found('t', entry('514')).disabled, true, 'NORMAL_ACCOUNT | ACCOUNTDISABLE');
    assert.equal(found('t', entry('512')).disabled, false);
    assert.equal(found('t', entry('512')).record.id, 'LDAP:01010101-0101-0101-0101-010101010101');
    await ad.close();
  });
});

describe('Active Directory mode on OpenLDAP with AD attributes (sAMAccountName, objectGUID, userAccountControl)', { skip }, () => {
  const GUID = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
  let slapd: Slapd;
  let store: LdapUserStore;
  const adSettings = (s: Slapd, usernameAttribute = 'sAMAccountName') =>
    ldapStoreSettings(s, { kind: 'active_directory', domain: 'AD', usernameAttribute, usernameSearchFilter: `(&(objectClass=user)(${usernameAttribute}=?))`, userListFilter: '(objectClass=user)', idAttribute: 'objectGUID', readOnly: true });
  before(async () => {
    slapd = await Slapd.start({
      users: [
        { uid: 'jdoe', password: 'jdoe-Secret-1', ad: { sAMAccountName: 'JDoe', userPrincipalName: 'jdoe@corp.example', userAccountControl: 512, objectGUID: GUID } },
        { uid: 'gone', password: 'gone-Secret-1', ad: { sAMAccountName: 'gone', userAccountControl: 514, objectGUID: Buffer.alloc(16, 7) } },
        { uid: 'plain', password: 'plain-Secret-1' },
      ],
    });
    store = new LdapUserStore(adSettings(slapd), systemClock);
  });
  after(async () => {
    await store?.close();
    await slapd?.close();
  });

  test('sAMAccountName signs in; the id is the objectGUID in text form and finds the user again', async () => {
    const jdoe = await store.verifyPassword('t', 'jdoe', 'jdoe-Secret-1');
    assert.equal(jdoe?.username, 'JDoe');
    assert.equal(jdoe?.id, `AD:${guidText(GUID)}`);
    assert.equal(jdoe?.disabled, undefined);
    assert.deepEqual(await store.findById('t', jdoe!.id), jdoe);
    assert.equal(await store.findById('t', 'AD:not-a-guid'), undefined);
    assert.equal(await store.findByName('t', 'plain'), undefined, 'only entries of class user');
    assert.deepEqual((await store.list('t', { offset: 0, limit: 10 })).users.map((u) => u.username), ['gone', 'JDoe']);
  });

  test('userPrincipalName as the user name attribute', async () => {
    const upn = new LdapUserStore(adSettings(slapd, 'userPrincipalName'), systemClock);
    try {
      assert.equal((await upn.verifyPassword('t', 'JDOE@corp.example', 'jdoe-Secret-1'))?.username, 'jdoe@corp.example');
    } finally {
      await upn.close();
    }
  });

  test('ACCOUNTDISABLE (userAccountControl 514): found and marked disabled, the right password is refused', async () => {
    const gone = await store.findByName('t', 'gone');
    assert.equal(gone?.disabled, true);
    // OpenLDAP itself would accept this bind; the refusal is the store's.
    assert.equal(await store.verifyPassword('t', 'gone', 'gone-Secret-1'), undefined);
  });
});

describe('an LDAP store whose server never answers', () => {
  test('gives up after the timeout with USR-50301 (timeout), then refuses at once for a while; health still probes', async () => {
    // A loopback listener that accepts connections and never says a word, like a host that drops packets.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const clock = new ManualClock();
    const store = new LdapUserStore(ldapStoreSettings({ url: `ldap://127.0.0.1:${port}` }, { connectTimeoutMs: 300, operationTimeoutMs: 600 }), clock);
    const unavailable = (e: unknown) => e instanceof AppError && e.code === 'USR-50301' && /timeout/.test(e.description) && !e.description.includes(String(port));
    try {
      const started = performance.now();
      await assert.rejects(store.verifyPassword('t', 'bob', 'bob-Secret-1'), unavailable);
      assert.ok(performance.now() - started < 5000, 'gave up within the timeout (generous bound)');
      const next = performance.now();
      await assert.rejects(store.findByName('t', 'bob'), unavailable);
      assert.ok(performance.now() - next < 200, 'refused at once during the pause');
      assert.deepEqual(await store.health(), { status: 'DOWN', reason: 'timeout' });
      clock.advance(6000);
      await assert.rejects(store.findByName('t', 'bob'), unavailable, 'after the pause it tries again');
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
