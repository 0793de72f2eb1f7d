// Per-tenant configuration resources: WSO2 keeps a tenant's authenticator settings in its registry
// (/_system/governance/totp/application-authentication.xml); we keep one JSON document per resource name.
// Unlike WSO2, a tenant document overrides the file parameter by parameter instead of replacing it wholesale.
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';

export class TenantConfigStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string, resource: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db
      .selectFrom('tenant_config')
      .select('value')
      .where('tenant_id', '=', tenantId)
      .where('resource', '=', resource)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as Record<string, unknown>) : undefined;
  }

  async put(tenantId: string, resource: string, value: Record<string, unknown>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('tenant_config').where('tenant_id', '=', tenantId).where('resource', '=', resource).execute();
      await trx.insertInto('tenant_config').values({ tenant_id: tenantId, resource, value: JSON.stringify(value), updated_at: this.clock.now() }).execute();
    });
  }

  async remove(tenantId: string, resource: string): Promise<void> {
    await this.db.deleteFrom('tenant_config').where('tenant_id', '=', tenantId).where('resource', '=', resource).execute();
  }
}
