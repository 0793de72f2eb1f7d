// The OpenID Connect provider's storage on our database (table oidc_models, migration 014), so any node
// serves any request: the provider's Adapter interface, one adapter per tenant and model. Rows of another
// tenant are invisible to a tenant's provider. Expired rows read as absent and the sweeper deletes them.
import type { Kysely } from 'kysely';
import { deleteDueBatch } from '../../storage/purge.ts';
import type { DatabaseType } from '../../storage/database.ts';
import type { Database } from '../../storage/schema.ts';
import type { Clock } from '../../time/clock.ts';
import type { Adapter, AdapterPayload } from './provider.ts';

/** For models the provider stores without an expiry (none do today): a bound, so the sweeper still removes them. */
const DEFAULT_TTL_S = 14 * 24 * 3600;
/**
 * The models a revoked grant takes with it (what the provider's own adapters index by grant). An Interaction
 * carries its grant's id too, but it must outlive the grant: the provider revokes the old account's grant
 * while a login in that interaction is switching accounts, then resumes it.
 */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

export class OidcStore {
  constructor(
    private readonly storage: { db: Kysely<Database>; type: DatabaseType },
    private readonly clock: Clock,
  ) {}

  /** The provider's adapter factory for a tenant. */
  adapterFor(tenantId: string): (model: string) => Adapter {
    return (model) => new DatabaseAdapter(this.storage, this.clock, tenantId, model);
  }

  /** Deletes up to `limit` expired rows (the sweeper's task). */
  async purgeExpired(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.storage.db, { table: 'oidc_models', key: 'key', time: 'expires_at' }, now, limit);
  }
}

class DatabaseAdapter implements Adapter {
  constructor(
    private readonly storage: { db: Kysely<Database>; type: DatabaseType },
    private readonly clock: Clock,
    private readonly tenantId: string,
    private readonly model: string,
  ) {}

  /** Tenant in the key: the same id in two tenants is two rows, and no upsert crosses tenants. */
  private key(id: string): string {
    return `${this.tenantId}:${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const { db, type } = this.storage;
    const row = {
      key: this.key(id),
      tenant_id: this.tenantId,
      model: this.model,
      payload: JSON.stringify(payload),
      grant_id: GRANTABLE.has(this.model) && typeof payload.grantId === 'string' ? payload.grantId : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
      consumed_at: null,
      expires_at: this.clock.now() + (expiresIn ?? DEFAULT_TTL_S) * 1000,
    };
    const changes = { payload: row.payload, grant_id: row.grant_id, uid: row.uid, user_code: row.user_code, expires_at: row.expires_at };
    if (type === 'mysql') await db.insertInto('oidc_models').values(row).onDuplicateKeyUpdate(changes).execute();
    else await db.insertInto('oidc_models').values(row).onConflict((oc) => oc.column('key').doUpdateSet(changes)).execute();
  }

  private async findWhere(column: 'key' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.storage.db
      .selectFrom('oidc_models')
      .select(['payload', 'consumed_at', 'expires_at'])
      .where(column, '=', value)
      .where('model', '=', this.model)
      .where('tenant_id', '=', this.tenantId)
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= this.clock.now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // The provider refuses a consumed code or refresh token (and revokes its grant) when `consumed` is set.
    return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) };
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('key', this.key(id));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.storage.db.updateTable('oidc_models').set({ consumed_at: this.clock.now() }).where('key', '=', this.key(id)).where('tenant_id', '=', this.tenantId).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.storage.db.deleteFrom('oidc_models').where('key', '=', this.key(id)).where('tenant_id', '=', this.tenantId).execute();
  }

  /** Every model of the grant goes (codes, access and refresh tokens), whichever adapter is asked. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.storage.db.deleteFrom('oidc_models').where('grant_id', '=', grantId).where('tenant_id', '=', this.tenantId).execute();
  }
}
