// One server with a user in every kind of store, for the SCIM, console and me/totp tests across stores:
// PRIMARY (SQLite), a writable LDAP store on slapd (LDAP/bob, LDAP/carla, LDAP/dave), a writable JDBC store on
// PostgreSQL with the tables Portcullis creates (JDBC/carol, JDBC/erin) and a read-only JDBC store on MariaDB
// over an existing mapped table (ARCHIVE/cameron, ARCHIVE/frank). Also helpers that read what really landed in
// the directory (ldapsearch) and in the tables (SQL), never through Portcullis.
import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Clock } from '../../src/time/clock.ts';
import { MANAGED_ATTRIBUTES, MANAGED_USERS } from '../../src/users/jdbc/jdbc-layout.ts';
import { createTestDatabase, isAvailable, type TestDatabase } from './databases.ts';
import { tenantOf } from './fixtures.ts';
import { createLegacyTable, insertLegacyUser, legacyStoreToml } from './jdbc-tables.ts';
import { startTestServer, type TestServer } from './server.ts';
import { skipUnless } from './services.ts';
import { ldapStoreToml, PEOPLE, ROOT_DN, ROOT_PASSWORD, Slapd, slapdAvailable } from './slapd.ts';

export const PASSWORDS = {
  bob: 'bob-Ldap-pass1',
  carol: 'carol-Jdbc-pass1',
  /** bcrypt of "abc" from libxcrypt (as in jdbc-login.test.ts): a hash another system wrote. */
  cameron: 'abc',
  alice: 'alice primary pass',
};
const CAMERON_BCRYPT = '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i';

/** Every user the fixture makes, as SCIM names them, in list order (store order, then name). */
export const SEEDED = ['admin', 'alice', 'cathy', 'LDAP/bob', 'LDAP/carla', 'LDAP/dave', 'JDBC/carol', 'JDBC/erin', 'ARCHIVE/cameron', 'ARCHIVE/frank'];

export async function storesReady(): Promise<false | string> {
  if (!slapdAvailable()) return skipUnless(false, 'slapd (OpenLDAP) is not installed');
  if (!(await isAvailable('postgres'))) return skipUnless(false, 'postgres is not reachable');
  return skipUnless(await isAvailable('mysql'), 'mariadb is not reachable');
}

export class StoreFixture {
  private constructor(
    readonly server: TestServer,
    readonly slapd: Slapd,
    readonly pgDb: TestDatabase,
    readonly mariaDb: TestDatabase,
  ) {}

  static async start(options: { clock?: Clock } = {}): Promise<StoreFixture> {
    const slapd = await Slapd.start({
      users: [
        { uid: 'bob', password: PASSWORDS.bob, mail: 'bob@example.com', givenName: 'Bob', sn: 'Builder' },
        { uid: 'carla', password: 'carla-Ldap-pass1', mail: 'carla@example.com' },
        { uid: 'dave', password: 'dave-Ldap-pass1' },
      ],
    });
    const pgDb = await createTestDatabase('postgres');
    const mariaDb = await createTestDatabase('mysql');
    await createLegacyTable('mysql', mariaDb.url);
    await insertLegacyUser('mysql', mariaDb.url, { login: 'cameron', pass: CAMERON_BCRYPT, email: 'cameron@example.com' });
    await insertLegacyUser('mysql', mariaDb.url, { login: 'frank', pass: CAMERON_BCRYPT });
    process.env.PCS_TEST_SLAPD_PW = ROOT_PASSWORD;
    const server = await startTestServer({
      ...options,
      toml: `
${ldapStoreToml(slapd, { read_only: false, connect_timeout: 1000, query_timeout: 2000 })}
[[user_store]]
type = "database"
domain = "JDBC"
url = "${pgDb.url}"
${legacyStoreToml(mariaDb.url, { domain: 'ARCHIVE', readOnly: true })}`,
    });
    const fixture = new StoreFixture(server, slapd, pgDb, mariaDb);
    const tenant = await tenantOf(server);
    const users = server.services.users;
    await users.create(tenant, { username: 'alice', password: PASSWORDS.alice, attributes: { mail: 'alice@example.com' } });
    await users.create(tenant, { username: 'cathy', password: 'cathy primary pass' });
    await users.create(tenant, { username: 'JDBC/carol', password: PASSWORDS.carol, attributes: { mail: 'carol@example.com', givenName: 'Carol' } });
    await users.create(tenant, { username: 'JDBC/erin', password: 'erin-Jdbc-pass1' });
    return fixture;
  }

  async close(): Promise<void> {
    await this.server?.close();
    await this.slapd?.close();
    await this.pgDb?.drop();
    await this.mariaDb?.drop();
    delete process.env.PCS_TEST_SLAPD_PW;
  }

  /** An LDAP entry's attributes as ldapsearch prints them (`attr: value` lines), or undefined when absent. */
  ldapEntry(uid: string): Record<string, string> | undefined {
    const out = execFileSync('ldapsearch', ['-x', '-LLL', '-H', this.slapd.url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-b', PEOPLE, `(uid=${uid})`, 'uid', 'mail', 'givenName', 'sn', 'cn'], { encoding: 'utf8' });
    if (!out.trim()) return undefined;
    return Object.fromEntries(out.trim().split('\n').filter((l) => /^\w+: /.test(l) && !l.startsWith('dn: ')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  }

  /** The managed JDBC store's attributes of a user (PostgreSQL), or undefined when there is no such user. */
  async jdbcAttributes(username: string): Promise<Record<string, string> | undefined> {
    const c = new pg.Client({ connectionString: this.pgDb.url });
    await c.connect();
    try {
      const user = await c.query<{ id: string }>(`select id from ${MANAGED_USERS} where username_key = $1`, [username.toLowerCase()]);
      if (!user.rows[0]) return undefined;
      const attrs = await c.query<{ name: string; value: string }>(`select name, value from ${MANAGED_ATTRIBUTES} where user_id = $1`, [user.rows[0].id]);
      return Object.fromEntries(attrs.rows.map((r) => [r.name, r.value]));
    } finally {
      await c.end();
    }
  }

  /** A row of the read-only MariaDB table. */
  async archiveRow(login: string): Promise<{ login: string; pass: string; email: string | null } | undefined> {
    const c = await mysql.createConnection({ uri: this.mariaDb.url });
    try {
      const [rows] = await c.query('select login, pass, email from legacy_users where login = ?', [login]);
      return (rows as { login: string; pass: string; email: string | null }[])[0];
    } finally {
      await c.end();
    }
  }
}
