// The SCIM Users operations without HTTP: create, read, replace, patch, search. Each write checks
// everything it can before changing anything, so a refused request leaves the user as it was.
import type { ClaimValues } from '../../claims/claim-values.ts';
import type { Services } from '../../services.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { checkPassword } from '../../users/password-policy.ts';
import { parseQualifiedName, PRIMARY_DOMAIN } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { scimError } from './errors.ts';
import { parseFilter } from './filter.ts';
import { applyPatch, readOperations } from './patch.ts';
import { toStoreFilter } from './user-query.ts';
import { claimChanges, readUserWrite, SCIM_CLAIMS, toScimUser, type UserWrite } from './user-resource.ts';

type Json = Record<string, unknown>;

export interface SearchQuery {
  filter?: string;
  /** 1-based (RFC 7644 section 3.4.2.4). */
  startIndex: number;
  count: number;
}

export class ScimUsers {
  constructor(private readonly s: Services) {}

  private async hiddenClaims(tenantId: string): Promise<Set<string>> {
    return new Set((await this.s.claims.list(tenantId)).filter((c) => c.hidden).map((c) => c.uri));
  }

  /** The user's SCIM claims, as the claim read policy releases them to admins (never a secret or a hidden claim). */
  private async values(user: UserRecord): Promise<ClaimValues> {
    return this.s.claimValues.readReleasable(user, SCIM_CLAIMS, 'admin');
  }

  async resource(user: UserRecord, location: (id: string) => string): Promise<Json> {
    return toScimUser(user, await this.values(user), location(user.id));
  }

  private async writeClaims(user: UserRecord, changes: Record<string, string | null>): Promise<void> {
    const hidden = await this.hiddenClaims(user.tenantId);
    const allowed = Object.fromEntries(Object.entries(changes).filter(([uri]) => !hidden.has(uri)));
    if (Object.keys(allowed).length > 0) await this.s.claimValues.set(user, allowed, { enforceReadOnly: true });
  }

  async create(tenant: Tenant, body: unknown): Promise<UserRecord> {
    const write = readUserWrite(body);
    if (!write.userName) throw scimError('invalidValue', 'userName is required.');
    if (!write.password) throw scimError('invalidValue', 'password is required.');
    const user = await this.s.users.create(tenant, { username: write.userName, password: write.password });
    try {
      await this.writeClaims(user, claimChanges(write));
    } catch (err) {
      // A claim value was refused (e.g. an invalid email): the user must not stay half-created.
      await this.s.users.delete(user);
      throw err;
    }
    return (await this.s.users.findById(tenant, user.id)) ?? user;
  }

  /** PUT (RFC 7644 section 3.5.1): profile attributes left out are cleared; active and accountLocked are kept. */
  async replace(tenant: Tenant, user: UserRecord, body: unknown): Promise<UserRecord> {
    return this.update(tenant, user, readUserWrite(body));
  }

  /** PATCH (section 3.5.2): the operations apply to the current resource, then it is saved like a PUT. */
  async patch(tenant: Tenant, user: UserRecord, body: unknown): Promise<UserRecord> {
    const operations = readOperations(body);
    const values = await this.values(user);
    return this.update(tenant, user, readUserWrite(applyPatch(toScimUser(user, values, ''), operations)), values);
  }

  private async update(tenant: Tenant, user: UserRecord, write: UserWrite, current?: ClaimValues): Promise<UserRecord> {
    this.checkSameUserName(tenant, user, write.userName);
    if (write.password !== undefined) checkPassword(write.password, user.username);
    await this.writeClaims(user, claimChanges(write, current ?? (await this.values(user))));
    if (write.password !== undefined) await this.s.users.setPassword(user, write.password);
    return (await this.s.users.findById(tenant, user.id)) ?? user;
  }

  /** userName is required and cannot change (our user stores key users by name); case may differ. */
  private checkSameUserName(tenant: Tenant, user: UserRecord, userName: string | undefined): void {
    if (userName === undefined) throw scimError('invalidValue', 'userName is required.');
    const q = parseQualifiedName(userName);
    const same =
      (q.storeDomain ?? PRIMARY_DOMAIN) === user.storeDomain &&
      q.username.toLowerCase() === user.username.toLowerCase() &&
      (q.tenantDomain === undefined || q.tenantDomain === tenant.domain);
    if (!same) throw scimError('mutability', 'userName cannot be changed.');
  }

  async search(tenant: Tenant, query: SearchQuery): Promise<{ total: number; users: UserRecord[] }> {
    const filter =
      query.filter === undefined || query.filter.trim() === ''
        ? undefined
        : toStoreFilter(parseFilter(query.filter), await this.s.claims.list(tenant.id), (claim, store) => this.s.claims.attributeFor(claim, store));
    return this.s.users.list(tenant, { filter, offset: query.startIndex - 1, limit: query.count });
  }
}
