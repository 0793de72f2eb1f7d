// A real OpenLDAP server for tests: Debian's slapd on a free high loopback port, with a slapd.conf this file
// writes in a temp dir (mdb backend, dc=example,dc=com, the core/cosine/inetorgperson/nis schemas), seeded
// offline with slapadd (users as inetOrgPerson with {SSHA} passwords, groups as groupOfNames). It can be
// stopped and started again on the same port with the same data, and is stopped by its own pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LdapStoreSettings } from '../../src/users/ldap/ldap-settings.ts';
import { freePort } from './free-port.ts';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PASSWORD = 'slapd-Root-pw1';

export interface SeedUser {
  uid: string;
  password: string;
  cn?: string;
  sn?: string;
  mail?: string;
  givenName?: string;
  /** Active Directory's attributes, on the test schema's auxiliary class `user` (see AD_LIKE_SCHEMA). */
  ad?: { sAMAccountName: string; userPrincipalName?: string; userAccountControl: number; objectGUID: Buffer };
}

/**
 * The few Active Directory attributes the AD mode reads, with matching rules so OpenLDAP can search them
 * (Debian's msuser.schema has none). Test-only OIDs; an auxiliary class named `user` as AD's structural one.
 */
const AD_LIKE_SCHEMA = [
  "attributetype ( 1.3.6.1.4.1.99999.1.1 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
  "attributetype ( 1.3.6.1.4.1.99999.1.2 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )",
  "attributetype ( 1.3.6.1.4.1.99999.1.3 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )",
  "attributetype ( 1.3.6.1.4.1.99999.1.4 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
  "objectclass ( 1.3.6.1.4.1.99999.2.1 NAME 'user' SUP top AUXILIARY MAY ( sAMAccountName $ userAccountControl $ objectGUID $ userPrincipalName ) )",
].join('\n');

export interface SeedGroup {
  cn: string;
  members: string[];
}

export function slapdAvailable(): boolean {
  return existsSync(SLAPD) && existsSync(SLAPADD) && existsSync(join(SCHEMA_DIR, 'inetorgperson.schema'));
}

/** RFC 2307 {SSHA}: base64(SHA-1(password + salt) + salt). */
export function sshaOf(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function ldifOf(users: SeedUser[], groups: SeedGroup[]): string {
  const blocks = [
    `dn: ${SUFFIX}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups`,
  ];
  for (const u of users) {
    const lines = [`dn: uid=${u.uid},${PEOPLE}`, 'objectClass: inetOrgPerson', `uid: ${u.uid}`, `cn: ${u.cn ?? u.uid}`, `sn: ${u.sn ?? u.uid}`, `userPassword: ${sshaOf(u.password)}`];
    if (u.mail) lines.push(`mail: ${u.mail}`);
    if (u.givenName) lines.push(`givenName: ${u.givenName}`);
    if (u.ad) {
      lines.push('objectClass: user', `sAMAccountName: ${u.ad.sAMAccountName}`, `userAccountControl: ${u.ad.userAccountControl}`, `objectGUID:: ${u.ad.objectGUID.toString('base64')}`);
      if (u.ad.userPrincipalName) lines.push(`userPrincipalName: ${u.ad.userPrincipalName}`);
    }
    blocks.push(lines.join('\n'));
  }
  for (const g of groups) blocks.push([`dn: cn=${g.cn},${GROUPS}`, 'objectClass: groupOfNames', `cn: ${g.cn}`, ...g.members.map((m) => `member: uid=${m},${PEOPLE}`)].join('\n'));
  return blocks.join('\n\n') + '\n';
}

export class Slapd {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Writes the config, seeds the database offline and starts slapd. */
  static async start(seed: { users?: SeedUser[]; groups?: SeedGroup[] } = {}): Promise<Slapd> {
    const dir = mkdtempSync(join(tmpdir(), 'pcs-slapd-'));
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'ad-like.schema'), AD_LIKE_SCHEMA + '\n');
    const conf = [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
      `include ${join(dir, 'ad-like.schema')}`,
      `modulepath ${MODULE_DIR}`,
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      'password-hash {SSHA}',
      'sizelimit unlimited',
      'database mdb',
      'maxsize 104857600',
      `suffix "${SUFFIX}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PASSWORD}`,
      `directory ${join(dir, 'db')}`,
      'index objectClass,uid,mail eq',
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by * read',
    ].join('\n');
    writeFileSync(join(dir, 'slapd.conf'), conf + '\n');
    writeFileSync(join(dir, 'seed.ldif'), ldifOf(seed.users ?? [], seed.groups ?? []));
    const added = spawnSync(SLAPADD, ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'seed.ldif')], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`slapadd failed: ${added.stderr}`);
    const slapd = new Slapd(dir, await freePort());
    await slapd.resume();
    return slapd;
  }

  /** Starts slapd (again) on the same port with the same data. */
  async resume(): Promise<void> {
    if (this.child) return;
    const child = spawn(SLAPD, ['-d', '0', '-h', `${this.url}/`, '-f', join(this.dir, 'slapd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + 10_000;
    while (!(await accepting(this.port))) {
      if (child.exitCode !== null || Date.now() > until) {
        this.child = undefined;
        throw new Error(`slapd did not start: ${stderr.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Stops slapd by its own pid and waits for it to exit; the data stays for resume(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Stops slapd and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Settings of an LDAP store on this slapd, bound as its rootdn, users under ou=people. */
export function ldapStoreSettings(slapd: { url: string }, overrides: Partial<LdapStoreSettings> = {}): LdapStoreSettings {
  return {
    kind: 'ldap',
    domain: 'LDAP',
    tenant: 'carbon.super',
    url: slapd.url,
    bindDn: ROOT_DN,
    bindPassword: ROOT_PASSWORD,
    startTls: false,
    tlsCaFile: '',
    userSearchBase: PEOPLE,
    usernameAttribute: 'uid',
    usernameSearchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
    userListFilter: '(objectClass=inetOrgPerson)',
    idAttribute: 'entryUUID',
    objectClasses: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
    attributes: { mail: 'mail', givenName: 'givenName' },
    readOnly: false,
    poolSize: 4,
    connectTimeoutMs: 1000,
    operationTimeoutMs: 2000,
    maxSearchResults: 1000,
    ...overrides,
  };
}

type TomlValue = string | number | boolean | Record<string, string>;

function tomlValue(v: TomlValue): string {
  if (typeof v === 'object') return `{ ${Object.entries(v).map(([k, s]) => `${k} = ${JSON.stringify(s)}`).join(', ')} }`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * A `[[user_store]]` table of deployment.toml for an LDAP store on this slapd, bound as its rootdn, whose
 * password is read from $PCS_TEST_SLAPD_PW (set it to ROOT_PASSWORD); `fields` add or override keys.
 */
export function ldapStoreToml(slapd: { url: string }, fields: Record<string, TomlValue> = {}): string {
  const all: Record<string, TomlValue> = { type: 'ldap', domain: 'LDAP', connection_url: slapd.url, connection_name: ROOT_DN, user_search_base: PEOPLE, ...fields };
  // $env{...} is the config loader's own substitution: written as is, not as a JSON string with escapes.
  return ['[[user_store]]', ...Object.entries(all).map(([k, v]) => `${k} = ${tomlValue(v)}`), 'connection_password = "$env{PCS_TEST_SLAPD_PW}"', ''].join('\n');
}
