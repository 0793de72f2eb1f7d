// Tenants: a domain, an admin and an active flag. carbon.super exists from the first start. Lookups by
// domain are cached briefly, since every request resolves its tenant; the short TTL bounds how long another
// node may serve a tenant that was just deactivated. The cache is bounded, and a name that cannot be a tenant
// domain is refused before any lookup, so requests naming random tenants cannot grow it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { AppError } from '../errors/app-error.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { isValidTenantDomain, SUPER_TENANT_DOMAIN } from '../users/qualified-name.ts';

export interface Tenant {
  id: string;
  domain: string;
  active: boolean;
  adminUsername: string;
  createdAt: number;
}

type Row = Database['tenants'];

export interface TenantCacheOptions {
  ttlMs?: number;
  /** Entries by domain and by id together; misses for well-formed unknown domains count too. */
  max?: number;
}

function toTenant(row: Row): Tenant {
  return { id: row.id, domain: row.domain, active: row.active === 1, adminUsername: row.admin_username, createdAt: Number(row.created_at) };
}

export class TenantService {
  private readonly cache: BoundedCache<string, Tenant | undefined>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    options: TenantCacheOptions = {},
  ) {
    this.cache = new BoundedCache({ ttlMs: options.ttlMs ?? 5000, max: options.max ?? 2000, clock });
  }

  /** Cached entries (tests check the bound). */
  get cacheSize(): number {
    return this.cache.size;
  }

  isSuperTenant(tenant: Pick<Tenant, 'domain'>): boolean {
    return tenant.domain === SUPER_TENANT_DOMAIN;
  }

  // cached, findByDomain and findById hand on the cache's promise rather than wrap it in one of their own
  // (cache/bounded-cache.ts says why).
  private cached(column: 'domain' | 'id', key: string): Promise<Tenant | undefined> {
    return this.cache.get(`${column}:${key}`, async () => {
      const row = await this.db.selectFrom('tenants').selectAll().where(column, '=', key).executeTakeFirst();
      return row && toTenant(row);
    });
  }

  /** The tenant with this domain; undefined (without a lookup) for a name that cannot be a tenant domain. */
  findByDomain(domain: string): Promise<Tenant | undefined> {
    const key = domain.toLowerCase();
    if (!isValidTenantDomain(key)) return Promise.resolve(undefined);
    return this.cached('domain', key);
  }

  /** The active tenant with this domain, or AppError TNT-40401. */
  async requireActive(domain: string): Promise<Tenant> {
    const tenant = await this.findByDomain(domain);
    if (!tenant || !tenant.active) throw new AppError('TNT-40401');
    return tenant;
  }

  findById(id: string): Promise<Tenant | undefined> {
    return this.cached('id', id);
  }

  private forget(tenant: Pick<Tenant, 'domain' | 'id'>): void {
    this.cache.delete(`domain:${tenant.domain}`);
    this.cache.delete(`id:${tenant.id}`);
  }

  async list(offset: number, limit: number): Promise<{ total: number; tenants: Tenant[] }> {
    const [{ total }] = (await this.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('total')).execute()) as [{ total: number }];
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('domain').limit(limit).offset(offset).execute();
    return { total: Number(total), tenants: rows.map(toTenant) };
  }

  /** Inserts the tenant row only; provisioning (claims, admin user) is done by the caller. */
  async create(domain: string, adminUsername: string): Promise<Tenant> {
    const key = domain.toLowerCase();
    if (!isValidTenantDomain(key)) throw new AppError('TNT-40001');
    const row: Row = { id: randomUUID(), domain: key, active: 1, admin_username: adminUsername, created_at: this.clock.now() };
    try {
      await this.db.insertInto('tenants').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('TNT-40901');
      throw err;
    }
    // A miss cached for this domain (someone asked before it existed) must not hide the new tenant.
    this.forget(row);
    return toTenant(row);
  }

  async setActive(tenant: Tenant, active: boolean): Promise<Tenant> {
    await this.db.updateTable('tenants').set({ active: active ? 1 : 0 }).where('id', '=', tenant.id).execute();
    this.forget(tenant);
    return { ...tenant, active };
  }

  async delete(tenant: Tenant): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of ['identity_claims', 'totp_credentials', 'user_security', 'claims', 'claim_mappings', 'tenant_config', 'email_templates', 'applications', 'application_identifiers', 'auth_contexts', 'sso_sessions', 'audit_events', 'email_codes', 'registry_resources'] as const) {
        await trx.deleteFrom(table).where('tenant_id', '=', tenant.id).execute();
      }
      await trx.deleteFrom('tenants').where('id', '=', tenant.id).execute();
    });
    this.forget(tenant);
  }
}
