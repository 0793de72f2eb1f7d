// The login half of the composition root: applications, authenticators, the engine and its fronts.
// Built from the base services; services.ts calls this once.
import { ApplicationService } from './applications/application-service.ts';
import { ApplicationStore } from './applications/application-store.ts';
import type { AuditLog } from './audit/audit-log.ts';
import { createBasicAuthenticator } from './authenticators/basic/basic.authenticator.ts';
import { AuthenticatorRegistry } from './authenticators/registry.ts';
import { EmailCodeStore } from './authenticators/totp/email-code.ts';
import { createTotpAuthenticator } from './authenticators/totp/totp.authenticator.ts';
import { TotpManagement, TotpSecretStorage, TotpSettings, UserStoreSecrets } from './credentials/totp/index.ts';
import { createCredentials, type Credentials } from './credentials/registry.ts';
import { ContextStore } from './flows/context-store.ts';
import { LoginEngine } from './flows/engine.ts';
import { FrontRegistry } from './flows/fronts.ts';
import { AssociationStore } from './identity-providers/associations.ts';
import { IdpService } from './identity-providers/idp-service.ts';
import { IdpStore } from './identity-providers/idp-store.ts';
import { FederatedUsers } from './identity-providers/federated-users.ts';
import { createOidcFederatedAuthenticator } from './authenticators/oidc/oidc-federated.authenticator.ts';
import { createSamlFederatedAuthenticator } from './authenticators/saml/saml-sso.authenticator.ts';
import { AssertionIdStore } from './identity-providers/assertion-ids.ts';
import { createOutboundFetch } from './http/outbound-fetch.ts';
import { tenantQualifiedPath } from './tenants/tenant-path.ts';
import { SsoReuse } from './flows/sso-reuse.ts';
import { SsoSessionStore } from './flows/sso-session.ts';
import { KeyService } from './keys/key-service.ts';
import { OidcStore } from './protocols/oidc/oidc-store.ts';
import { oidcInboundProtocol } from './protocols/oidc/settings.ts';
import { samlKeys } from './protocols/saml/keys.ts';
import { createSamlFront } from './protocols/saml/saml.front.ts';
import { samlInboundProtocol } from './protocols/saml/settings.ts';
import type { BaseServices } from './services.ts';
import { LOCK_REASONS, LockoutService } from './users/lockout.ts';
import { PasswordCheck } from './users/password-check.ts';
import { UserAdminService } from './users/user-admin.ts';

export interface LoginServices {
  applications: ApplicationStore;
  applicationService: ApplicationService;
  audit: AuditLog;
  lockout: LockoutService;
  /** The one password policy: every door that takes a password checks it here. */
  passwords: PasswordCheck;
  totpSettings: TotpSettings;
  /** Where each tenant keeps active TOTP secrets: the database, or the user's store (admin API and console). */
  totpSecretStorage: TotpSecretStorage;
  emailCodes: EmailCodeStore;
  authenticators: AuthenticatorRegistry;
  fronts: FrontRegistry;
  contexts: ContextStore;
  sso: SsoSessionStore;
  /** The SSO session a browser may reuse: only while its account is usable (engine, console, My Account). */
  ssoReuse: SsoReuse;
  engine: LoginEngine;
  /** The admin use-cases on users (console, SCIM): each ends what it must and audits its actor. */
  userAdmin: UserAdminService;
  /** Per-tenant signing keys of every purpose (SAML, OIDC), in the database, shared by every node. */
  keys: KeyService;
  /** What the OpenID Connect provider stores (sessions, grants, codes, tokens), in the database. */
  oidcStore: OidcStore;
  /** Users' second factors and their operations (credentials/): every front that enrols, verifies or resets goes here. */
  credentials: Credentials;
  /** TOTP outside the login (My Account, me/totp, TOTPAdminService): the same rules, audited with the actor. */
  totpManagement: TotpManagement;
  /** Upstream identity providers and the accounts linked to them (identity-providers/). */
  identityProviders: IdpService;
  associations: AssociationStore;
  /** The local user behind an upstream account (TOTP's usecase, links, JIT provisioning). */
  federatedUsers: FederatedUsers;
  /** Assertion IDs accepted from upstream SAML IdPs, each once (swept after their NotOnOrAfter). */
  assertionIds: AssertionIdStore;
  /** The server's public base URL (https://host:port, or server.base_path); server.ts sets the port it listens on. */
  publicUrl: { base: string };
}

export function createLoginServices(base: BaseServices): LoginServices {
  const { config, storage, users, claimValues, security, keyring, tenants, notifications, audit } = base;
  const { db } = storage;
  const now = () => base.clock.now();
  const minutes = (m: number) => m * 60_000;
  const locking = config.identity_mgt.account_locking;
  const sso = new SsoSessionStore(db, { idleMs: minutes(config.session.idle_timeout), maxMs: minutes(config.session.max_lifetime) });
  const lockout = new LockoutService(
    security,
    {
      enabled: locking.enable_account_locking,
      allowedFailedAttempts: locking.allowed_failed_attempts,
      autoUnlockAfterMinutes: locking.auto_unlock_after,
      incrementRatio: locking.auto_unlock_time_increment_ratio,
    },
    async (user, counter) => {
      // A locked account keeps no SSO session: its other browsers are logged out too.
      await sso.removeForUser(user.id);
      // Wrong passwords lock through every door that takes one (the login, HTTP Basic on the APIs), so the
      // event is recorded here, once. A TOTP lockout is recorded where the code was refused, with its application.
      if (counter === 'login') await audit.record({ tenantId: user.tenantId, event: 'account.locked', outcome: 'success', user, authenticator: 'BasicAuthenticator', reason: LOCK_REASONS.login });
    },
  );
  const passwords = new PasswordCheck({ users, lockout, hasher: base.hasher, clock: base.clock });
  const applications = new ApplicationStore(db, base.clock);
  const totpSettings = new TotpSettings(config, base.tenantConfig, base.clock);
  const emailCodes = new EmailCodeStore(db, keyring);
  const associations = new AssociationStore(db);
  const idpStore = new IdpStore(db, keyring);
  const identityProviders = new IdpService({ store: idpStore, associations, audit, clock: base.clock });
  const federatedUsers = new FederatedUsers({ idps: idpStore, associations, users, claimValues, audit, clock: base.clock });
  const publicUrl = { base: config.server.base_path || `https://${config.server.hostname}:${config.server.port}` };
  const fed = config.federation;
  const upstreamFetch = createOutboundFetch({ allowPrivate: fed.allow_private_upstreams, caFile: fed.trusted_ca_file, timeoutMs: fed.timeout * 1000, maxResponseBytes: 1_048_576 });
  const totpSecretStorage = new TotpSecretStorage({ fileDefault: config.authentication.authenticator.totp.secret_storage, store: base.tenantConfig, users, claims: base.claims, clock: base.clock });
  const secretHome = new UserStoreSecrets(users, totpSecretStorage);
  const assertionIds = new AssertionIdStore(db);
  const keys = new KeyService(db, keyring, base.clock);
  const commonauthUrl = (tenant: { domain: string }) => `${publicUrl.base}${tenantQualifiedPath(tenant.domain, '/commonauth')}`;
  const credentials = createCredentials({ db, keyring, security, lockout, clock: base.clock, secretHome });
  const authenticators = new AuthenticatorRegistry([
    createBasicAuthenticator({ passwords, failureSettings: totpSettings, loginUrl: config.authentication.endpoints.login_url }),
    createOidcFederatedAuthenticator({ idps: identityProviders, federatedUsers, fetch: upstreamFetch, callbackUrl: commonauthUrl, clock: base.clock }),
    createSamlFederatedAuthenticator({ idps: identityProviders, federatedUsers, assertionIds, signingKey: async (tenant) => (await keys.keys(tenant, 'saml')).active, acsUrl: commonauthUrl, log: (m) => base.log.warn(m) }),
    createTotpAuthenticator({
      settings: totpSettings,
      claimValues,
      credentials: credentials.totp,
      lockout,
      emailCodes,
      audit,
      sendEmail: (tenant, user, values) => notifications.sendEmail({ tenant, user, type: 'TOTP', values }),
      federatedUsers,
      seal: keyring,
    }),
  ]);
  if (totpSettings.secretInEnrolmentUrl()) {
    base.log.warn('[authentication.authenticator.totp] allow_secret_in_enrolment_url = true: enrolment pages on another host get the new TOTP secret in their URL (ske), where browser history and access logs keep it');
  }
  const fronts = new FrontRegistry();
  const contexts = new ContextStore(db, minutes(config.session.login_timeout));
  const ssoReuse = new SsoReuse({ sso, users, lockout, now });
  const engine = new LoginEngine({ contexts, sso, ssoReuse, authenticators, fronts, applications, tenants, users, audit, now, federation: federatedUsers });
  const userAdmin = new UserAdminService({ users, claimValues, security, audit, endSessions: (userId, keep) => sso.removeForUser(userId, keep), removeLinks: (user) => associations.removeUser(user.tenantId, user.id), resetTotp: (user) => credentials.totp.reset(user), importTotp: (user, input) => credentials.totp.importSecret(user, input) });
  const totpManagement = new TotpManagement({ credentials: credentials.totp, settings: totpSettings, userAdmin, audit, clock: base.clock });
  const applicationService = new ApplicationService(applications, authenticators.lookup);
  applicationService.registerProtocol(samlInboundProtocol);
  applicationService.registerProtocol(oidcInboundProtocol);
  const oidcStore = new OidcStore(storage, base.clock);
  fronts.register(createSamlFront({ keys: samlKeys(keys), claimValues, keyring, now }));
  return { applications, applicationService, audit, lockout, passwords, totpSettings, totpSecretStorage, emailCodes, authenticators, fronts, contexts, sso, ssoReuse, engine, userAdmin, keys, oidcStore, credentials, totpManagement, identityProviders, associations, federatedUsers, assertionIds, publicUrl };
}
