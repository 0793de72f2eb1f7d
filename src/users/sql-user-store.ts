// A user store in our own database: the PRIMARY store of every tenant, and any secondary store of type
// "sql" that lives in the same database under its own domain name.
import { randomUUID } from 'node:crypto';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { sql } from 'kysely';
import { AppError } from '../errors/app-error.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { prepared } from '../storage/prepared.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { dummyHashFor, type PasswordHasher } from './password-hash.ts';
import { USERNAME_ATTRIBUTE, type AttributeCondition, type UserFilter } from './user-filter.ts';
import type { FullUserStore, ListQuery, NewUser, PasswordCandidate, StoreCapabilities, StoreHealth, UserPage, UserRecord } from './user-store.ts';

type Row = Database['users'];
type Eb = ExpressionBuilder<Database, 'users'>;

const USER_COLUMNS = ['id', 'tenant_id', 'store_domain', 'username', 'created_at', 'updated_at'] as const;
type UserColumns = Pick<Row, (typeof USER_COLUMNS)[number]>;
type Lookup = { tenantId: string; domain: string };
const inStore = (db: Kysely<Database>, p: (name: 'tenantId' | 'domain') => string) =>
  db.selectFrom('users').select(USER_COLUMNS).where('tenant_id', '=', p('tenantId')).where('store_domain', '=', p('domain'));
// Each login step reads its user with one of these (src/storage/prepared.ts).
const findUserById = prepared<Lookup & { id: string }, UserColumns>((db, p) => inStore(db, p).where('id', '=', p('id')));
const findUserByName = prepared<Lookup & { key: string }, UserColumns>((db, p) => inStore(db, p).where('username_key', '=', p('key')));
const findUserWithHash = prepared<Lookup & { key: string }, UserColumns & Pick<Row, 'password_hash'>>((db, p) => inStore(db, p).select('password_hash').where('username_key', '=', p('key')));

function toRecord(row: UserColumns): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    storeDomain: row.store_domain,
    username: row.username,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

// LIKE patterns escape with '!', which means the same in SQLite, PostgreSQL and MySQL (a backslash does not).
function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const v = value.toLowerCase().replace(/[!%_]/g, '!$&');
  return op === 'co' ? `%${v}%` : op === 'sw' ? `${v}%` : `%${v}`;
}

function compare(column: Expression<string>, cond: AttributeCondition): Expression<SqlBool> {
  const lowered = sql<string>`lower(${column})`;
  switch (cond.op) {
    case 'eq':
    case 'ne':
      return sql<SqlBool>`${lowered} = ${cond.value.toLowerCase()}`;
    case 'pr':
      return sql<SqlBool>`1 = 1`;
    default:
      return sql<SqlBool>`${lowered} like ${likePattern(cond.op, cond.value)} escape '!'`;
  }
}

function condition(eb: Eb, cond: AttributeCondition): Expression<SqlBool> {
  if (cond.attribute === USERNAME_ATTRIBUTE) {
    if (cond.op === 'pr') return sql<SqlBool>`1 = 1`;
    const test = compare(eb.ref('users.username'), cond);
    return cond.op === 'ne' ? eb.not(test) : test;
  }
  const exists = eb.exists(
    eb
      .selectFrom('user_attributes as ua')
      .select('ua.user_id')
      .whereRef('ua.user_id', '=', 'users.id')
      .where('ua.name', '=', cond.attribute)
      .where((inner) => compare(inner.ref('ua.value'), cond)),
  );
  return cond.op === 'ne' ? eb.not(exists) : exists;
}

function toWhere(eb: Eb, filter: UserFilter): Expression<SqlBool> {
  if (filter.kind === 'condition') return condition(eb, filter);
  const parts = filter.filters.map((f) => toWhere(eb, f));
  return filter.kind === 'and' ? eb.and(parts) : eb.or(parts);
}

export class SqlUserStore implements FullUserStore {
  readonly capabilities: StoreCapabilities = { verifyPassword: true, list: true, write: true };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly hasher: PasswordHasher,
    readonly domain: string,
    private readonly clock: Clock,
  ) {}

  async health(): Promise<StoreHealth> {
    try {
      await sql`select 1`.execute(this.db);
      return { status: 'UP' };
    } catch {
      return { status: 'DOWN', reason: 'the identity database does not answer' };
    }
  }

  /** The identity database belongs to storage, which closes it. */
  async close(): Promise<void> {}

  async findByName(tenantId: string, username: string): Promise<UserRecord | undefined> {
    const row = (await findUserByName(this.db, { tenantId, domain: this.domain, key: username.toLowerCase() })).rows[0];
    return row && toRecord(row);
  }

  async findById(tenantId: string, id: string): Promise<UserRecord | undefined> {
    const row = (await findUserById(this.db, { tenantId, domain: this.domain, id })).rows[0];
    return row && toRecord(row);
  }

  async verifyPassword(tenantId: string, username: string, password: string): Promise<UserRecord | undefined> {
    return this.verifyRow(await this.withHash(tenantId, username), password);
  }

  async findForPassword(tenantId: string, username: string): Promise<PasswordCandidate | undefined> {
    const row = await this.withHash(tenantId, username);
    return row && { user: toRecord(row), verify: (password) => this.verifyRow(row, password) };
  }

  private async withHash(tenantId: string, username: string) {
    return (await findUserWithHash(this.db, { tenantId, domain: this.domain, key: username.toLowerCase() })).rows[0];
  }

  private async verifyRow(row: Awaited<ReturnType<SqlUserStore['withHash']>>, password: string): Promise<UserRecord | undefined> {
    // Hash even when there is no user, so response time does not reveal which user names exist.
    const stored = row?.password_hash ?? (await dummyHashFor(this.hasher));
    const ok = await this.hasher.verify(stored, password);
    if (!row || !row.password_hash || !ok) return undefined;
    if (this.hasher.needsRehash(row.password_hash)) {
      await this.db.updateTable('users').set({ password_hash: await this.hasher.hash(password) }).where('id', '=', row.id).execute();
    }
    return toRecord(row);
  }

  async create(tenantId: string, user: NewUser): Promise<UserRecord> {
    const now = this.clock.now();
    const row: Row = {
      id: randomUUID(),
      tenant_id: tenantId,
      store_domain: this.domain,
      username: user.username,
      username_key: user.username.toLowerCase(),
      password_hash: user.passwordHash ?? (await this.hasher.hash(user.password)),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(row).execute();
        const attrs = Object.entries(user.attributes ?? {}).map(([name, value]) => ({ user_id: row.id, name, value }));
        if (attrs.length > 0) await trx.insertInto('user_attributes').values(attrs).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('USR-40901');
      throw err;
    }
    return toRecord(row);
  }

  async setPassword(user: UserRecord, password: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: await this.hasher.hash(password), updated_at: this.clock.now() })
      .where('id', '=', user.id)
      .execute();
  }

  async delete(user: UserRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_attributes').where('user_id', '=', user.id).execute();
      await trx.deleteFrom('users').where('id', '=', user.id).execute();
    });
  }

  async getAttributes(user: UserRecord, names?: readonly string[]): Promise<Record<string, string>> {
    if (names && names.length === 0) return {};
    let q = this.db.selectFrom('user_attributes').select(['name', 'value']).where('user_id', '=', user.id);
    if (names) q = q.where('name', 'in', [...names]);
    const rows = await q.execute();
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  async getAttributesOfMany(users: readonly UserRecord[], names: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>(users.map((u) => [u.id, {}]));
    if (users.length === 0 || names.length === 0) return out;
    const rows = await this.db
      .selectFrom('user_attributes')
      .select(['user_id', 'name', 'value'])
      .where('user_id', 'in', users.map((u) => u.id))
      .where('name', 'in', [...names])
      .execute();
    for (const r of rows) out.get(r.user_id)![r.name] = r.value;
    return out;
  }

  async setAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      // Delete-then-insert is an upsert that reads the same on all three engines.
      await trx.deleteFrom('user_attributes').where('user_id', '=', user.id).where('name', 'in', entries.map(([n]) => n)).execute();
      const rows = entries.filter(([, v]) => v !== null).map(([name, value]) => ({ user_id: user.id, name, value: value as string }));
      if (rows.length > 0) await trx.insertInto('user_attributes').values(rows).execute();
      await trx.updateTable('users').set({ updated_at: this.clock.now() }).where('id', '=', user.id).execute();
    });
  }

  async list(tenantId: string, query: ListQuery): Promise<UserPage> {
    const filtered = this.db
      .selectFrom('users')
      .where('tenant_id', '=', tenantId)
      .where('store_domain', '=', this.domain)
      .$if(query.filter !== undefined, (q) => q.where((eb) => toWhere(eb, query.filter!)));
    const [{ total }] = (await filtered.select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
    const rows = await filtered
      .select(['id', 'tenant_id', 'store_domain', 'username', 'created_at', 'updated_at'])
      .orderBy('username_key')
      .orderBy('id')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    return { total: Number(total), users: rows.map(toRecord) };
  }

  async deleteTenant(tenantId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const ids = trx.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('store_domain', '=', this.domain);
      await trx.deleteFrom('user_attributes').where('user_id', 'in', ids).execute();
      await trx.deleteFrom('users').where('tenant_id', '=', tenantId).where('store_domain', '=', this.domain).execute();
    });
  }
}
