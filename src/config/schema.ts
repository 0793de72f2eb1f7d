// The one schema of config/deployment.toml. Key names follow WSO2's deployment.toml where WSO2 has
// the key, so a WSO2 file's sections carry over; docs/configuration.md is generated from this file.
import { checkEncryptionKey } from './key-format.ts';
import { primaryKeystore } from './keystore-schema.ts';
import { bool, float, int, list, oneOf, section, str, type Infer } from './schema-dsl.ts';
import { metrics, overload } from './operations-schema.ts';
import { allowSecretInEnrolmentUrl, PAGE, PAGE_FORMAT, totpParameters } from './totp-schema.ts';
import { userStoreList } from './user-store-schema.ts';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;
const HOST_FORMAT = 'a host name or IP address (IPv6 in brackets), without scheme or port';
const ADDRESS = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/;
const ADDRESS_FORMAT = 'an IP address or host name, e.g. "127.0.0.1", "0.0.0.0" or "::"';

function checkBaseUrl(value: string): string | undefined {
  if (value === '') return undefined;
  const expected = 'empty or an absolute http(s) URL without query or fragment, e.g. "https://id.example.com/auth"';
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return expected;
    if (url.search !== '' || url.hash !== '' || url.username !== '') return expected;
    return undefined;
  } catch {
    return expected;
  }
}

const DB_SCHEMES: Record<string, readonly string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:', 'mariadb:'],
};

function urlScheme(value: string): string | undefined {
  try {
    return new URL(value).protocol;
  } catch {
    return undefined;
  }
}

const server = section(
  {
    hostname: str({
      default: 'localhost',
      pattern: HOST,
      format: HOST_FORMAT,
      description: 'Host name used in the URLs the server builds (issuer, redirects, metadata) when base_path is empty.',
    }),
    port: int({
      default: 9443,
      min: 0,
      max: 65535,
      description: 'HTTPS port to listen on. 0 picks a free port (for tests).',
    }),
    bind_address: str({
      default: '127.0.0.1',
      pattern: ADDRESS,
      format: ADDRESS_FORMAT,
      description:
        'Interface to listen on. Loopback by default because a first start creates the admin account admin/admin; set "0.0.0.0" (or "::") to accept connections from other machines once that password is changed.',
    }),
    base_path: str({
      default: '',
      check: checkBaseUrl,
      normalize: (v) => v.replace(/\/+$/, ''),
      description:
        'Public base URL when it differs from https://{hostname}:{port}, e.g. behind a reverse proxy ("https://id.example.com"). Empty means https://{hostname}:{port}. A trailing slash is removed.',
    }),
    data_dir: str({
      default: 'data',
      pattern: /\S/,
      format: 'a directory path',
      description:
        'Directory for state: the SQLite file, generated keys, the self-signed TLS pair and the development mail outbox. Relative to the working directory.',
    }),
    max_body_size: int({
      default: 1048576,
      min: 1024,
      max: 104857600,
      description: 'Largest request body accepted, in bytes; larger requests get 413.',
    }),
    trust_proxy: bool({
      default: false,
      description:
        'When true, the client address and scheme are taken from X-Forwarded-For / X-Forwarded-Proto. Enable only behind a reverse proxy that sets them, or clients can spoof their address.',
    }),
  },
  { description: 'The HTTPS server.' },
);

const logging = section(
  {
    level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      default: 'info',
      description: 'Lowest level written to the log (pino levels). Secrets and codes are never logged at any level.',
    }),
  },
  { description: 'Server log.' },
);

const https = section(
  {
    certificate: str({
      default: '',
      description:
        'Path to the PEM certificate (chain) for HTTPS. When both this and private_key are empty, a self-signed pair is created under {data_dir}/tls/ on first start and reused afterwards.',
    }),
    private_key: str({
      default: '',
      description: 'Path to the PEM private key matching certificate. Set both or neither.',
    }),
  },
  {
    description: 'TLS certificate of the HTTPS server.',
    checks: [
      (t) =>
        t.certificate !== '' && t.private_key === ''
          ? { key: 'private_key', message: 'must be set when certificate is set' }
          : undefined,
      (t) =>
        t.private_key !== '' && t.certificate === ''
          ? { key: 'certificate', message: 'must be set when private_key is set' }
          : undefined,
    ],
  },
);

const identityDb = section(
  {
    type: oneOf(['sqlite', 'postgres', 'mysql'], {
      default: 'sqlite',
      valueAliases: { postgre: 'postgres', postgresql: 'postgres', mariadb: 'mysql' },
      description:
        'Database engine. sqlite is embedded (one node); use postgres for production and clusters (all state is in the database, so any node can serve any step). mysql covers MySQL and MariaDB.',
    }),
    path: str({
      default: '',
      description: 'SQLite database file. Empty means {data_dir}/portcullis.db. Only for type = "sqlite".',
    }),
    url: str({
      default: '',
      secret: true,
      description:
        'Connection URL, e.g. "postgres://portcullis@127.0.0.1:5432/portcullis" or "mysql://root@127.0.0.1:3306/portcullis". Required for postgres and mysql, not allowed for sqlite. Treated as secret because it may hold a password.',
    }),
    username: str({
      default: '',
      description: 'Database user; overrides the one in url when not empty.',
    }),
    password: str({
      default: '',
      secret: true,
      description: 'Database password; overrides the one in url when not empty.',
    }),
    pool_size: int({
      default: 10,
      min: 1,
      max: 1000,
      description: 'Maximum number of open connections per node (postgres, mysql).',
    }),
  },
  {
    description: 'Where identities, sessions and all other state are stored.',
    checks: [
      (d) => (d.type !== 'sqlite' && d.url === '' ? { key: 'url', message: `required when type = "${d.type}"` } : undefined),
      (d) =>
        d.type === 'sqlite' && d.url !== ''
          ? { key: 'url', message: 'is only used with type = "postgres" or "mysql"; set type, or remove url' }
          : undefined,
      (d) =>
        d.type !== 'sqlite' && d.path !== ''
          ? { key: 'path', message: `is only used with type = "sqlite", but type = "${d.type}"` }
          : undefined,
      (d) => {
        const schemes = DB_SCHEMES[d.type];
        if (schemes === undefined || d.url === '') return undefined;
        const scheme = urlScheme(d.url);
        if (scheme !== undefined && schemes.includes(scheme)) return undefined;
        const shown = schemes.map((s) => `${s}//`).join(' or ');
        return { key: 'url', message: `must be a URL starting with ${shown} for type = "${d.type}" (value not shown: secret)` };
      },
    ],
  },
);

const superAdmin = section(
  {
    username: str({
      default: 'admin',
      pattern: /^\S+$/,
      format: 'a user name without spaces',
      description: 'User name of the administrator of the super tenant (carbon.super).',
    }),
    password: str({
      default: 'admin',
      secret: true,
      description:
        'Initial password of that administrator, used only when the account is created. The default admin/admin matches WSO2; change it right after the first start (the console reminds you).',
    }),
    create_admin_account: bool({
      default: true,
      description: 'Create the administrator account on first start if it does not exist.',
    }),
  },
  {
    description: 'The super tenant administrator created on first start.',
    checks: [
      (a) =>
        a.create_admin_account && a.password === ''
          ? { key: 'password', message: 'must not be empty when create_admin_account = true' }
          : undefined,
    ],
  },
);

const encryption = section(
  {
    key: str({
      default: '',
      secret: true,
      check: (v) => (v === '' ? undefined : checkEncryptionKey(v)),
      description:
        'Key that encrypts TOTP secrets at rest (AES-256-GCM): 32 bytes as 64 hex characters or base64. The environment variable PORTCULLIS_ENCRYPTION_KEY overrides it. Empty: a key is generated into {data_dir}/keys/ on first start, with a warning (back that directory up, or the secrets are lost).',
    }),
    previous_keys: list({
      default: [],
      secret: true,
      item: checkEncryptionKey,
      description:
        'Older keys, same format, still accepted for decryption after a rotation. Data is re-encrypted under key as it is written.',
    }),
  },
  { description: 'Encryption of secrets stored in the database.' },
);

const passwordHashing = section(
  {
    memory_cost: int({ default: 19456, min: 8, max: 4194304, description: 'Argon2id memory in KiB (OWASP: 19456 = 19 MiB).' }),
    time_cost: int({ default: 2, min: 1, max: 100, description: 'Argon2id iterations (OWASP: 2).' }),
    parallelism: int({ default: 1, min: 1, max: 64, description: 'Argon2id lanes (OWASP: 1).' }),
  },
  {
    description: 'Argon2id parameters for new password hashes. Existing hashes keep their own parameters and still verify.',
    checks: [
      (h) =>
        h.memory_cost < 8 * h.parallelism
          ? { key: 'memory_cost', message: `must be at least 8 KiB per lane (${8 * h.parallelism} with parallelism = ${h.parallelism})` }
          : undefined,
    ],
  },
);

const accountLocking = section(
  {
    enable_account_locking: bool({
      default: true,
      description: 'Lock an account after too many failed login attempts (password or TOTP; TOTP also needs EnableAccountLockingForFailedAttempts).',
    }),
    allowed_failed_attempts: int({
      default: 5,
      min: 1,
      max: 1000,
      description: 'Failed attempts that lock the account (the last allowed failure locks it).',
    }),
    auto_unlock_after: int({
      default: 5,
      min: 0,
      max: 525600,
      description: 'Minutes until a locked account unlocks by itself. 0: only an administrator can unlock it.',
    }),
    auto_unlock_time_increment_ratio: float({
      default: 2,
      min: 1,
      max: 100,
      description:
        'Each further lockout of the same account lasts this many times longer: auto_unlock_after * ratio^(earlier lockouts).',
    }),
  },
  { description: 'Account locking after failed logins (WSO2 keys).' },
);

// Every door that takes a password or a code counts hits per client address and per account, in the database
// (or Redis) so that all nodes of a cluster count together. Lockout stops guessing on one account; these stop a
// spray of common passwords over many accounts from one address, and bound the password hashing a client can
// cause. The defaults leave ordinary sign-ins and API clients far below them.
const rateLimit = section(
  {
    enable: bool({
      default: true,
      description: 'Limit password and code submissions per client address and per account (answers 429 with Retry-After).',
    }),
    per_ip_per_minute: int({
      default: 300,
      min: 1,
      max: 1000000,
      description:
        'Submissions from one client address per minute: every POST to /commonauth (passwords, TOTP and email codes) and every request with HTTP Basic credentials. IPv6 addresses count per /64. Behind a reverse proxy, set [server] trust_proxy so the real client address is used.',
    }),
    per_account_per_minute: int({
      default: 30,
      min: 1,
      max: 1000000,
      description:
        'Password attempts on one account per minute: sign-in forms naming it on /commonauth, and HTTP Basic requests naming it whose credentials are refused (a correct Basic credential does not use this budget, so API clients are not slowed down). The name counts normalised (case, tenant), so variants share one budget.',
    }),
    redis_url: str({
      default: '',
      secret: true,
      check: (v) => (v === '' || /^rediss?:\/\//.test(v) ? undefined : 'empty or a redis:// or rediss:// URL'),
      description:
        'Keep the counters in Redis instead of the database, e.g. "redis://127.0.0.1:6379". Empty: in the identity database (shared by every node on PostgreSQL or MySQL). Treated as secret because it may hold a password.',
    }),
    redis_key_prefix: str({
      default: 'portcullis:rate-limit:',
      description: 'Prefix of the Redis keys, so that several deployments can share one Redis.',
    }),
  },
  { description: 'Rate limits on password and code submissions.' },
);

const email = section(
  {
    from_address: str({ default: '', description: 'Sender address of notification emails (required with hostname).' }),
    username: str({ default: '', description: 'SMTP user name (required when enable_authentication = true).' }),
    password: str({ default: '', secret: true, description: 'SMTP password.' }),
    hostname: str({
      default: '',
      description:
        'SMTP server. Empty: no mail is sent; messages are written to a development outbox under {data_dir}/ and a warning is logged.',
    }),
    port: int({ default: 587, min: 1, max: 65535, description: 'SMTP port (587 submission with STARTTLS, 465 implicit TLS).' }),
    enable_start_tls: bool({ default: true, description: 'Require STARTTLS before sending credentials or mail.' }),
    enable_authentication: bool({ default: true, description: 'Log in to the SMTP server with username and password.' }),
    signature: str({ default: '', description: 'Sender name shown in the From header (as in WSO2), also added as a signature below the body.' }),
  },
  {
    description: 'Outgoing email (TOTP codes by email, notifications), WSO2 keys.',
    checks: [
      (e) =>
        e.hostname !== '' && e.from_address === '' ? { key: 'from_address', message: 'required when hostname is set' } : undefined,
      (e) =>
        e.hostname !== '' && e.enable_authentication && e.username === ''
          ? { key: 'username', message: 'required when hostname is set and enable_authentication = true' }
          : undefined,
    ],
  },
);

const session = section(
  {
    login_timeout: int({
      default: 15,
      min: 1,
      max: 1440,
      description: 'Minutes a login may take from its start to its last step (the lifetime of the authentication context, sessionDataKey).',
    }),
    idle_timeout: int({
      default: 15,
      min: 1,
      max: 525600,
      description: 'Minutes an SSO session (commonAuthId cookie) lives without use; each login through it extends it (WSO2: idle_session_timeout).',
    }),
    max_lifetime: int({
      default: 480,
      min: 1,
      max: 525600,
      description: 'Minutes after which an SSO session ends however active it is; the user then logs in again.',
    }),
  },
  { description: 'Logins in progress and SSO sessions.' },
);

const housekeeping = section(
  {
    interval: int({
      default: 300,
      min: 1,
      max: 86400,
      description:
        'Seconds between two runs of the sweeper, which deletes expired login contexts, SSO sessions and email codes, and audit events past their retention. Every node runs it; a lease in the database lets one node at a time do the work.',
    }),
    audit_retention_days: int({
      default: 90,
      min: 0,
      max: 36500,
      description: 'Days audit events are kept before the sweeper deletes them. 0 keeps them forever.',
    }),
    batch_size: int({
      default: 500,
      min: 1,
      max: 10000,
      description: 'Rows the sweeper deletes per statement; a large backlog is deleted in several statements so that no table stays locked for long.',
    }),
  },
  { description: 'Deleting what has expired.' },
);

const ui = section(
  {
    theme_directory: str({
      default: '',
      description:
        'Folder of page templates that replace the shipped ones (src/ui/views/*.eta) file by file, e.g. a login.eta with your branding. Empty: the shipped pages. Relative to the working directory; read at start.',
    }),
  },
  { description: 'The login, enrolment and account pages.' },
);

const sampleApp = section(
  {
    enabled: bool({
      default: true,
      description: 'Start the travelocity SAML sample application beside the server, registered on first start with the steps basic then totp.',
    }),
    port: int({ default: 8080, min: 0, max: 65535, description: 'HTTP port of the sample application (0 picks a free port).' }),
    hostname: str({ default: 'localhost', pattern: HOST, format: HOST_FORMAT, description: 'Host name of the sample application in its URLs.' }),
  },
  { description: 'The travelocity sample application.' },
);

const saml = section(
  {
    allow_private_logout_targets: bool({
      default: false,
      description:
        "Whether back-channel Single Logout may POST to loopback, link-local and private addresses (127.0.0.0/8, 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, ::1, fc00::/7, fe80::/10, ...). Off: an application's logout URL cannot make the server reach its own network; the address is checked after DNS resolution, at connect time. Turn on only when your applications' back-channel logout endpoints are on such a network.",
    }),
  },
  { description: 'The SAML 2.0 identity provider.' },
);

const federation = section(
  {
    allow_private_upstreams: bool({
      default: false,
      description:
        'Whether the server may call upstream identity providers (OpenID Connect discovery, token, JWKS, userinfo) on loopback, link-local and private addresses. Off: a tenant admin cannot make the server reach its own network through an identity provider\'s issuer URL; the address is checked after DNS resolution, at connect time.',
    }),
    trusted_ca_file: str({
      default: '',
      description: "PEM file of CA certificates trusted for upstream identity providers, besides the system's (a private PKI). Empty: the system's only.",
    }),
    timeout: int({ default: 10, min: 1, max: 120, description: 'Seconds an upstream identity provider has to answer one request.' }),
  },
  { description: 'Federated identity providers: how the server talks to upstream OpenID Connect providers.' },
);

const totp = section(
  {
    enable: bool({ default: true, description: 'Whether the TOTP authenticator is available to applications (WSO2: enabled by default since 5.9.0).' }),
    secret_storage: oneOf(['database', 'user_store'], {
      default: 'database',
      description:
        "Where a user's active TOTP secret is kept, for tenants that have not chosen (the admin API /api/server/v1/configs/authenticators/totp/secret-storage and the console's TOTP page set it per tenant). database: Portcullis's own database, whatever the user store, so read-only directories work. user_store: users of a secondary store (LDAP, AD, JDBC) get the secret in the attribute the secretkey claim maps to for that store, encrypted with the server's keyring; the credential's parameters, counters and lock state stay in the database. PRIMARY users always keep it in the database (that store is the database). See docs/user-stores.md.",
    }),
    allow_secret_in_enrolment_url: allowSecretInEnrolmentUrl,
    parameters: totpParameters,
  },
  { description: 'The TOTP authenticator.' },
);

const adminServicesTotp = section(
  {
    self_operations: bool({
      default: false,
      description:
        "Whether a user who is not the tenant's admin may call TOTPAdminService on itself (WSO2's AdminServices.TOTPAdminService.SelfOperations.Enabled). Off: only the tenant's admin may call it. On, a password alone can read or replace the user's second factor (retrieveSecretKey, resetTOTP, refreshSecretKey), so leave it off unless a trusted client needs it.",
    }),
  },
  { description: 'TOTPAdminService (/services/TOTPAdminService, SOAP and form-posted).' },
);

// WSO2's [authentication.endpoints] login_url (AuthenticationEndpointURL): the login page, ours or on another host.
const endpoints = section(
  {
    login_url: str({
      default: 'authenticationendpoint/login.do',
      pattern: PAGE,
      format: PAGE_FORMAT,
      description:
        'Page where the user enters a user name and password. A relative path is served here (under /t/{tenant}/ for tenants); an absolute URL sends the browser to a login page on another host with WSO2\'s query (sessionDataKey, t, sp, authenticators, type), which posts back to /commonauth. See docs/wso2-compatibility.md, "Login pages on another host".',
    }),
  },
  { description: 'Where the login pages are (WSO2\'s [authentication.endpoints]).' },
);

export const configSchema = section({
  server,
  logging,
  transport: section({ https }),
  keystore: section({ primary: primaryKeystore }),
  database: section({ identity_db: identityDb }),
  user_store: userStoreList(),
  super_admin: superAdmin,
  encryption,
  password_hashing: passwordHashing,
  rate_limit: rateLimit,
  identity_mgt: section({ account_locking: accountLocking }),
  output_adapter: section({ email }),
  session,
  housekeeping,
  ui,
  sample_app: sampleApp,
  saml,
  federation,
  authentication: section({ authenticator: section({ totp }), endpoints }),
  admin_services: section({ totp: adminServicesTotp }),
  metrics,
  overload,
  config: section(
    {
      strict: bool({
        default: false,
        description:
          'Refuse WSO2 settings that have no effect here instead of starting with a warning for each (the same as starting with --strict). Settings this server reads in WSO2\'s form (jdbc: URLs, [user_store], ...) are still accepted.',
      }),
    },
    { description: 'How this file is read.' },
  ),
});

export type Config = Infer<typeof configSchema>;
export type TotpParameters = Config['authentication']['authenticator']['totp']['parameters'];
