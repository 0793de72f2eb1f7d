// [[user_store]]: secondary user stores, one table each, as WSO2 declares them (type, domain name, connection,
// read-only). PRIMARY is always Portcullis's own database and is not declared here. Two kinds: SQL databases
// (type "database", alias "jdbc": url, table, columns) and LDAP directories (type "ldap" or
// "active_directory": connection_url, connection_name, user_search_base, ... as WSO2's LDAP user stores).
import type { Coerced, Field } from './schema-dsl.ts';
import { bool, int, oneOf, section, str, type Infer } from './schema-dsl.ts';
import { isTable, validateSection } from './validate.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;
const column = (name: string, fallback: string, what: string) =>
  str({ default: fallback, pattern: IDENTIFIER, format: 'a plain SQL column name', description: `Column of the mapped table that holds ${what}. Only with table.` + (name === 'salt_column' ? ' Empty: no salt column.' : '') });

export const userStoreSection = section(
  {
    type: oneOf(['database', 'ldap', 'active_directory'], {
      default: 'database',
      valueAliases: {
        jdbc: 'database',
        database_unique_id: 'database',
        read_write_ldap_unique_id: 'ldap',
        read_only_ldap_unique_id: 'ldap',
        read_write_ldap: 'ldap',
        read_only_ldap: 'ldap',
        active_directory_unique_id: 'active_directory',
        ad: 'active_directory',
      },
      description:
        'Kind of store. "database" (also "jdbc") is a PostgreSQL or MySQL/MariaDB database reached by url; "ldap" an LDAP directory (OpenLDAP, 389 DS...) and "active_directory" Active Directory, reached by connection_url. WSO2\'s type names are accepted; set read_only yourself.',
    }),
    domain: str({
      default: '',
      pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
      format: 'a store domain such as "JDBC" (letters, digits, _ . -)',
      normalize: (v) => v.toUpperCase(),
      aliases: ['domain_name'],
      description: 'Domain name of the store (upper-cased). Its users sign in as DOMAIN/name; required; PRIMARY is reserved.',
    }),
    tenant: str({ default: 'carbon.super', normalize: (v) => v.toLowerCase(), description: 'Tenant domain the store belongs to. Declare another [[user_store]] for each tenant that needs one.' }),
    url: str({ default: '', secret: true, description: 'Connection URL: postgres://user@host:5432/db or mysql://user@host:3306/db (mariadb:// too). Required. Secret: it may hold a password.' }),
    username: str({ default: '', description: 'Database user; overrides the one in url when not empty.' }),
    password: str({ default: '', secret: true, description: 'Database password; overrides the one in url when not empty.' }),
    read_only: bool({ default: false, description: 'Refuse every change to the store (USR-40004); legacy password hashes are then kept as they are.' }),
    pool_size: int({ default: 5, min: 1, max: 200, description: 'Maximum open connections to this store per node.' }),
    connect_timeout: int({ default: 3000, min: 100, max: 120000, description: 'Milliseconds to open a connection before the store counts as down (USR-50301).' }),
    query_timeout: int({ default: 10000, min: 100, max: 600000, aliases: ['operation_timeout'], description: 'Milliseconds one operation (query, LDAP search or bind) may take before it is abandoned (USR-50301).' }),
    connection_url: str({ default: '', pattern: /^$|^ldaps?:\/\/[^\s/]+\/?$/i, format: 'ldap://host:389 or ldaps://host:636', aliases: ['ConnectionURL'], description: 'LDAP/AD only: the directory, ldap://host:port (with start_tls for TLS) or ldaps://host:port. Required for LDAP stores.' }),
    connection_name: str({ default: '', aliases: ['ConnectionName'], description: 'LDAP/AD only: DN of the service account that searches (and writes, unless read_only), e.g. "cn=portcullis,ou=services,dc=example,dc=com". Empty: anonymous.' }),
    connection_password: str({ default: '', secret: true, aliases: ['ConnectionPassword'], description: 'LDAP/AD only: password of connection_name: as written, `$env{NAME}` (read from the environment variable NAME) or `enc:...` (encrypted with the server keyring; see docs/user-stores.md). Secret: never logged or shown.' }),
    start_tls: bool({ default: false, description: 'LDAP/AD only: upgrade an ldap:// connection with StartTLS before binding (the certificate is verified).' }),
    tls_ca_file: str({ default: '', description: "LDAP/AD only: PEM file of the CA that signed the directory's certificate; empty: the system's CAs." }),
    user_search_base: str({ default: '', aliases: ['UserSearchBase'], description: 'LDAP/AD only: DN under which users are searched (subtree) and created, e.g. "ou=people,dc=example,dc=com". Required for LDAP stores.' }),
    user_name_attribute: str({ default: '', pattern: /^$|^[A-Za-z][A-Za-z0-9-]*$/, format: 'an LDAP attribute name', aliases: ['UserNameAttribute'], description: 'LDAP/AD only: attribute holding the sign-in name. Empty: uid (LDAP) or sAMAccountName (AD; userPrincipalName also works).' }),
    user_name_search_filter: str({ default: '', aliases: ['UserNameSearchFilter'], description: 'LDAP/AD only: filter for one user, ? standing for the name (escaped per RFC 4515). Empty: (&(objectClass=CLASS)(ATTRIBUTE=?)) from user_entry_object_class and user_name_attribute.' }),
    user_name_list_filter: str({ default: '', aliases: ['UserNameListFilter'], description: 'LDAP/AD only: filter for every user (listing, lookups by id). Empty: (objectClass=CLASS).' }),
    user_entry_object_class: str({ default: '', pattern: /^$|^[A-Za-z][A-Za-z0-9-]*$/, format: 'an object class name', aliases: ['UserEntryObjectClass'], description: 'LDAP/AD only: object class of user entries. Empty: inetOrgPerson (LDAP) or user (AD).' }),
    max_search_results: int({ default: 5000, min: 1, max: 100000, aliases: ['MaxUserNameListLength'], description: 'LDAP/AD only: most entries one listing reads (paged, sorted by name in Portcullis); totals are capped at it.' }),
    table: str({ default: '', pattern: new RegExp(`^$|${TABLE.source}`), format: 'empty, or a table name such as "users" or "app.users"', description: 'Existing users table to map. Empty: Portcullis creates its own tables (pcs_store_users, pcs_store_user_attributes) in that database.' }),
    id_column: column('id_column', 'id', "each user's id (generated by the database on insert)"),
    username_column: column('username_column', 'username', 'the user name (compared without regard to case)'),
    password_column: column('password_column', 'password', 'the password hash (argon2id, bcrypt, $pbkdf2-sha256$ or WSO2 salted SHA-256)'),
    salt_column: column('salt_column', '', "WSO2's salt text (UM_SALT_VALUE) for salted SHA-256 hashes"),
  },
  {
    description:
      'A secondary user store (repeat the table for more stores or other tenants). With table set, `attribute_columns = { mail = "email", givenName = "first_name" }` maps attribute names to columns of that table; for an LDAP store, `attributes = { mail = "mail", givenName = "givenName" }` maps attribute names to directory attributes (default: mail, givenName, sn, cn, displayName, telephoneNumber as themselves). See docs/user-stores.md.',
    checks: [
      (s) => (s.domain === '' ? { key: 'domain', message: 'required: the store domain, e.g. "JDBC"' } : undefined),
      (s) => (s.domain === 'PRIMARY' ? { key: 'domain', message: 'PRIMARY is the built-in store; choose another domain name' } : undefined),
      (s) => (s.type === 'database' && s.url === '' ? { key: 'url', message: 'required: postgres://... or mysql://...' } : undefined),
      (s) => (s.type === 'database' && s.url !== '' && !/^(postgres|postgresql|mysql|mariadb):\/\//i.test(s.url) ? { key: 'url', message: 'must start with postgres://, postgresql://, mysql:// or mariadb:// (value not shown: secret)' } : undefined),
      (s) => (s.type !== 'database' && s.connection_url === '' ? { key: 'connection_url', message: 'required for an LDAP store: ldap://host:389 or ldaps://host:636' } : undefined),
      (s) => (s.type !== 'database' && s.user_search_base === '' ? { key: 'user_search_base', message: 'required for an LDAP store: the DN users are searched under' } : undefined),
      (s) => (s.start_tls && /^ldaps:/i.test(s.connection_url) ? { key: 'start_tls', message: 'ldaps:// is already TLS; start_tls is for ldap://' } : undefined),
      (s) => (s.user_name_search_filter !== '' && !s.user_name_search_filter.includes('?') ? { key: 'user_name_search_filter', message: 'must contain ? where the user name goes' } : undefined),
    ],
  },
);

export type UserStoreConfig = Infer<typeof userStoreSection> & {
  /** Attribute name -> column of the mapped table, from `attribute_columns = { mail = "email" }`. */
  readonly attribute_columns: Readonly<Record<string, string>>;
  /** LDAP/AD: attribute name -> directory attribute, from `attributes = { mail = "mail", givenName = "givenName" }`. */
  readonly attributes: Readonly<Record<string, string>>;
};

const LDAP_ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;

function ldapAttributes(raw: unknown): Record<string, string> | string {
  if (raw === undefined) return {};
  if (!isTable(raw)) return 'attributes: expected an inline table such as { mail = "mail", givenName = "givenName" }';
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !LDAP_ATTRIBUTE.test(value)) return `attributes.${name}: expected an LDAP attribute name`;
    out[name] = value;
  }
  return out;
}

const ok = <T>(value: T): Coerced<T> => ({ ok: true, value });

function attributeColumns(raw: unknown): Record<string, string> | string {
  if (raw === undefined) return {};
  if (!isTable(raw)) return 'attribute_columns: expected an inline table such as { mail = "email", givenName = "first_name" }';
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !IDENTIFIER.test(value)) return `attribute_columns.${name}: expected a plain SQL column name`;
    out[name] = value;
  }
  return out;
}

/** The `[[user_store]]` array of tables: each entry is checked against userStoreSection. */
export function userStoreList(): Field<readonly UserStoreConfig[]> & { readonly items: typeof userStoreSection } {
  return {
    node: 'field',
    type: 'array of tables',
    default: [],
    description: 'Secondary user stores, one [[user_store]] table each; see [[user_store]] below and docs/user-stores.md.',
    aliases: [],
    secret: false,
    lenient: undefined,
    items: userStoreSection,
    coerce(raw) {
      if (!Array.isArray(raw)) return { ok: false, expected: 'an array of tables, written [[user_store]]' };
      const out: UserStoreConfig[] = [];
      const domains = new Set<string>();
      for (const [index, entry] of raw.entries()) {
        const where = `[[user_store]] number ${index + 1}`;
        if (!isTable(entry)) return { ok: false, expected: `${where}: a table` };
        const { attribute_columns: rawColumns, attributes: rawAttributes, ...rest } = entry;
        const columns = attributeColumns(rawColumns);
        if (typeof columns === 'string') return { ok: false, expected: `${where}: ${columns}` };
        const attributes = ldapAttributes(rawAttributes);
        if (typeof attributes === 'string') return { ok: false, expected: `${where}: ${attributes}` };
        const result = validateSection(userStoreSection, rest, 'user_store');
        if (result.errors.length > 0) return { ok: false, expected: `${where}: ${result.errors.map((e) => e.message).join('; ')}` };
        const key = `${result.value.tenant}/${result.value.domain}`;
        if (domains.has(key)) return { ok: false, expected: `${where}: domain ${result.value.domain} is declared twice for ${result.value.tenant}` };
        domains.add(key);
        out.push({ ...result.value, attribute_columns: columns, attributes });
      }
      return ok(out);
    },
  };
}
