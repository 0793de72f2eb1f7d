import type { Generated } from 'kysely';

// Table types for Kysely. Column conventions, chosen so one schema works on SQLite, PostgreSQL and MySQL:
// ids are UUID strings (no auto-increment DDL per dialect), flags are 0/1 integers (better-sqlite3 cannot
// bind booleans), times are epoch milliseconds in bigint columns (parsed to number on PostgreSQL).
export interface TenantsTable {
  id: string;
  domain: string;
  active: number;
  admin_username: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  store_domain: string;
  username: string;
  /** Lower-cased user name: user names are unique without regard to case, as in WSO2's JDBC store. */
  username_key: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface UserAttributesTable {
  user_id: string;
  name: string;
  value: string;
}

/** Identity claims (http://wso2.org/claims/identity/...) live here whatever the user store, like WSO2's IDN_IDENTITY_USER_DATA. */
export interface IdentityClaimsTable {
  tenant_id: string;
  user_id: string;
  claim_uri: string;
  value: string;
}

/**
 * Counters and lock state that must change atomically (one UPDATE each), kept as typed columns rather than
 * text claims. The claim service exposes them under WSO2's claim URIs (failedTotpAttempts, accountLocked, ...).
 */
export interface UserSecurityTable {
  user_id: string;
  tenant_id: string;
  failed_login_attempts: Generated<number>;
  failed_totp_attempts: Generated<number>;
  lockout_count: Generated<number>;
  account_locked: Generated<number>;
  account_disabled: Generated<number>;
  locked_reason: string | null;
  unlock_time: number | null;
  /** Highest TOTP time step accepted for this user (RFC 6238 section 5.2: a code is accepted once). */
  last_totp_step: number | null;
}

export interface ClaimsTable {
  tenant_id: string;
  uri: string;
  display_name: string;
  description: string;
  display_order: number;
  supported_by_default: number;
  read_only: number;
  hidden: number;
  required: number;
  regex: string | null;
}

export interface ClaimMappingsTable {
  tenant_id: string;
  claim_uri: string;
  store_domain: string;
  attribute: string;
}

/** Per-tenant configuration resources (WSO2 keeps these in the tenant registry), one JSON document each. */
export interface TenantConfigTable {
  tenant_id: string;
  resource: string;
  value: string;
  updated_at: number;
}

export interface ApplicationsTable {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  /** 'custom', or 'system' for built-in applications such as My Account. */
  kind: string;
  /** JSON: description, inbound protocol settings, authentication sequence, claim settings. */
  config: string;
  created_at: number;
  updated_at: number;
}

export interface ApplicationIdentifiersTable {
  tenant_id: string;
  protocol: string;
  identifier: string;
  application_id: string;
}

/** A login in progress, keyed by sessionDataKey. `version` makes every save a compare-and-set. */
export interface AuthContextsTable {
  id: string;
  tenant_id: string;
  /** SHA-256 of the browser's session nonce cookie: the context only answers to that browser. */
  nonce_hash: string;
  state: string;
  version: number;
  created_at: number;
  expires_at: number;
}

/** An SSO session, keyed by the SHA-256 of the commonAuthId cookie (the cookie itself is never stored). */
/** Secondary user stores added at run time (migration 011); secrets encrypted, bound to the row id. */
export interface UserStoreDefinitionsTable {
  id: string;
  tenant_id: string;
  domain: string;
  type: string;
  description: string;
  settings: string;
  secrets: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface SsoSessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  state: string;
  version: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface AuditEventsTable {
  id: string;
  tenant_id: string;
  at: number;
  event: string;
  outcome: string;
  user_id: string | null;
  username: string | null;
  /** The admin who made the change (migration 006); null for events a user's own login caused. */
  actor_id: string | null;
  actor: string | null;
  application: string | null;
  authenticator: string | null;
  reason: string | null;
  trace_id: string | null;
  remote_address: string | null;
}

/** The one pending email code per user, stored as a keyed hash; deleting the row is what uses it. */
export interface EmailCodesTable {
  user_id: string;
  tenant_id: string;
  code_hash: string;
  expires_at: number;
}

export interface NotificationSendsTable {
  id: string;
  user_id: string;
  kind: string;
  sent_at: number;
}

/** A tenant's own version of an email template; templates without a row fall back to the shipped defaults. */
export interface EmailTemplatesTable {
  tenant_id: string;
  template_type: string;
  locale: string;
  content_type: string;
  subject: string;
  body: string;
  footer: string;
  updated_at: number;
}

/** Per-tenant signing keys (SAML); the private key is encrypted with the keyring, bound to the row id. */
export interface SigningKeysTable {
  id: string;
  tenant_id: string;
  purpose: string;
  generation: number;
  certificate: string;
  private_key: string;
  status: string;
  created_at: number;
  retired_at: number | null;
  publish_until: number | null;
}

/** Hits per rate-limit key (a client address or an account) in a fixed window ending at expires_at. */
export interface RateLimitsTable {
  limit_key: string;
  hits: number;
  expires_at: number;
}

/** A named lease (e.g. 'sweeper'): who holds it and until when; a node takes it with one conditional write. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

/**
 * A user's TOTP credential (credentials/totp/): the active one and, while enrolling or refreshing, a pending
 * one. The secret is encrypted, bound to tenant, user and status; NULL parameters (rows moved from the claims by
 * migration 009) mean the tenant's current settings.
 */
export interface TotpCredentialsTable {
  user_id: string;
  tenant_id: string;
  status: 'active' | 'pending';
  secret: string;
  encoding: string | null;
  algorithm: string | null;
  digits: number | null;
  period: number | null;
  created_at: number;
  /** The user-store attribute holding the active secret (migration 012); NULL: the secret is in `secret`. */
  secret_attribute: string | null;
}

/** The tenant registry (tenants/registry/): a collection or a resource per row; "/" is implied. */
export interface RegistryResourcesTable {
  tenant_id: string;
  path: string;
  parent_path: string;
  kind: 'collection' | 'resource';
  /** Bytes of a resource; NULL for a collection. */
  content: Buffer | null;
  media_type: string | null;
  size: number;
  /** JSON object of string keys and values. */
  properties: string;
  created_at: number;
  updated_at: number;
}

/** One thing the OpenID Connect provider stores (a session, grant, code, token ...); key is "tenant:model:id". */
export interface OidcModelsTable {
  key: string;
  tenant_id: string;
  model: string;
  /** The provider's JSON payload. */
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** Epoch ms when a code or token was consumed (the provider refuses a second use). */
  consumed_at: number | null;
  expires_at: number;
}

/** What an import from another server brought over (migration 016), so a second run duplicates nothing. */
export interface ImportOriginsTable {
  /** The source server, e.g. "wso2:db.example.org:5432/WSO2_SHARED_DB". */
  source: string;
  /** tenant, user, totp, application, totp-config. */
  kind: string;
  /** Our tenant id ('' for a tenant itself). */
  tenant_id: string;
  /** The thing's id at the source (UM_USER.UM_ID, SP_APP.ID, UM_TENANT.UM_ID, ...). */
  source_id: string;
  /** What it became here (a user id, an application id, a tenant id). */
  target_id: string;
  imported_at: number;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  user_attributes: UserAttributesTable;
  identity_claims: IdentityClaimsTable;
  user_security: UserSecurityTable;
  claims: ClaimsTable;
  claim_mappings: ClaimMappingsTable;
  tenant_config: TenantConfigTable;
  email_templates: EmailTemplatesTable;
  applications: ApplicationsTable;
  application_identifiers: ApplicationIdentifiersTable;
  auth_contexts: AuthContextsTable;
  sso_sessions: SsoSessionsTable;
  audit_events: AuditEventsTable;
  email_codes: EmailCodesTable;
  notification_sends: NotificationSendsTable;
  signing_keys: SigningKeysTable;
  rate_limits: RateLimitsTable;
  leases: LeasesTable;
  totp_credentials: TotpCredentialsTable;
  registry_resources: RegistryResourcesTable;
  user_store_definitions: UserStoreDefinitionsTable;
  oidc_models: OidcModelsTable;
  import_origins: ImportOriginsTable;
  identity_providers: IdentityProvidersTable;
  federated_associations: FederatedAssociationsTable;
  saml_assertion_ids: SamlAssertionIdsTable;
}

/** Upstream identity providers of a tenant (migration 015). */
export interface IdentityProvidersTable {
  id: string;
  tenant_id: string;
  name: string;
  type: string;
  description: string;
  /** 1 or 0 (portable across the three databases). */
  enabled: number;
  settings: string;
  secrets: string;
  created_at: number;
  updated_at: number;
}

/** Upstream accounts linked to local users (WSO2's IDN_ASSOCIATED_ID, migration 015). */
export interface FederatedAssociationsTable {
  id: string;
  tenant_id: string;
  idp_id: string;
  idp_user_id: string;
  user_id: string;
  created_at: number;
}

/** Assertion IDs accepted from upstream SAML IdPs, until their NotOnOrAfter (migration 017). */
export interface SamlAssertionIdsTable {
  /** SHA-256 hex of tenant id, provider id and Assertion ID. */
  id: string;
  expires_at: number;
}
