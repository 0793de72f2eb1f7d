// Users across a tenant's stores: name resolution (DOMAIN/name@tenant), authentication, lifecycle, listing.
// Identity data kept outside the store (identity claims, lock counters, TOTP) is removed with the user.
// Capabilities are asked through capabilities.ts; a write to a store that cannot write is USR-40004.
import type { Kysely } from 'kysely';
import { AppError } from '../errors/app-error.ts';
import type { Database } from '../storage/schema.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { canList, canVerify, writerOf } from './capabilities.ts';
import { checkPassword } from './password-policy.ts';
import { isValidUsername, parseQualifiedName, PRIMARY_DOMAIN } from './qualified-name.ts';
import { SqlUserStore } from './sql-user-store.ts';
import { isWso2Hash } from './wso2-password-hash.ts';
import type { UserFilter } from './user-filter.ts';
import type { PasswordCandidate, UserPage, UserRecord, UserStore } from './user-store.ts';
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

  /** The tenant's stores in lookup order (PRIMARY first), run-time ones brought up to date first. */
  async storesOf(tenant: Tenant): Promise<UserStore[]> {
    await this.registry.sync(tenant);
    return this.registry.storesOf(tenant.id);
  }

  /** Splits a typed name; a tenant suffix other than this tenant's means "not in this tenant". */
  private async parse(tenant: Tenant, name: string): Promise<{ stores: UserStore[]; username: string; qualified: boolean } | undefined> {
    const q = parseQualifiedName(name);
    if (q.tenantDomain !== undefined && q.tenantDomain !== tenant.domain) return undefined;
    const all = await this.storesOf(tenant);
    const stores = q.storeDomain ? [this.registry.storeOf(tenant.id, q.storeDomain)] : all;
    return { stores, username: q.username, qualified: q.storeDomain !== undefined };
  }

  /**
   * The user a typed name means. A bare name is looked up in every store: found in two, it is refused as
   * ambiguous (USR-40902) rather than guessed. A store that is down is skipped for bare names so other
   * stores keep working; if the name is found nowhere while a store was down, that store's USR-50301 is
   * thrown (the user may well be there). A qualified name (`JDBC/carol`) asks only its store.
   */
  async find(tenant: Tenant, name: string): Promise<UserRecord | undefined> {
    return this.lookup(tenant, name, (store, username) => store.findByName(tenant.id, username), (user) => user);
  }

  /**
   * The user a typed name means (as find), with the check of a password against what was read with it: one
   * read of the user where the store can (the SQL store reads the row with its hash), instead of find and then
   * verifyPassword reading the user again. For the one password policy (password-check.ts), used at once.
   */
  async findForPassword(tenant: Tenant, name: string): Promise<PasswordCandidate | undefined> {
    const candidateIn = async (store: UserStore, username: string): Promise<PasswordCandidate | undefined> => {
      if (canVerify(store) && store.findForPassword) {
        const found = await store.findForPassword(tenant.id, username);
        return found && { user: found.user, verify: async (password) => (password.length === 0 ? undefined : found.verify(password)) };
      }
      const user = await store.findByName(tenant.id, username);
      return user && { user, verify: (password) => this.verifyPassword(user, password) };
    };
    return this.lookup(tenant, name, candidateIn, (c) => c.user);
  }

  /** Name resolution shared by find and findForPassword: `byName` asks one store, `userOf` reads its answer. */
  private async lookup<T>(tenant: Tenant, name: string, byName: (store: UserStore, username: string) => Promise<T | undefined>, userOf: (found: T) => UserRecord): Promise<T | undefined> {
    const p = await this.parse(tenant, name);
    if (!p) return undefined;
    if (p.qualified) return byName(p.stores[0]!, p.username);
    const results = await Promise.all(
      p.stores.map((store) => byName(store, p.username).then((found) => ({ found }), (error: unknown) => ({ error }))),
    );
    const found = results.flatMap((r) => ('found' in r && r.found ? [r.found] : []));
    if (found.length > 1) throw new AppError('USR-40902', { description: `"${p.username}" exists in ${found.map((f) => userOf(f).storeDomain).join(' and ')}; sign in as DOMAIN/${p.username}.` });
    if (found.length === 1) return found[0];
    const failed = results.find((r): r is { error: unknown } => 'error' in r);
    if (failed) throw failed.error;
    return undefined;
  }

  async findById(tenant: Tenant, id: string): Promise<UserRecord | undefined> {
    for (const store of await this.storesOf(tenant)) {
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

  /** Checks a password in the user's own store; undefined when it cannot be checked or does not match. */
  async verifyPassword(user: UserRecord, password: string): Promise<UserRecord | undefined> {
    const store = this.storeOf(user);
    if (!canVerify(store) || password.length === 0) return undefined;
    return store.verifyPassword(user.tenantId, user.username, password);
  }

  /** The user when name and password match; undefined otherwise, without saying which part was wrong. */
  async authenticate(tenant: Tenant, name: string, password: string): Promise<UserRecord | undefined> {
    if (password.length === 0) return undefined;
    const user = await this.find(tenant, name);
    return user && this.verifyPassword(user, password);
  }

  async create(tenant: Tenant, input: CreateUserInput, options: { enforcePolicy?: boolean } = {}): Promise<UserRecord> {
    const q = parseQualifiedName(input.username);
    if (q.tenantDomain !== undefined && q.tenantDomain !== tenant.domain) {
      throw new AppError('USR-40001', { description: 'The user name names another tenant.' });
    }
    if (!isValidUsername(q.username)) throw new AppError('USR-40001');
    await this.registry.sync(tenant);
    const store = writerOf(this.registry.storeOf(tenant.id, q.storeDomain ?? PRIMARY_DOMAIN));
    if (options.enforcePolicy !== false) checkPassword(input.password, q.username);
    return store.create(tenant.id, { username: q.username, password: input.password, attributes: input.attributes ?? {} });
  }

  /**
   * A user moved from a WSO2 server with the hash it had there (users/wso2-password-hash.ts), into PRIMARY. The
   * hash is kept until the first successful login, which replaces it with argon2id; the password policy is not
   * applied, as the password was never seen.
   */
  async importUser(tenant: Tenant, input: { username: string; passwordHash: string; attributes?: Record<string, string> }): Promise<UserRecord> {
    if (!isValidUsername(input.username)) throw new AppError('USR-40001');
    if (!isWso2Hash(input.passwordHash)) throw new AppError('USR-40002', { description: 'An imported password hash must be in a format this server verifies.' });
    await this.registry.sync(tenant);
    const store = this.registry.storeOf(tenant.id, PRIMARY_DOMAIN);
    // Only our own SQL store keeps a given hash as it is; another store would hash the empty password instead.
    if (!(store instanceof SqlUserStore)) throw new AppError('USR-40004', { description: 'Imported users go to the PRIMARY store in this database.' });
    return store.create(tenant.id, { username: input.username, password: '', passwordHash: input.passwordHash, attributes: input.attributes ?? {} });
  }

  /**
   * Replaces an imported hash that was never used (still in WSO2's format: the user has not signed in here) with
   * another reading of it, e.g. after an import that assumed the wrong PasswordDigest. False when the user has
   * signed in since (the hash is argon2id now) or already has exactly this hash.
   */
  async replaceUnusedImportedHash(user: UserRecord, passwordHash: string): Promise<boolean> {
    if (!isWso2Hash(passwordHash) || user.storeDomain !== PRIMARY_DOMAIN) return false;
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', user.id)
      .where('password_hash', 'like', '$wso2-%')
      .where('password_hash', '<>', passwordHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setPassword(user: UserRecord, password: string, options: { enforcePolicy?: boolean } = {}): Promise<void> {
    const store = writerOf(this.storeOf(user));
    if (options.enforcePolicy !== false) checkPassword(password, user.username);
    await store.setPassword(user, password);
  }

  /** Sets store attributes (a null value removes one); USR-40004 on a read-only store. */
  async setAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void> {
    await writerOf(this.storeOf(user)).setAttributes(user, values);
  }

  async delete(user: UserRecord): Promise<void> {
    const store = writerOf(this.storeOf(user));
    await store.delete(user);
    await this.db.deleteFrom('identity_claims').where('user_id', '=', user.id).execute();
    await this.db.deleteFrom('totp_credentials').where('user_id', '=', user.id).execute();
    await this.db.deleteFrom('user_security').where('user_id', '=', user.id).execute();
  }

  storeOf(user: UserRecord): UserStore {
    return this.registry.storeOf(user.tenantId, user.storeDomain);
  }

  /**
   * One page over all of the tenant's stores that can list, in store order, then by user name. The filter is
   * either one filter for every store or a function giving each store (by domain) its own, since each store
   * maps claims to its own attribute names.
   */
  async list(tenant: Tenant, query: { filter?: UserFilter | StoreFilter; offset: number; limit: number; domain?: string }): Promise<UserPage> {
    await this.registry.sync(tenant);
    const stores = (query.domain ? [this.registry.storeOf(tenant.id, query.domain)] : this.registry.storesOf(tenant.id)).filter(canList);
    let skip = query.offset;
    let want = query.limit;
    let total = 0;
    const users: UserRecord[] = [];
    for (const store of stores) {
      const filter = typeof query.filter === 'function' ? query.filter(store.domain) : query.filter;
      // An empty "or" matches nothing (e.g. userName eq "LDAP/bob" for every other store): no need to ask.
      if (filter?.kind === 'or' && filter.filters.length === 0) continue;
      const page = await store.list(tenant.id, { filter, offset: skip, limit: Math.max(want, 0) });
      total += page.total;
      users.push(...page.users);
      want -= page.users.length;
      skip = Math.max(0, skip - page.total);
    }
    return { total, users };
  }
}
