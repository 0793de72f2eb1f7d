// The SCIM Users operations without HTTP: create, read, replace, patch, search. Writes are SCIM's mapping onto
// the user admin service (users/user-admin.ts), which checks everything it can before changing anything (so a
// refused request leaves the user as it was), ends sessions where it must and audits the admin.
import type { ClaimValues } from '../../claims/claim-values.ts';
import type { Services } from '../../services.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { parseQualifiedName, PRIMARY_DOMAIN } from '../../users/qualified-name.ts';
import type { AdminRequest } from '../../users/user-admin.ts';
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

  /** The resources of a page of users, their claims read for the whole page at once (no statement per user). */
  async resources(users: readonly UserRecord[], location: (id: string) => string): Promise<Json[]> {
    const values = await this.s.claimValues.readReleasableMany(users, SCIM_CLAIMS, 'admin');
    return users.map((u) => toScimUser(u, values.get(u.id)!, location(u.id)));
  }

  /** The claim changes SCIM may make: never to a claim the tenant hides. */
  private async writable(tenantId: string, changes: Record<string, string | null>): Promise<Record<string, string | null>> {
    const hidden = await this.hiddenClaims(tenantId);
    return Object.fromEntries(Object.entries(changes).filter(([uri]) => !hidden.has(uri)));
  }

  async create(req: AdminRequest, body: unknown): Promise<UserRecord> {
    const write = readUserWrite(body);
    if (!write.userName) throw scimError('invalidValue', 'userName is required.');
    if (!write.password) throw scimError('invalidValue', 'password is required.');
    const claims = await this.writable(req.tenant.id, claimChanges(write));
    return this.s.userAdmin.create(req, { username: write.userName, password: write.password, claims });
  }

  /** PUT (RFC 7644 section 3.5.1): profile attributes left out are cleared; active and accountLocked are kept. */
  async replace(req: AdminRequest, user: UserRecord, body: unknown): Promise<UserRecord> {
    return this.update(req, user, readUserWrite(body));
  }

  /** PATCH (section 3.5.2): the operations apply to the current resource, then it is saved like a PUT. */
  async patch(req: AdminRequest, user: UserRecord, body: unknown): Promise<UserRecord> {
    const operations = readOperations(body);
    const values = await this.values(user);
    return this.update(req, user, readUserWrite(applyPatch(toScimUser(user, values, ''), operations)), values);
  }

  /** active:false disables and accountLocked:true locks (both ending the user's sessions), password sets one. */
  private async update(req: AdminRequest, user: UserRecord, write: UserWrite, current?: ClaimValues): Promise<UserRecord> {
    this.checkSameUserName(req.tenant, user, write.userName);
    const claims = await this.writable(user.tenantId, claimChanges(write, current ?? (await this.values(user))));
    return this.s.userAdmin.update(req, user, { claims, password: write.password });
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
