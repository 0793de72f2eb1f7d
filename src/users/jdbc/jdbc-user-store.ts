// A secondary SQL user store ("JDBC", as WSO2 calls it) in a database of its own: PostgreSQL or MySQL/MariaDB,
// either tables Portcullis creates or an existing users table mapped column by column (jdbc-layout.ts).
// Users are `DOMAIN/name`; their ids are `DOMAIN:rawId`, unique across the tenant's stores, so a lookup by
// id for another store's user never touches this database. Existing hashes (bcrypt, PBKDF2, WSO2's salted
// SHA-256) are verified and, when the store is writable, replaced by argon2id at the next login.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { Clock } from '../../time/clock.ts';
import { dummyHashFor, type PasswordHasher } from '../password-hash.ts';
import type { FullUserStore, ListQuery, NewUser, StoreCapabilities, StoreHealth, UserPage, UserRecord } from '../user-store.ts';
import { JdbcConnection, refusedWrite, type AnyDatabase } from './jdbc-connection.ts';
import { whereOf } from './jdbc-filter.ts';
import { createManagedTables, MANAGED_ATTRIBUTES, MANAGED_USERS, managedLayout, mappedLayout, ref, table, type Layout, type Sql } from './jdbc-layout.ts';
import type { JdbcStoreSettings } from './jdbc-settings.ts';
import { hashFormat, verifyStoredPassword } from './legacy-hash.ts';

interface Row {
  id: unknown;
  username: string;
  password: string | null;
  salt: string | null;
  created_at: unknown;
  updated_at: unknown;
}

export class JdbcUserStore implements FullUserStore {
  readonly domain: string;
  readonly capabilities: StoreCapabilities;
  private readonly connection: JdbcConnection;
  private readonly layout: Layout;
  private ready: Promise<void> | undefined;

  constructor(
    readonly settings: JdbcStoreSettings,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {
    this.domain = settings.domain;
    this.capabilities = { verifyPassword: true, list: true, write: !settings.readOnly };
    this.connection = new JdbcConnection(settings, clock);
    this.layout = settings.mapped ? mappedLayout(settings.mapped) : managedLayout();
  }

  /** Runs an operation once the managed tables exist; a failed creation is retried on the next call. */
  private run<T>(operation: (db: Kysely<AnyDatabase>) => Promise<T>): Promise<T> {
    if (this.layout.managed && !this.ready) {
      this.ready = this.connection.run(createManagedTables).catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    }
    return (this.ready ?? Promise.resolve()).then(() => this.connection.run(operation));
  }

  private idOf(raw: unknown): string {
    return `${this.domain}:${String(raw)}`;
  }

  /** The raw id of one of our ids; undefined for another store's. */
  private rawId(id: string): string | undefined {
    return id.startsWith(`${this.domain}:`) ? id.slice(this.domain.length + 1) : undefined;
  }

  private record(tenantId: string, row: Row): UserRecord {
    return { id: this.idOf(row.id), tenantId, storeDomain: this.domain, username: row.username, createdAt: Number(row.created_at ?? 0), updatedAt: Number(row.updated_at ?? 0) };
  }

  private selectUsers(tenantId: string, where: Sql): Sql {
    const l = this.layout;
    const stamps = l.managed ? sql`u.created_at, u.updated_at` : sql`0 as created_at, 0 as updated_at`;
    const salt = l.salt ? ref(`u.${l.salt}`) : sql`null`;
    const tenant = l.managed ? sql` and u.tenant_id = ${tenantId}` : sql``;
    return sql`select ${ref(`u.${l.id}`)} as id, ${ref(`u.${l.username}`)} as username, ${ref(`u.${l.password}`)} as password, ${salt} as salt, ${stamps} from ${table(l.table)} u where ${where}${tenant}`;
  }

  private byName(username: string): Sql {
    return this.layout.managed ? sql`u.username_key = ${username.toLowerCase()}` : sql`lower(${ref(`u.${this.layout.username}`)}) = ${username.toLowerCase()}`;
  }

  private async one(tenantId: string, where: Sql): Promise<Row | undefined> {
    const { rows } = await this.run((db) => sql<Row>`${this.selectUsers(tenantId, where)}`.execute(db));
    return rows[0];
  }

  async findByName(tenantId: string, username: string): Promise<UserRecord | undefined> {
    const row = await this.one(tenantId, this.byName(username));
    return row && this.record(tenantId, row);
  }

  async findById(tenantId: string, id: string): Promise<UserRecord | undefined> {
    const raw = this.rawId(id);
    if (raw === undefined) return undefined;
    const row = await this.one(tenantId, sql`${ref(`u.${this.layout.id}`)} = ${raw}`);
    return row && this.record(tenantId, row);
  }

  async verifyPassword(tenantId: string, username: string, password: string): Promise<UserRecord | undefined> {
    const row = await this.one(tenantId, this.byName(username));
    // Hash even when there is no user or no password, so time does not reveal which names exist.
    const stored = row?.password || (await dummyHashFor(this.hasher));
    const ok = await verifyStoredPassword(this.hasher, stored, row?.salt ?? null, password);
    if (!row || !row.password || !ok) return undefined;
    if (this.capabilities.write && (hashFormat(row.password) !== 'argon2' || this.hasher.needsRehash(row.password))) {
      await this.writePassword(row.id, password);
    }
    return this.record(tenantId, row);
  }

  private async writePassword(rawId: unknown, password: string): Promise<void> {
    const l = this.layout;
    const hash = await this.hasher.hash(password);
    const salt = l.salt ? sql`, ${ref(l.salt)} = ${l.managed ? null : ''}` : sql``;
    const stamp = l.managed ? sql`, updated_at = ${this.clock.now()}` : sql``;
    await this.run((db) => sql`update ${table(l.table)} set ${ref(l.password)} = ${hash}${salt}${stamp} where ${ref(l.id)} = ${String(rawId)}`.execute(db));
  }

  async getAttributes(user: UserRecord, names?: readonly string[]): Promise<Record<string, string>> {
    if (names && names.length === 0) return {};
    const raw = this.rawId(user.id);
    if (raw === undefined) return {};
    if (this.layout.managed) {
      const filter = names ? sql` and name in (${sql.join([...names])})` : sql``;
      const { rows } = await this.run((db) => sql<{ name: string; value: string }>`select name, value from ${table(MANAGED_ATTRIBUTES)} where user_id = ${raw}${filter}`.execute(db));
      return Object.fromEntries(rows.map((r) => [r.name, r.value]));
    }
    const wanted = Object.entries(this.layout.columns).filter(([name]) => !names || names.includes(name));
    if (wanted.length === 0) return {};
    const columns = sql.join(wanted.map(([name, column]) => sql`${ref(column)} as ${sql.ref(name)}`));
    const { rows } = await this.run((db) => sql<Record<string, unknown>>`select ${columns} from ${table(this.layout.table)} where ${ref(this.layout.id)} = ${raw}`.execute(db));
    const row = rows[0] ?? {};
    return Object.fromEntries(wanted.flatMap(([name]) => (row[name] === null || row[name] === undefined ? [] : [[name, String(row[name])]])));
  }

  async list(tenantId: string, query: ListQuery): Promise<UserPage> {
    const where = query.filter ? whereOf(this.layout, query.filter) : sql`1 = 1`;
    const users = this.selectUsers(tenantId, where);
    const { rows: count } = await this.run((db) => sql<{ total: unknown }>`select count(*) as total from (${users}) t`.execute(db));
    const { rows } = await this.run((db) =>
      sql<Row>`${users} order by lower(${ref(`u.${this.layout.username}`)}), ${ref(`u.${this.layout.id}`)} limit ${query.limit} offset ${query.offset}`.execute(db),
    );
    return { total: Number(count[0]?.total ?? 0), users: rows.map((r) => this.record(tenantId, r)) };
  }

  async create(tenantId: string, user: NewUser): Promise<UserRecord> {
    const l = this.layout;
    const hash = await this.hasher.hash(user.password);
    if (await this.findByName(tenantId, user.username)) throw new AppError('USR-40901');
    const attributes = Object.entries(user.attributes ?? {});
    try {
      if (l.managed) {
        const id = randomUUID();
        const now = this.clock.now();
        await this.run((db) =>
          db.transaction().execute(async (trx) => {
            await sql`insert into ${table(l.table)} (id, tenant_id, username, username_key, password_hash, salt, created_at, updated_at) values (${id}, ${tenantId}, ${user.username}, ${user.username.toLowerCase()}, ${hash}, ${null}, ${now}, ${now})`.execute(trx);
            for (const [name, value] of attributes) await sql`insert into ${table(MANAGED_ATTRIBUTES)} (user_id, name, value) values (${id}, ${name}, ${value})`.execute(trx);
          }),
        );
      } else {
        const mapped = attributes.map(([name, value]) => [this.columnOf(name), value] as const);
        const columns = [ref(l.username), ref(l.password), ...(l.salt ? [ref(l.salt)] : []), ...mapped.map(([c]) => ref(c))];
        const values = [user.username, hash, ...(l.salt ? [''] : []), ...mapped.map(([, v]) => v)];
        await this.run((db) => sql`insert into ${table(l.table)} (${sql.join(columns)}) values (${sql.join(values)})`.execute(db));
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (/duplicate|unique/i.test(String((err as Error).message))) throw new AppError('USR-40901');
      throw refusedWrite(this.domain, err) ?? err;
    }
    const created = await this.findByName(tenantId, user.username);
    if (!created) throw new Error(`user store ${this.domain}: the new user was not found after insert`);
    return created;
  }

  private columnOf(name: string): string {
    const column = this.layout.columns[name];
    if (!column) throw new AppError('USR-40004', { description: `The user store ${this.domain} keeps no attribute named ${name}.` });
    return column;
  }

  async setPassword(user: UserRecord, password: string): Promise<void> {
    const raw = this.rawId(user.id);
    if (raw !== undefined) await this.writePassword(raw, password);
  }

  async delete(user: UserRecord): Promise<void> {
    const raw = this.rawId(user.id);
    if (raw === undefined) return;
    await this.run(async (db) => {
      if (this.layout.managed) await sql`delete from ${table(MANAGED_ATTRIBUTES)} where user_id = ${raw}`.execute(db);
      await sql`delete from ${table(this.layout.table)} where ${ref(this.layout.id)} = ${raw}`.execute(db);
    });
  }

  /** Sets attributes; a value the database refuses (too long, NULL in a required column) is USR-40005. */
  async setAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void> {
    try {
      await this.writeAttributes(user, values);
    } catch (err) {
      throw refusedWrite(this.domain, err) ?? err;
    }
  }

  private async writeAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void> {
    const raw = this.rawId(user.id);
    const entries = Object.entries(values);
    if (raw === undefined || entries.length === 0) return;
    if (!this.layout.managed) {
      const sets = entries.map(([name, value]) => sql`${ref(this.columnOf(name))} = ${value}`);
      await this.run((db) => sql`update ${table(this.layout.table)} set ${sql.join(sets)} where ${ref(this.layout.id)} = ${raw}`.execute(db));
      return;
    }
    const now = this.clock.now();
    await this.run((db) =>
      db.transaction().execute(async (trx) => {
        await sql`delete from ${table(MANAGED_ATTRIBUTES)} where user_id = ${raw} and name in (${sql.join(entries.map(([n]) => n))})`.execute(trx);
        for (const [name, value] of entries) if (value !== null) await sql`insert into ${table(MANAGED_ATTRIBUTES)} (user_id, name, value) values (${raw}, ${name}, ${value})`.execute(trx);
        await sql`update ${table(MANAGED_USERS)} set updated_at = ${now} where id = ${raw}`.execute(trx);
      }),
    );
  }

  async deleteTenant(tenantId: string): Promise<void> {
    if (!this.layout.managed) return;
    await this.run(async (db) => {
      await sql`delete from ${table(MANAGED_ATTRIBUTES)} where user_id in (select id from ${table(this.layout.table)} where tenant_id = ${tenantId})`.execute(db);
      await sql`delete from ${table(this.layout.table)} where tenant_id = ${tenantId}`.execute(db);
    });
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.connection.ping();
      return { status: 'UP' };
    } catch (err) {
      const reason = err instanceof AppError ? /\(([^)]+)\)/.exec(err.description)?.[1] ?? 'unavailable' : 'query failed';
      return { status: 'DOWN', reason };
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
