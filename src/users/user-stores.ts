// Which user stores a tenant has, in lookup order: PRIMARY first, then secondary stores. A name without
// a domain is looked up in each store in turn, as WSO2 does.
import { AppError } from '../errors/app-error.ts';
import { PRIMARY_DOMAIN } from './qualified-name.ts';
import type { UserStore } from './user-store.ts';

export class UserStoreRegistry {
  private readonly secondary = new Map<string, UserStore[]>();

  constructor(private readonly primary: UserStore) {}

  /** Adds a secondary store for one tenant (by tenant id). */
  addSecondary(tenantId: string, store: UserStore): void {
    if (store.domain === PRIMARY_DOMAIN) throw new Error('PRIMARY is reserved for the primary user store');
    const list = this.secondary.get(tenantId) ?? [];
    this.secondary.set(tenantId, [...list.filter((s) => s.domain !== store.domain), store]);
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
}
