// Logins in progress, kept in the database by sessionDataKey so that any node can serve any step. Every
// save is a compare-and-set on `version`: two tabs (or two nodes) cannot both advance the same login.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { AppError } from '../errors/app-error.ts';
import { prepared, preparedInsert } from '../storage/prepared.ts';
import { deleteDueBatch } from '../storage/purge.ts';
import type { AuthContextsTable, Database } from '../storage/schema.ts';
import type { FlowState } from './flow-state.ts';

export interface StoredContext {
  id: string;
  /** 0 until the first save writes the row. */
  version: number;
  state: FlowState;
  expiresAt: number;
  /** Set while the row is not written yet: what the first save inserts beside the state. */
  unwritten?: { nonceHash: string; createdAt: number };
}

/** 128 random bits, written like a UUID (WSO2's sessionDataKey looks like one). */
export function newContextId(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

// Every step of every login runs these (src/storage/prepared.ts).
const findRow = prepared<{ id: string }, Selectable<AuthContextsTable>>((db, p) => db.selectFrom('auth_contexts').selectAll().where('id', '=', p('id')));
const insertRow = preparedInsert('auth_contexts', ['id', 'tenant_id', 'nonce_hash', 'state', 'version', 'created_at', 'expires_at']);
const updateRow = prepared<{ id: string; state: string; version: number; next: number }, never>((db, p) =>
  db.updateTable('auth_contexts').set({ state: p('state'), version: p('next') }).where('id', '=', p('id')).where('version', '=', p('version')),
);
const deleteRow = prepared<{ id: string }, never>((db, p) => db.deleteFrom('auth_contexts').where('id', '=', p('id')));

export class ContextStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs: number,
  ) {}

  /**
   * A new login context. Nothing is written yet: the first save inserts the row, so a login that starts and
   * shows its first page costs one statement, not an insert and an update; one that ends at once (SSO) none.
   */
  create(id: string, nonce: string, state: FlowState, now: number): StoredContext {
    return { id, version: 0, state, expiresAt: now + this.ttlMs, unwritten: { nonceHash: sha256(nonce), createdAt: now } };
  }

  /**
   * The context, if it exists, has not expired and belongs to this browser (its nonce cookie matches).
   * Unknown, expired and foreign contexts are indistinguishable to the caller: PCS-40400.
   */
  async load(id: string, nonce: string | undefined, now: number): Promise<StoredContext> {
    const row = (await findRow(this.db, { id })).rows[0];
    if (!row || Number(row.expires_at) <= now || !nonce || row.nonce_hash !== sha256(nonce)) {
      throw new AppError('FLW-40401');
    }
    return { id: row.id, version: Number(row.version), state: JSON.parse(row.state) as FlowState, expiresAt: Number(row.expires_at) };
  }

  /** Saves a new state if nobody saved since `ctx` was loaded; otherwise FLW-40901. */
  async save(ctx: StoredContext, state: FlowState): Promise<StoredContext> {
    if (ctx.unwritten) {
      const { nonceHash, createdAt } = ctx.unwritten;
      await insertRow(this.db, { id: ctx.id, tenant_id: state.tenantId, nonce_hash: nonceHash, state: JSON.stringify(state), version: 1, created_at: createdAt, expires_at: ctx.expiresAt });
      return { id: ctx.id, version: 1, state, expiresAt: ctx.expiresAt };
    }
    const result = await updateRow(this.db, { id: ctx.id, state: JSON.stringify(state), version: ctx.version, next: ctx.version + 1 });
    if (Number(result.numAffectedRows) !== 1) throw new AppError('FLW-40901');
    return { ...ctx, version: ctx.version + 1, state };
  }

  async remove(ctx: Pick<StoredContext, 'id' | 'unwritten'>): Promise<void> {
    if (ctx.unwritten) return;
    await deleteRow(this.db, { id: ctx.id });
  }

  /** Deletes up to `limit` expired contexts (the sweeper's task); an expired context can no longer load anyway. */
  async purgeExpired(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.db, { table: 'auth_contexts', key: 'id', time: 'expires_at' }, now, limit);
  }
}
