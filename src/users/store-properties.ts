// A secondary store's settings as the admin API and the console carry them: WSO2's `properties` list
// ([{name, value}], values as strings) with WSO2's property names where they map (ConnectionURL, UserSearchBase,
// url, userName, password, ReadOnly, ...). They are checked by the very rules of a [[user_store]] table in
// deployment.toml (userStoreSection: its fields, aliases and cross-field checks), so a store added at run time
// can hold nothing a declared one could not. Secret keys (url, password, connection_password) come out apart.
import { userStoreSection, type UserStoreConfig } from '../config/user-store-schema.ts';
import { validateSection } from '../config/validate.ts';
import { AppError } from '../errors/app-error.ts';
import { isIndirectSecret } from './store-secrets.ts';

export type StoreType = 'database' | 'ldap' | 'active_directory';
export type Settings = Record<string, unknown>;
export type Secrets = Partial<Record<SecretKey, string>>;

export const SECRET_KEYS = ['url', 'password', 'connection_password'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Keys each type may set through the API (domain is the store's name; tenant is the request's). */
const COMMON = ['read_only', 'pool_size', 'connect_timeout', 'query_timeout'];
export const KEYS_OF: Record<StoreType, readonly string[]> = {
  database: ['url', 'username', 'password', 'table', 'id_column', 'username_column', 'password_column', 'salt_column', ...COMMON],
  // tls_ca_file names a file on the server: deployment.toml only, not a tenant admin's to point anywhere.
  ldap: ['connection_url', 'connection_name', 'connection_password', 'start_tls', 'user_search_base', 'user_name_attribute', 'user_name_search_filter', 'user_name_list_filter', 'user_entry_object_class', 'max_search_results', ...COMMON],
  active_directory: [],
};
KEYS_OF.active_directory = KEYS_OF.ldap;

/** WSO2 property names that are not aliases in the schema, and their keys. driverName is implied by the url. */
const WSO2_NAMES: Record<string, string> = { ReadOnly: 'read_only', userName: 'username', StartTLSEnabled: 'start_tls', maxActive: 'pool_size' };
const IGNORED = new Set(['driverName']);

/** WSO2's user store managers (typeName) and the type and default read-only flag each means. */
export const STORE_TYPES: readonly { typeName: string; className: string; type: StoreType; readOnly: boolean }[] = [
  { typeName: 'UniqueIDReadWriteLDAPUserStoreManager', className: 'org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager', type: 'ldap', readOnly: false },
  { typeName: 'UniqueIDReadOnlyLDAPUserStoreManager', className: 'org.wso2.carbon.user.core.ldap.UniqueIDReadOnlyLDAPUserStoreManager', type: 'ldap', readOnly: true },
  { typeName: 'UniqueIDActiveDirectoryUserStoreManager', className: 'org.wso2.carbon.user.core.ldap.UniqueIDActiveDirectoryUserStoreManager', type: 'active_directory', readOnly: false },
  { typeName: 'UniqueIDJDBCUserStoreManager', className: 'org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager', type: 'database', readOnly: false },
];

export const typeIdOf = (typeName: string) => Buffer.from(typeName, 'utf8').toString('base64url');

/** The WSO2 type for a typeId, a typeName, or one of our type names (jdbc, ldap, ...); 400 naming typeName otherwise. */
export function storeTypeOf(typeIdOrName: string): (typeof STORE_TYPES)[number] {
  const byWso2 = STORE_TYPES.find((t) => t.typeName === typeIdOrName || typeIdOf(t.typeName) === typeIdOrName);
  if (byWso2) return byWso2;
  const coerced = userStoreSection.fields.type.coerce(typeIdOrName, false);
  const mine = coerced.ok ? STORE_TYPES.find((t) => t.type === coerced.value) : undefined;
  if (mine) return mine;
  throw invalid('typeName', `unknown store type; one of ${STORE_TYPES.map((t) => t.typeName).join(', ')} (or jdbc, ldap, active_directory)`);
}

/** The key a property name means (canonical, alias or WSO2 name), or undefined. */
function keyOf(name: string): string | undefined {
  if (WSO2_NAMES[name]) return WSO2_NAMES[name];
  for (const [key, node] of Object.entries(userStoreSection.fields)) if (key === name || node.aliases.includes(name)) return key;
  return undefined;
}

/** The name a key is shown under: its WSO2 (CamelCase) alias when it has one. */
export function propertyNameOf(key: string): string {
  const wso2 = Object.entries(WSO2_NAMES).find(([, k]) => k === key)?.[0];
  return userStoreSection.fields[key as keyof typeof userStoreSection.fields]?.aliases.find((a) => /^[A-Z]/.test(a)) ?? wso2 ?? key;
}

export const isSecretKey = (key: string): key is SecretKey => (SECRET_KEYS as readonly string[]).includes(key);

function invalid(property: string, message: string): AppError {
  return new AppError('USR-40006', { description: `${property}: ${message}` });
}

/** The section with WSO2's string values accepted ("true", "5000"), the rules otherwise unchanged. */
const lenientSection = { ...userStoreSection, lenient: true };

/**
 * Checks a store's properties. `previous` is the store's current state (an update): a secret the request leaves
 * out keeps its value, and a key left out keeps its default. Secrets are taken as written: `$env{NAME}` and
 * `enc:` are deployment.toml forms, refused here (a tenant admin must not read the server's environment).
 */
export function checkProperties(input: { domain: string; type: StoreType; readOnly: boolean; properties: readonly { name: string; value: unknown }[] }, previousSecrets: Secrets = {}): { domain: string; settings: Settings; secrets: Secrets } {
  const table: Record<string, unknown> = { type: input.type, domain: input.domain, read_only: input.readOnly };
  const nameOf = new Map<string, string>([['domain', 'name']]);
  for (const { name, value } of input.properties) {
    if (IGNORED.has(name)) continue;
    const key = keyOf(name);
    if (!key || !KEYS_OF[input.type].includes(key)) throw invalid(name, key ? `does not apply to a ${input.type} store` : 'unknown property');
    if (nameOf.has(key) && key !== 'read_only') throw invalid(name, `set twice (also as ${nameOf.get(key)})`);
    // A form or client that sends back what GET showed (the mask) keeps the secret it has.
    const kept = previousSecrets[key as SecretKey];
    if (isSecretKey(key) && kept !== undefined && (value === MASK || (key === 'url' && value === maskedUrl(kept)))) continue;
    if (isSecretKey(key) && typeof value === 'string' && (isIndirectSecret(value) || (key === 'url' && urlPasswordIsIndirect(value)))) {
      throw invalid(name, 'give the secret itself; $env{...} and enc:... are read only from deployment.toml');
    }
    nameOf.set(key, name);
    table[key] = value;
  }
  for (const key of SECRET_KEYS) if (table[key] === undefined && previousSecrets[key] !== undefined && KEYS_OF[input.type].includes(key)) table[key] = previousSecrets[key];
  const result = validateSection(lenientSection, table, '');
  const first = result.errors[0];
  if (first) {
    const key = first.key.split('.')[0]!;
    throw invalid(nameOf.get(key) ?? propertyNameOf(key), first.message.replace(/^[^:]*:\s*/, ''));
  }
  const settings: Settings = {};
  const secrets: Secrets = {};
  for (const key of KEYS_OF[input.type]) {
    const value = (result.value as Settings)[key];
    if (isSecretKey(key)) {
      if (typeof value === 'string' && value !== '') secrets[key] = value;
    } else settings[key] = value;
  }
  return { domain: result.value.domain, settings, secrets };
}

function urlPasswordIsIndirect(url: string): boolean {
  try {
    return isIndirectSecret(decodeURIComponent(new URL(url).password));
  } catch {
    return false;
  }
}

/** A full [[user_store]] table (defaults filled in) for settings checked by checkProperties, to build the live store. */
export function declaredOf(domain: string, tenantDomain: string, type: StoreType, settings: Settings, secrets: Secrets): UserStoreConfig {
  const result = validateSection(lenientSection, { ...settings, ...secrets, type, domain, tenant: tenantDomain }, '');
  return { ...result.value, attribute_columns: {}, attributes: {} };
}

/** The properties to show: every setting under its WSO2 name; secrets never, only whether one is set. */
export function shownProperties(settings: Settings, secrets: Secrets): { name: string; value: string }[] {
  const out = Object.entries(settings).map(([key, value]) => ({ name: propertyNameOf(key), value: String(value) }));
  for (const key of SECRET_KEYS) if (secrets[key] !== undefined) out.push({ name: propertyNameOf(key), value: key === 'url' ? maskedUrl(secrets[key]) : MASK });
  return out;
}

export const MASK = '********';

/** A connection URL without its credentials (user and password are shown as the mask). */
export function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '' && parsed.username === '') return url;
    return `${parsed.protocol}//${MASK}@${parsed.host}${parsed.pathname}`;
  } catch {
    return MASK;
  }
}
