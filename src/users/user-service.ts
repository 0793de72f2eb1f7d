// Users across a tenant's stores: name resolution (DOMAIN/name@tenant), authentication, lifecycle, listing.
// Identity data kept outside the store (identity claims, lock counters) is removed with the user.
import type { Kysely } from 'kysely';
import { AppError } from '../errors/app-error.ts';
import type { Database } from '../storage/schema.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { checkPassword } from './password-policy.ts';
import { isValidUsername, parseQualifiedName, PRIMARY_DOMAIN } from './qualified-name.ts';
import type { UserFilter } from './user-filter.ts';
import type { UserPage, UserRecord, UserStore } from './user-store.ts';
import type { UserStoreRegistry } from './user-stores.ts';

export interface CreateUserInput {
  /** `name` or `DOMAIN/name`; a tenant suffix must match the tenant. */
  username: string;
  password: string;
  attributes?: Record<string, string>;
}

/** A filter per user store, by store domain. */
export type StoreFilter = (storeDomain: string) => UserFilter | undefined;

export class UserService {
  constructor(
    private readonly db: Kysely<Database>,
    readonly registry: UserStoreRegistry,
  ) {}

  /** Splits a typed name; a tenant suffix other than this tenant's means "not in this tenant". */
  private parse(tenant: Tenant, name: string): { stores: UserStore[]; username: string } | undefined {
    const q = parseQualifiedName(name);
    if (q.tenantDomain !== undefined && q.tenantDomain !== tenant.domain) return undefined;
    const stores = q.storeDomain ? [this.registry.storeOf(tenant.id, q.storeDomain)] : this.registry.storesOf(tenant.id);
    return { stores, username: q.username };
  }

  async find(tenant: Tenant, name: string): Promise<UserRecord | undefined> {
    const p = this.parse(tenant, name);
    if (!p) return undefined;
    for (const store of p.stores) {
      const user = await store.findByName(tenant.id, p.username);
      if (user) return user;
    }
    return undefined;
  }

  async findById(tenant: Tenant, id: string): Promise<UserRecord | undefined> {
    for (const store of this.registry.storesOf(tenant.id)) {
      const user = await store.findById(tenant.id, id);
      if (user) return user;
    }
    return undefined;
  }

  async require(tenant: Tenant, id: string): Promise<UserRecord> {
    const user = await this.findById(tenant, id);
    if (!user) throw new AppError('USR-40401');
    return user;
  }

  /** The user when name and password match; undefined otherwise, without saying which part was wrong. */
  async authenticate(tenant: Tenant, name: string, password: string): Promise<UserRecord | undefined> {
    const p = this.parse(tenant, name);
    if (!p || password.length === 0) return undefined;
    for (const store of p.stores) {
      const user = await store.verifyPassword(tenant.id, p.username, password);
      if (user) return user;
    }
    return undefined;
  }

  async create(tenant: Tenant, input: CreateUserInput, options: { enforcePolicy?: boolean } = {}): Promise<UserRecord> {
    const q = parseQualifiedName(input.username);
    if (q.tenantDomain !== undefined && q.tenantDomain !== tenant.domain) {
      throw new AppError('USR-40001', { description: 'The user name names another tenant.' });
    }
    if (!isValidUsername(q.username)) throw new AppError('USR-40001');
    const store = this.registry.storeOf(tenant.id, q.storeDomain ?? PRIMARY_DOMAIN);
    if (store.readOnly) throw new AppError('USR-40004');
    if (options.enforcePolicy !== false) checkPassword(input.password, q.username);
    return store.create(tenant.id, { username: q.username, password: input.password, attributes: input.attributes ?? {} });
  }

  async setPassword(user: UserRecord, password: string, options: { enforcePolicy?: boolean } = {}): Promise<void> {
    const store = this.registry.storeOf(user.tenantId, user.storeDomain);
    if (store.readOnly) throw new AppError('USR-40004');
    if (options.enforcePolicy !== false) checkPassword(password, user.username);
    await store.setPassword(user, password);
  }

  async delete(user: UserRecord): Promise<void> {
    const store = this.registry.storeOf(user.tenantId, user.storeDomain);
    if (store.readOnly) throw new AppError('USR-40004');
    await store.delete(user);
    await this.db.deleteFrom('identity_claims').where('user_id', '=', user.id).execute();
    await this.db.deleteFrom('totp_credentials').where('user_id', '=', user.id).execute();
    await this.db.deleteFrom('user_security').where('user_id', '=', user.id).execute();
  }

  storeOf(user: UserRecord): UserStore {
    return this.registry.storeOf(user.tenantId, user.storeDomain);
  }

  /**
   * One page over all of the tenant's stores, in store order, then by user name. The filter is either one
   * filter for every store or a function giving each store (by domain) its own, since each store maps claims
   * to its own attribute names.
   */
  async list(tenant: Tenant, query: { filter?: UserFilter | StoreFilter; offset: number; limit: number; domain?: string }): Promise<UserPage> {
    const stores = query.domain ? [this.registry.storeOf(tenant.id, query.domain)] : this.registry.storesOf(tenant.id);
    let skip = query.offset;
    let want = query.limit;
    let total = 0;
    const users: UserRecord[] = [];
    for (const store of stores) {
      const filter = typeof query.filter === 'function' ? query.filter(store.domain) : query.filter;
      const page = await store.list(tenant.id, { filter, offset: skip, limit: Math.max(want, 0) });
      total += page.total;
      users.push(...page.users);
      want -= page.users.length;
      skip = Math.max(0, skip - page.total);
    }
    return { total, users };
  }
}
