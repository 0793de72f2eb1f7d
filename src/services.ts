// The composition root: builds every service once from the config and the open storage. HTTP routes,
// protocols and the login engine receive what they need from here instead of constructing their own.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ClaimMetadataStore } from './claims/claim-metadata.ts';
import { ClaimValueService } from './claims/claim-values.ts';
import type { Config } from './config/index.ts';
import { DatabaseRateLimitStore } from './http/rate-limit-store.ts';
import { loadKeyring } from './crypto/key-files.ts';
import type { Keyring } from './crypto/keyring.ts';
import { AuditLog } from './audit/audit-log.ts';
import { createNotifications, type NotificationService } from './notifications/index.ts';
import { createLoginServices, type LoginServices } from './login-services.ts';
import type { Storage } from './storage/database.ts';
import { Sweeper } from './storage/sweeper.ts';
import { TenantConfigStore } from './tenants/tenant-config.ts';
import { RegistryService } from './tenants/registry/registry-service.ts';
import { RegistryStore } from './tenants/registry/registry-store.ts';
import { totpRegistryView } from './credentials/totp/totp-xml.ts';
import { TenantService } from './tenants/tenant-service.ts';
import { storeOfDeclared } from './users/declared-stores.ts';
import { StoreDefinitionService } from './users/store-definition-service.ts';
import { StoreDefinitionStore } from './users/store-definitions.ts';
import { declaredOf } from './users/store-properties.ts';
import { PasswordHasher } from './users/password-hash.ts';
import { PRIMARY_DOMAIN } from './users/qualified-name.ts';
import { SecurityStateStore } from './users/security-state.ts';
import { SqlUserStore } from './users/sql-user-store.ts';
import { UserService } from './users/user-service.ts';
import { UserStoreRegistry } from './users/user-stores.ts';
import { systemClock, type Clock } from './time/clock.ts';

export interface BaseServices {
  config: Config;
  storage: Storage;
  log: Logger;
  /** The one clock every service reads; tests move a ManualClock instead of sleeping. */
  clock: Clock;
  keyring: Keyring;
  hasher: PasswordHasher;
  tenants: TenantService;
  tenantConfig: TenantConfigStore;
  userStores: UserStoreRegistry;
  users: UserService;
  security: SecurityStateStore;
  claims: ClaimMetadataStore;
  claimValues: ClaimValueService;
  notifications: NotificationService;
  /** The audit log; its observers (metrics) also hear of events it does not store (logins started, emails sent). */
  audit: AuditLog;
}

export function createServices(config: Config, storage: Storage, log: Logger, clock: Clock = systemClock): Services {
  const base = createBaseServices(config, storage, log, clock);
  const login = createLoginServices(base);
  // The registry, with the tenant's TOTP parameters mounted as WSO2's application-authentication.xml.
  const registry = new RegistryService({ store: new RegistryStore(storage.db), audit: login.audit, clock, views: [totpRegistryView(login.totpSettings)] });
  return { ...base, ...login, registry, userStoreDefinitions: createStoreDefinitions(base, login), sweeper: createSweeper(base, login) };
}

/** Secondary stores added at run time: built as a [[user_store]] table would be, literal secrets (no $env, no enc:). */
function createStoreDefinitions({ config, storage, clock, keyring, hasher, userStores }: BaseServices, login: LoginServices): StoreDefinitionService {
  return new StoreDefinitionService({
    db: storage.db,
    definitions: new StoreDefinitionStore(storage.db, keyring),
    registry: userStores,
    audit: login.audit,
    clock,
    build: (domain, tenantDomain, type, settings, secrets) => storeOfDeclared(declaredOf(domain, tenantDomain, type, settings, secrets), hasher, clock),
    declared: (tenantDomain) => config.user_store.filter((s) => s.tenant === tenantDomain).map((s) => ({ domain: s.domain, type: s.type, readOnly: s.read_only })),
    endSessions: (userId) => login.sso.removeForUser(userId),
  });
}

export type Services = BaseServices & LoginServices & {
  /** The tenant registry (WSO2's /_system/governance/...). */
  registry: RegistryService;
  /** Secondary user stores a tenant admin adds at run time (/api/server/v1/userstores, the console). */
  userStoreDefinitions: StoreDefinitionService;
  /** Deletes expired rows on an interval; server.ts starts and stops it. */
  sweeper: Sweeper;
};

/** The sweeper and its tasks: each kind of row that expires joins with one register() line. */
function createSweeper({ config, storage, clock, log }: BaseServices, login: LoginServices): Sweeper {
  const { interval, batch_size, audit_retention_days } = config.housekeeping;
  const sweeper = new Sweeper({ db: storage.db, clock, log, intervalMs: interval * 1000, batchSize: batch_size });
  sweeper.register({ name: 'auth_contexts', purge: (now, limit) => login.contexts.purgeExpired(now, limit) });
  sweeper.register({ name: 'sso_sessions', purge: (now, limit) => login.sso.purgeExpired(now, limit) });
  sweeper.register({ name: 'email_codes', purge: (now, limit) => login.emailCodes.purgeExpired(now, limit) });
  sweeper.register({ name: 'notification_sends', purge: (now, limit) => login.emailCodes.purgeSendLog(now, limit) });
  sweeper.register({ name: 'oidc_models', purge: (now, limit) => login.oidcStore.purgeExpired(now, limit) });
  sweeper.register({ name: 'saml_assertion_ids', purge: (now, limit) => login.assertionIds.purgeExpired(now, limit) });
  const rateLimits = new DatabaseRateLimitStore(storage, clock);
  sweeper.register({ name: 'rate_limits', purge: (now, limit) => rateLimits.purgeExpired(now, limit) });
  const retentionMs = audit_retention_days * 86_400_000;
  if (retentionMs > 0) sweeper.register({ name: 'audit_events', purge: (now, limit) => login.audit.purgeBefore(now - retentionMs, limit) });
  return sweeper;
}

function createBaseServices(config: Config, storage: Storage, log: Logger, clock: Clock): BaseServices {
  const { db } = storage;
  const keyring = loadKeyring({
    configuredKey: config.encryption.key,
    previousKeys: config.encryption.previous_keys,
    keysDir: join(config.server.data_dir, 'keys'),
    warn: (message) => log.warn(message),
  });
  const hasher = new PasswordHasher({
    memoryCost: config.password_hashing.memory_cost,
    timeCost: config.password_hashing.time_cost,
    parallelism: config.password_hashing.parallelism,
  });
  const userStores = new UserStoreRegistry(new SqlUserStore(db, hasher, PRIMARY_DOMAIN, clock));
  // Secondary stores from [[user_store]] (JDBC, LDAP, AD): pools open lazily, so a store that is down does not stop the start.
  for (const declared of config.user_store) userStores.declare(declared.tenant, storeOfDeclared(declared, hasher, clock, (v, ad) => keyring.decryptString(v, ad)));
  const users = new UserService(db, userStores);
  const security = new SecurityStateStore(db);
  const claims = new ClaimMetadataStore(db, clock);
  const claimValues = new ClaimValueService(db, claims, users, security, keyring);
  const audit = new AuditLog(db, () => clock.now());
  return {
    config,
    storage,
    log,
    clock,
    keyring,
    hasher,
    tenants: new TenantService(db, clock),
    tenantConfig: new TenantConfigStore(db, clock),
    userStores,
    users,
    security,
    claims,
    claimValues,
    audit,
    notifications: createNotifications({ config, db, claimValues, log, clock, audit }),
  };
}
