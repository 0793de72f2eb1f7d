// Which user stores a tenant has, in lookup order: PRIMARY first, then secondary stores. A name without
// a domain is looked up in each store in turn, as WSO2 does. Stores declared in deployment.toml name their
// tenant by domain (tenant ids are made at run time); `bind` attaches them once the tenant is known. Stores a
// tenant admin adds at run time (store-definitions.ts) come last, replaced as a set by `replaceDefined` when a
// node sees that the tenant's definitions changed; `sync` asks that source (at most every few seconds).
import { AppError } from '../errors/app-error.ts';
import { PRIMARY_DOMAIN } from './qualified-name.ts';
import type { StoreHealth, UserStore } from './user-store.ts';

export interface StoreStatus extends StoreHealth {
  domain: string;
  /** Tenant domain for declared stores; undefined for PRIMARY (every tenant's). */
  tenant?: string;
}

/** The stores added at run time for one tenant, with the fingerprint of the definitions they were built from. */
export interface DefinedStores {
  tenantDomain: string;
  fingerprint: string;
  stores: UserStore[];
}

export class UserStoreRegistry {
  private readonly secondary = new Map<string, UserStore[]>();
  private readonly declared = new Map<string, UserStore[]>();
  private readonly bound = new Set<string>();
  private readonly defined = new Map<string, DefinedStores>();
  private source: ((tenant: { id: string; domain: string }) => Promise<void>) | undefined;

  constructor(readonly primary: UserStore) {}

  /** Where run-time stores come from (the definitions service); `sync` asks it. */
  useSource(source: (tenant: { id: string; domain: string }) => Promise<void>): void {
    this.source = source;
  }

  /** Attaches declared stores and brings run-time stores up to date (cheap: the source caches its check). */
  async sync(tenant: { id: string; domain: string }): Promise<void> {
    this.bind(tenant);
    await this.source?.(tenant);
  }

  definedOf(tenantId: string): DefinedStores | undefined {
    return this.defined.get(tenantId);
  }

  /** Replaces a tenant's run-time stores; a store not kept is closed (its pool or connections released). */
  replaceDefined(tenantId: string, next: DefinedStores): void {
    const before = this.defined.get(tenantId)?.stores ?? [];
    this.defined.set(tenantId, next);
    for (const store of before) if (!next.stores.includes(store)) void store.close().catch(() => {});
  }

  /** Domains the tenant has that are not run-time stores (PRIMARY, declared ones): those cannot be added or edited. */
  fixedDomains(tenant: { id: string; domain: string }): string[] {
    this.bind(tenant);
    return [this.primary.domain, ...(this.secondary.get(tenant.id) ?? []).map((s) => s.domain)];
  }

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
    return [this.primary, ...(this.secondary.get(tenantId) ?? []), ...(this.defined.get(tenantId)?.stores ?? [])];
  }

  /** The store with this domain (case-insensitive), or AppError USR-40003. */
  storeOf(tenantId: string, domain: string): UserStore {
    const upper = domain.toUpperCase();
    const store = this.storesOf(tenantId).find((s) => s.domain === upper);
    if (!store) throw new AppError('USR-40003');
    return store;
  }

  /** Every store once: PRIMARY, then the declared ones, then ones added by tenant id (tests), then run-time ones. */
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
    for (const { tenantDomain, stores } of this.defined.values()) for (const store of stores) add(store, tenantDomain);
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
