// The local user behind an upstream account. Two doors, one rule set:
// - the TOTP step, by WSO2's `usecase` parameter (legacy FederatedAuthenticatorUtil.setUsernameFromFirstStep):
//     local         the upstream user name, tried in each `secondaryUserstore` domain in order;
//     association   the local account linked to the upstream one (IDN_ASSOCIATED_ID);
//     userAttribute the value of the `userAttribute` claim (a mapped local claim URI, or an upstream name);
//     subjectUri    the upstream subject identifier, tried like `local`;
// - the end of a login when no step named the local user: the linked account, else just-in-time provisioning
//   into the provider's user store (when the provider allows it), else a page saying JIT is off.
// A provisioned user is linked to the upstream account at once, so the next login finds it by association.
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClaimValueService } from '../claims/claim-values.ts';
import { isAppError } from '../errors/app-error.ts';
import type { Clock } from '../time/clock.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { UserService } from '../users/user-service.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { AssociationStore } from './associations.ts';
import type { FederatedIdentity, IdentityProvider } from './identity-provider.ts';
import type { IdpStore } from './idp-store.ts';

export type Usecase = 'local' | 'association' | 'userAttribute' | 'subjectUri';

export interface UsecaseParams {
  usecase: Usecase;
  userAttribute: string;
  /** Comma-separated store domains ("primary, LDAP"). */
  secondaryUserstore: string;
}

/** Why no local user was found: each is its own page (ui/messages.ts). */
export type Missing = 'federation.association.missing' | 'federation.no.local.user' | 'federation.jit.off' | 'federation.jit.name.taken' | 'federation.idp.unavailable';

export interface Via {
  traceId: string;
  remoteAddress: string;
  application: string;
}

export interface FederatedUserDeps {
  idps: IdpStore;
  associations: AssociationStore;
  users: UserService;
  claimValues: ClaimValueService;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
}

export class FederatedUsers {
  constructor(private readonly deps: FederatedUserDeps) {}

  provider(tenant: Tenant, identity: FederatedIdentity): Promise<IdentityProvider | undefined> {
    return this.deps.idps.get(tenant.id, identity.idpId);
  }

  /** The local user the TOTP step's `usecase` names, or why there is none. */
  async byUsecase(tenant: Tenant, identity: FederatedIdentity, params: UsecaseParams): Promise<{ user: UserRecord } | { missing: Missing }> {
    if (params.usecase === 'association') {
      const user = await this.linked(tenant, identity);
      return user ? { user } : { missing: 'federation.association.missing' };
    }
    const name =
      params.usecase === 'subjectUri' ? identity.subject : params.usecase === 'userAttribute' ? (identity.claims[params.userAttribute] ?? identity.attributes[params.userAttribute]) : identity.username;
    const user = name ? await this.inStores(tenant, name, params.secondaryUserstore) : undefined;
    return user ? { user } : { missing: 'federation.no.local.user' };
  }

  /** The linked local account of an upstream account, if it still exists. */
  async linked(tenant: Tenant, identity: FederatedIdentity): Promise<UserRecord | undefined> {
    const id = await this.deps.associations.localUserOf(tenant.id, identity.idpId, identity.subject);
    return id ? this.deps.users.findById(tenant, id) : undefined;
  }

  /** At the end of a login: the linked account, else JIT provisioning when the provider allows it. */
  async userAtFinish(tenant: Tenant, identity: FederatedIdentity, via: Via): Promise<{ user: UserRecord } | { failure: { reason: Missing } }> {
    const linked = await this.linked(tenant, identity);
    if (linked) return { user: linked };
    const idp = await this.provider(tenant, identity);
    if (!idp?.enabled) return { failure: { reason: 'federation.idp.unavailable' } };
    if (idp.settings.provisioning.jit !== 'on') return { failure: { reason: 'federation.jit.off' } };
    const made = await this.provision(tenant, idp, identity, identity.username, undefined, via);
    return 'user' in made ? made : { failure: { reason: made.missing } };
  }

  /**
   * Creates the local user in the provider's JIT store with the mapped claims and links it. Without a chosen
   * password the account gets a random one nobody knows: it signs in through the provider. A name that is
   * already taken is refused rather than linked, so an upstream account cannot take over a local one.
   */
  async provision(tenant: Tenant, idp: IdentityProvider, identity: FederatedIdentity, username: string, password: string | undefined, via: Via): Promise<{ user: UserRecord } | { missing: Missing }> {
    // A link left behind by a deleted local user does not keep the upstream account from a new one.
    if ((await this.deps.associations.localUserOf(tenant.id, idp.id, identity.subject)) && !(await this.linked(tenant, identity))) {
      await this.deps.associations.removeSubject(tenant.id, idp.id, identity.subject);
    }
    const store = idp.settings.provisioning.userstore;
    const qualified = store.toUpperCase() === 'PRIMARY' ? username : `${store}/${username}`;
    let user: UserRecord;
    try {
      if (await this.deps.users.find(tenant, qualified)) return { missing: 'federation.jit.name.taken' };
      user = await this.deps.users.create(tenant, { username: qualified, password: password ?? randomBytes(32).toString('base64url') }, { enforcePolicy: password !== undefined });
    } catch (err) {
      if (isAppError(err) && err.code === 'USR-40901') return { missing: 'federation.jit.name.taken' };
      throw err;
    }
    try {
      const claims = Object.fromEntries(Object.entries(identity.claims).filter(([uri]) => !uri.includes('/identity/')));
      if (Object.keys(claims).length > 0) await this.deps.claimValues.set(user, claims, { enforceReadOnly: true });
      if (!(await this.deps.associations.link(tenant.id, idp.id, identity.subject, user.id, this.deps.clock.now()))) throw new Error('upstream account linked meanwhile');
    } catch (err) {
      await this.deps.users.delete(user);
      throw err;
    }
    await this.deps.audit.record({ tenantId: tenant.id, event: 'federation.provisioned', outcome: 'success', user, application: via.application, reason: idp.name, traceId: via.traceId, remoteAddress: via.remoteAddress });
    return { user: (await this.deps.users.findById(tenant, user.id)) ?? user };
  }

  /** The first store in the list (primary, LDAP, ...) that has this name; an unknown or unreachable store is skipped. */
  private async inStores(tenant: Tenant, name: string, domains: string): Promise<UserRecord | undefined> {
    const list = domains.split(',').map((d) => d.trim()).filter(Boolean);
    for (const domain of list.length > 0 ? list : ['PRIMARY']) {
      const qualified = domain.toUpperCase() === 'PRIMARY' ? `PRIMARY/${name}` : `${domain.toUpperCase()}/${name}`;
      try {
        const user = await this.deps.users.find(tenant, qualified);
        if (user) return user;
      } catch (err) {
        if (!isAppError(err)) throw err;
      }
    }
    return undefined;
  }
}
