// How many times the LDAP store asks the directory, counted by a wrapper around ldapts's Client (not timed):
// what a password login reads (lookup, bind, claims several times) costs one search; a listed page's claims
// cost nothing more than the list; a found entry is reused for ENTRY_TTL_MS at most (moved on a ManualClock),
// and our own writes are seen at once. A whole login through the pages costs one search.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { Client } from 'ldapts';
import { ManualClock } from '../../src/time/clock.ts';
import { ENTRY_TTL_MS, LdapUserStore } from '../../src/users/ldap/ldap-user-store.ts';
import { ldapts } from '../../src/users/ldap/ldapts.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { ldapStoreSettings, ldapStoreToml, PEOPLE, ROOT_DN, ROOT_PASSWORD, Slapd, slapdAvailable } from '../support/slapd.ts';

const skip = skipUnless(slapdAvailable(), 'slapd (OpenLDAP) is not installed');
const T = 'tenant-1';

/** The class the store's clients are made from (ldapts's CommonJS build, through the store's own loader). */
const prototype = ldapts().Client.prototype;

/** Counts searches (search and searchPaginated) and binds on every ldapts Client while installed. */
class DirectoryCalls {
  searches = 0;
  binds = 0;
  private readonly saved = { search: prototype.search, searchPaginated: prototype.searchPaginated, bind: prototype.bind };

  install(): void {
    const { search, searchPaginated, bind } = this.saved;
    const count = (what: 'searches' | 'binds') => void this[what]++;
    prototype.search = function (this: Client, ...args: Parameters<Client['search']>) {
      count('searches');
      return search.apply(this, args);
    };
    prototype.searchPaginated = function (this: Client, ...args: Parameters<Client['searchPaginated']>) {
      count('searches');
      return searchPaginated.apply(this, args);
    };
    prototype.bind = function (this: Client, ...args: Parameters<Client['bind']>) {
      count('binds');
      return bind.apply(this, args);
    };
  }

  uninstall(): void {
    Object.assign(prototype, this.saved);
  }
}

describe('LDAP store round trips', { skip }, () => {
  let slapd: Slapd;
  let store: LdapUserStore;
  let clock: ManualClock;
  let calls: DirectoryCalls;

  before(async () => {
    slapd = await Slapd.start({
      users: Array.from({ length: 12 }, (_, i) => ({ uid: `u${String(i).padStart(2, '0')}`, password: `pass-${i}-Ldap`, mail: `u${i}@example.com`, givenName: `Given${i}` })),
    });
  });
  after(async () => slapd?.close());
  beforeEach(() => {
    clock = new ManualClock();
    store = new LdapUserStore(ldapStoreSettings(slapd), clock);
    calls = new DirectoryCalls();
    calls.install();
  });
  afterEach(async () => {
    calls.uninstall();
    await store.close();
  });

  test('a password login and the claims it reads cost one search and the user bind', async () => {
    const found = await store.findByName(T, 'u01');
    assert.ok(found);
    const user = await store.verifyPassword(T, 'u01', 'pass-1-Ldap');
    assert.equal(user?.id, found.id);
    for (let i = 0; i < 4; i++) assert.deepEqual(await store.getAttributes(user!, ['mail', 'givenName']), { mail: 'u1@example.com', givenName: 'Given1' });
    assert.equal((await store.findById(T, found.id))?.username, 'u01');
    assert.equal(calls.searches, 1, 'one search found the entry with its attributes');
    assert.equal(calls.binds, 2, 'the pooled service-account client bound once, the user once');
    assert.equal(await store.verifyPassword(T, 'u01', 'wrong-pass'), undefined, 'a wrong password still binds and fails');
    assert.equal(calls.binds, 3);
  });

  test("a listed page's claims cost nothing beyond the list", async () => {
    const page = await store.list(T, { offset: 2, limit: 5 });
    assert.equal(page.total, 12);
    assert.equal(calls.searches, 1);
    for (const user of page.users) assert.equal((await store.getAttributes(user, ['mail']))['mail'], `u${Number(user.username.slice(1))}@example.com`);
    assert.equal(calls.searches, 1, 'the attributes came with the list');
  });

  test('an entry is reused for ENTRY_TTL_MS at most; our own writes are seen at once', async () => {
    const user = (await store.findByName(T, 'u02'))!;
    execFileSync('ldapmodify', ['-x', '-H', slapd.url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], { input: `dn: uid=u02,${PEOPLE}\nchangetype: modify\nreplace: givenName\ngivenName: Changed\n` });
    assert.equal((await store.getAttributes(user))['givenName'], 'Given2', 'a change made elsewhere shows only after the bound');
    clock.advance(ENTRY_TTL_MS + 1);
    assert.equal((await store.getAttributes(user))['givenName'], 'Changed');
    assert.equal(calls.searches, 2);

    await store.setAttributes(user, { mail: 'new@example.com' });
    assert.equal((await store.getAttributes(user))['mail'], 'new@example.com', 'our own write is read back at once');
    await store.delete(user);
    assert.equal(await store.findByName(T, 'u02'), undefined);
    assert.equal(await store.findById(T, user.id), undefined);
  });
});

describe('LDAP round trips of a whole login', { skip }, () => {
  test('a password login through the pages (My Account, qualified and bare name) costs one search per lookup and the bind', async () => {
    const slapd = await Slapd.start({ users: [{ uid: 'bob', password: 'bob-Ldap-pass1', mail: 'bob@example.com', givenName: 'Bob' }] });
    process.env.PCS_TEST_SLAPD_PW = ROOT_PASSWORD;
    const server = await startTestServer({ toml: ldapStoreToml(slapd, { read_only: true }) });
    const calls = new DirectoryCalls();
    try {
      await setMyAccountSteps(server, [['BasicAuthenticator']]);
      calls.install();
      for (const name of ['LDAP/bob', 'bob']) {
        const before = calls.searches;
        const browser = new LoginBrowser(server.client());
        const page = await browser.login(await browser.open('/myaccount'), name, 'bob-Ldap-pass1');
        assert.equal(page.name, 'myaccount');
        // One search finds bob with his attributes (it was five before the entries were kept); a second login
        // within ENTRY_TTL_MS may reuse it, so at most one.
        const searches = calls.searches - before;
        if (name === 'LDAP/bob') assert.equal(searches, 1, `${name}: ${searches} searches`);
        else assert.ok(searches <= 1, `${name}: ${searches} searches`);
      }
    } finally {
      calls.uninstall();
      await server.close();
      await slapd.close();
      delete process.env.PCS_TEST_SLAPD_PW;
    }
  });
});
