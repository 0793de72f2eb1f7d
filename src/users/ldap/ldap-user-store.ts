// A secondary user store in an LDAP directory (OpenLDAP, 389 DS, ...) or Active Directory, through ldapts.
// Users are found under user_search_base with the configured filter (the name escaped per RFC 4515); a
// password is checked by binding as the user's DN; ids are `DOMAIN:entryUUID` (AD: `DOMAIN:objectGUID`), so
// a lookup by another store's id never reaches the directory. TOTP state, lock counters and sessions stay in
// Portcullis's database, so a read-only directory works. Listing is a bounded search sorted here.
// Round trips: every search brings the mapped attributes with the entry, and what it found is kept for
// ENTRY_TTL_MS in a per-store BoundedCache (by id and by name), so a login or a SCIM page that reads a user's
// claims several times asks the directory once. Our own writes drop the user's entries at once; a change made
// in the directory by someone else shows within ENTRY_TTL_MS. Password checks always bind.
import type { Client, Entry, Filter } from 'ldapts';
import { BoundedCache } from '../../cache/bounded-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Clock } from '../../time/clock.ts';
import type { FullUserStore, ListQuery, NewUser, StoreCapabilities, StoreHealth, UserPage, UserRecord } from '../user-store.ts';
import { LdapConnection, refusedChange } from './ldap-connection.ts';
import { escapeDnValue, guidBytes, guidText, ldapFilterOf, PASSWORD_MODIFY_OID, passwordModifyRequest, unicodePwd, userFilterFor } from './ldap-filter.ts';
import type { LdapStoreSettings } from './ldap-settings.ts';
import { ldapts } from './ldapts.ts';

/** userAccountControl's ACCOUNTDISABLE bit (AD). */
export const ACCOUNTDISABLE = 0x2;

/** How long a found entry (dn, record, mapped attributes) is reused: a short bound on staleness across requests. */
export const ENTRY_TTL_MS = 5000;
const ENTRY_CACHE_SIZE = 2000;

interface Found {
  dn: string;
  record: UserRecord;
  disabled: boolean;
  /** The mapped attributes (by Portcullis attribute name) read with the entry. */
  attributes: Record<string, string>;
}

function first(value: Entry[string] | undefined): string | Buffer | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function text(value: Entry[string] | undefined): string | undefined {
  const v = first(value);
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

/** Generalized time (createTimestamp) as epoch milliseconds; 0 when absent. */
function timeOf(value: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(value ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : 0;
}

export class LdapUserStore implements FullUserStore {
  readonly domain: string;
  readonly capabilities: StoreCapabilities;
  private readonly connection: LdapConnection;
  private readonly ad: boolean;
  /** Found entries by `id\0tenant\0id` and `name\0tenant\0lower-case name` (a miss is kept too). */
  private readonly entries: BoundedCache<string, Found | undefined>;
  /** Bumped by every write: a search that started before a write must not keep what it read. */
  private writes = 0;

  constructor(
    readonly settings: LdapStoreSettings,
    clock: Clock,
  ) {
    this.domain = settings.domain;
    this.ad = settings.kind === 'active_directory';
    this.capabilities = { verifyPassword: true, list: true, write: !settings.readOnly };
    this.connection = new LdapConnection(settings, clock);
    this.entries = new BoundedCache({ max: ENTRY_CACHE_SIZE, ttlMs: ENTRY_TTL_MS, clock });
  }

  private static idKey(tenantId: string, id: string): string {
    return `id\0${tenantId}\0${id}`;
  }

  private static nameKey(tenantId: string, username: string): string {
    return `name\0${tenantId}\0${username.toLowerCase()}`;
  }

  /** Keeps what a search found under its id and name (replacing older entries), unless a write came since it began. */
  private remember(found: Found, writesAtStart: number): Found {
    if (writesAtStart !== this.writes) return found;
    const { tenantId, id, username } = found.record;
    for (const key of [LdapUserStore.idKey(tenantId, id), LdapUserStore.nameKey(tenantId, username)]) {
      this.entries.delete(key);
      void this.entries.get(key, () => Promise.resolve(found));
    }
    return found;
  }

  /** Drops a user's entries after a write, so the next read asks the directory. */
  private forget(tenantId: string, user: { id?: string; username: string }): void {
    this.writes++;
    if (user.id) this.entries.delete(LdapUserStore.idKey(tenantId, user.id));
    this.entries.delete(LdapUserStore.nameKey(tenantId, user.username));
  }

  /** AD's objectGUID is 16 raw bytes: ldapts must hand it over as a Buffer, not decode it as UTF-8. */
  private get binary(): string[] {
    return this.ad ? [this.settings.idAttribute] : [];
  }

  /** The record's attributes and every mapped one, so one search answers both findBy* and getAttributes. */
  private get recordAttributes(): string[] {
    const record = [this.settings.usernameAttribute, this.settings.idAttribute, 'createTimestamp', 'modifyTimestamp', ...(this.ad ? ['whenCreated', 'whenChanged', 'userAccountControl'] : [])];
    return [...new Set([...record, ...Object.values(this.settings.attributes)])];
  }

  private rawId(id: string): string | undefined {
    return id.startsWith(`${this.domain}:`) ? id.slice(this.domain.length + 1) : undefined;
  }

  private found(tenantId: string, entry: Entry): Found | undefined {
    const username = text(entry[this.settings.usernameAttribute]);
    const rawId = first(entry[this.settings.idAttribute]);
    if (!username || rawId === undefined) return undefined;
    const id = Buffer.isBuffer(rawId) ? guidText(rawId) : rawId;
    const created = timeOf(text(entry.createTimestamp) ?? text(entry.whenCreated));
    const updated = timeOf(text(entry.modifyTimestamp) ?? text(entry.whenChanged)) || created;
    const control = Number(text(entry.userAccountControl) ?? 0);
    const disabled = this.ad && (control & ACCOUNTDISABLE) !== 0;
    // Attribute names in an entry come back as the directory spells them (mail, MAIL): match without case.
    const lower = new Map(Object.entries(entry).map(([k, v]) => [k.toLowerCase(), v] as const));
    const attributes = Object.fromEntries(
      Object.entries(this.settings.attributes).flatMap(([name, attr]) => {
        const v = text(lower.get(attr.toLowerCase()));
        return v === undefined ? [] : [[name, v]];
      }),
    );
    return {
      dn: entry.dn,
      disabled,
      attributes,
      record: { id: `${this.domain}:${id}`, tenantId, storeDomain: this.domain, username, createdAt: created, updatedAt: updated, ...(disabled ? { disabled: true } : {}) },
    };
  }

  private async searchOne(tenantId: string, filter: string | Filter): Promise<Found | undefined> {
    const writes = this.writes;
    const { searchEntries } = await this.connection.run((c) => c.search(this.settings.userSearchBase, { scope: 'sub', filter, attributes: this.recordAttributes, explicitBufferAttributes: this.binary, sizeLimit: 2 }));
    // Two entries for one name is a directory fault; refusing beats guessing which one signs in.
    if (searchEntries.length !== 1) return undefined;
    const found = this.found(tenantId, searchEntries[0]!);
    return found && this.remember(found, writes);
  }

  /** A cached entry is served only while the directory is not known to be down: an outage says so at once. */
  private async byName(tenantId: string, username: string): Promise<Found | undefined> {
    this.connection.ensureReachable();
    return this.entries.get(LdapUserStore.nameKey(tenantId, username), () => this.searchOne(tenantId, userFilterFor(this.settings.usernameSearchFilter, username)));
  }

  private async byId(tenantId: string, id: string): Promise<Found | undefined> {
    const raw = this.rawId(id);
    if (raw === undefined) return undefined;
    // A filter object, not text: ldapts would read \XX escapes of a GUID's bytes back as UTF-8 text.
    const value = this.ad ? guidBytes(raw) : raw;
    if (value === undefined) return undefined;
    this.connection.ensureReachable();
    const { AndFilter, EqualityFilter, FilterParser } = ldapts();
    const filter = new AndFilter({ filters: [FilterParser.parseString(this.settings.userListFilter), new EqualityFilter({ attribute: this.settings.idAttribute, value })] });
    return this.entries.get(LdapUserStore.idKey(tenantId, id), () => this.searchOne(tenantId, filter));
  }

  async findByName(tenantId: string, username: string): Promise<UserRecord | undefined> {
    if (username.length === 0) return undefined;
    return (await this.byName(tenantId, username))?.record;
  }

  async findById(tenantId: string, id: string): Promise<UserRecord | undefined> {
    return (await this.byId(tenantId, id))?.record;
  }

  /** Binds as the user; an unknown user, a wrong password and (AD) a disabled account answer alike. */
  async verifyPassword(tenantId: string, username: string, password: string): Promise<UserRecord | undefined> {
    if (password.length === 0 || username.length === 0) return undefined;
    const user = await this.byName(tenantId, username);
    if (!user || user.disabled) return undefined;
    return (await this.connection.bindAs(user.dn, password)) ? user.record : undefined;
  }

  /** From the entry found with the user (cached for ENTRY_TTL_MS), not a search of its own. */
  async getAttributes(user: UserRecord, names?: readonly string[]): Promise<Record<string, string>> {
    if (names?.length === 0 || user.storeDomain !== this.domain) return {};
    const found = await this.byId(user.tenantId, user.id);
    if (!found) return {};
    return Object.fromEntries(Object.entries(found.attributes).filter(([name]) => !names || names.includes(name)));
  }

  private async dnOf(user: UserRecord): Promise<string | undefined> {
    if (user.storeDomain !== this.domain) return undefined;
    return (await this.byId(user.tenantId, user.id))?.dn;
  }

  /** A write to the user's entry: directory refusals become USR-40005, and the cached entry is dropped. */
  private async write(user: UserRecord | { username: string }, tenantId: string, operation: (client: Client) => Promise<unknown>): Promise<void> {
    try {
      await this.connection.run(operation);
    } catch (err) {
      throw refusedChange(this.domain, err) ?? err;
    } finally {
      this.forget(tenantId, user);
    }
  }

  /**
   * Reads at most max_search_results entries (paged, 500 a page) and sorts them by name here, since LDAP
   * has no portable server-side sort with offsets; `total` is capped at that number.
   */
  async list(tenantId: string, query: ListQuery): Promise<UserPage> {
    const filter = query.filter ? `(&${this.settings.userListFilter}${ldapFilterOf(query.filter, this.settings.usernameAttribute, this.settings.attributes)})` : this.settings.userListFilter;
    const max = this.settings.maxSearchResults;
    const writes = this.writes;
    const entries = await this.connection.run(async (c: Client) => {
      const out: Entry[] = [];
      for await (const page of c.searchPaginated(this.settings.userSearchBase, { scope: 'sub', filter, attributes: this.recordAttributes, explicitBufferAttributes: this.binary, paged: { pageSize: Math.min(500, max) } })) {
        out.push(...page.searchEntries);
        if (out.length >= max) break;
      }
      return out.slice(0, max);
    });
    const found = entries.flatMap((e) => this.found(tenantId, e) ?? []);
    found.sort((a, b) => a.record.username.toLowerCase().localeCompare(b.record.username.toLowerCase()) || a.record.id.localeCompare(b.record.id));
    // The page's entries are kept, so reading its users' claims (a SCIM page) asks the directory nothing more;
    // only the page's, so a long listing does not push every other user out of the cache.
    const page = found.slice(query.offset, query.offset + query.limit).map((f) => this.remember(f, writes).record);
    return { total: found.length, users: page };
  }

  private attributeOf(name: string): string {
    const attr = this.settings.attributes[name];
    if (!attr) throw new AppError('USR-40004', { description: `The user store ${this.domain} keeps no attribute named ${name}.` });
    return attr;
  }

  async create(tenantId: string, user: NewUser): Promise<UserRecord> {
    if (await this.byName(tenantId, user.username)) throw new AppError('USR-40901');
    const s = this.settings;
    const rdn = this.ad ? `CN=${escapeDnValue(user.username)}` : `${s.usernameAttribute}=${escapeDnValue(user.username)}`;
    const dn = `${rdn},${s.userSearchBase}`;
    const entry: Record<string, string | string[]> = { objectClass: s.objectClasses, [s.usernameAttribute]: user.username, cn: user.username };
    if (!this.ad) entry.sn = user.username;
    for (const [name, value] of Object.entries(user.attributes ?? {})) entry[this.attributeOf(name)] = value;
    try {
      await this.write(user, tenantId, (c) => c.add(dn, entry));
    } catch (err) {
      if ((err as { code?: unknown }).code === 68) throw new AppError('USR-40901');
      throw err;
    }
    await this.writePassword(dn, user.password, user, tenantId);
    const created = await this.byName(tenantId, user.username);
    if (!created) throw new Error(`user store ${this.domain}: the new entry was not found under the search base`);
    return created.record;
  }

  /** LDAP: the Password Modify operation, so the directory hashes with its own scheme. AD: unicodePwd. */
  private async writePassword(dn: string, password: string, user: UserRecord | { username: string }, tenantId: string): Promise<void> {
    if (!this.ad) {
      await this.write(user, tenantId, (c) => c.exop(PASSWORD_MODIFY_OID, passwordModifyRequest(dn, password)));
      return;
    }
    if (!this.connection.secure) throw new AppError('USR-40004', { description: `Active Directory accepts password changes only over LDAPS or StartTLS; the user store ${this.domain} uses neither.` });
    const { Attribute, Change } = ldapts();
    const changes = [new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }) })];
    await this.write(user, tenantId, (c) => c.modify(dn, changes));
  }

  async setPassword(user: UserRecord, password: string): Promise<void> {
    const dn = await this.dnOf(user);
    if (dn) await this.writePassword(dn, password, user, user.tenantId);
  }

  async delete(user: UserRecord): Promise<void> {
    const dn = await this.dnOf(user);
    if (dn) await this.write(user, user.tenantId, (c) => c.del(dn));
  }

  async setAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    const { Attribute, Change } = ldapts();
    const changes = entries.map(([name, value]) =>
      value === null
        ? new Change({ operation: 'replace', modification: new Attribute({ type: this.attributeOf(name), values: [] }) })
        : new Change({ operation: 'replace', modification: new Attribute({ type: this.attributeOf(name), values: [value] }) }),
    );
    const dn = await this.dnOf(user);
    if (dn) await this.write(user, user.tenantId, (c) => c.modify(dn, changes));
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.connection.run((c) => c.search(this.settings.userSearchBase, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }), true);
      return { status: 'UP' };
    } catch (err) {
      const reason = err instanceof AppError ? (/\(([^)]+)\)/.exec(err.description)?.[1] ?? 'unavailable') : 'search failed';
      return { status: 'DOWN', reason };
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
