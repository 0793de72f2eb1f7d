// Which user stores a tenant has, in lookup order: PRIMARY first, then secondary stores. A name without
// a domain is looked up in each store in turn, as WSO2 does. Stores declared in deployment.toml name their
// tenant by domain (tenant ids are made at run time); `bind` attaches them once the tenant is known.
import { AppError } from '../errors/app-error.ts';
import { PRIMARY_DOMAIN } from './qualified-name.ts';
import type { StoreHealth, UserStore } from './user-store.ts';

export interface StoreStatus extends StoreHealth {
  domain: string;
  /** Tenant domain for declared stores; undefined for PRIMARY (every tenant's). */
  tenant?: string;
}

export class UserStoreRegistry {
  private readonly secondary = new Map<string, UserStore[]>();
  private readonly declared = new Map<string, UserStore[]>();
  private readonly bound = new Set<string>();

  constructor(readonly primary: UserStore) {}

  /** Adds a secondary store for one tenant (by tenant id). */
  addSecondary(tenantId: string, store: UserStore): void {
    if (store.domain === PRIMARY_DOMAIN) throw new Error('PRIMARY is reserved for the primary user store');
    const list = this.secondary.get(tenantId) ?? [];
    this.secondary.set(tenantId, [...list.filter((s) => s.domain !== store.domain), store]);
  }

  /** Adds a secondary store for a tenant known by domain (from the config); attached by bind(). */
  declare(tenantDomain: string, store: UserStore): void {
    if (store.domain === PRIMARY_DOMAIN) throw new Error('PRIMARY is reserved for the primary user store');
    const list = this.declared.get(tenantDomain) ?? [];
    if (list.some((s) => s.domain === store.domain)) throw new Error(`user store ${store.domain} is declared twice for ${tenantDomain}`);
    this.declared.set(tenantDomain, [...list, store]);
  }

  /** Attaches the stores declared for this tenant's domain; cheap after the first call. */
  bind(tenant: { id: string; domain: string }): void {
    if (this.bound.has(tenant.id)) return;
    this.bound.add(tenant.id);
    for (const store of this.declared.get(tenant.domain) ?? []) this.addSecondary(tenant.id, store);
  }

  storesOf(tenantId: string): UserStore[] {
    return [this.primary, ...(this.secondary.get(tenantId) ?? [])];
  }

  /** The store with this domain (case-insensitive), or AppError USR-40003. */
  storeOf(tenantId: string, domain: string): UserStore {
    const upper = domain.toUpperCase();
    const store = this.storesOf(tenantId).find((s) => s.domain === upper);
    if (!store) throw new AppError('USR-40003');
    return store;
  }

  /** Every store once: PRIMARY, then the declared ones, then ones added by tenant id (tests). */
  all(): { store: UserStore; tenant?: string }[] {
    const out: { store: UserStore; tenant?: string }[] = [{ store: this.primary }];
    const seen = new Set<UserStore>([this.primary]);
    const add = (store: UserStore, tenant?: string) => {
      if (seen.has(store)) return;
      seen.add(store);
      out.push(tenant ? { store, tenant } : { store });
    };
    for (const [tenant, stores] of this.declared) for (const store of stores) add(store, tenant);
    for (const stores of this.secondary.values()) for (const store of stores) add(store);
    return out;
  }

  /** Health of every store, asked in parallel; a store that throws counts as DOWN. */
  async health(): Promise<StoreStatus[]> {
    return Promise.all(
      this.all().map(async ({ store, tenant }) => {
        const h = await store.health().catch(() => ({ status: 'DOWN' as const, reason: 'health check failed' }));
        return { domain: store.domain, ...(tenant ? { tenant } : {}), ...h };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.all().map(({ store }) => store.close()));
  }
}
