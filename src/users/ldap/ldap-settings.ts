// What an LDAP or Active Directory user store needs, as read from a [[user_store]] table of deployment.toml
// (WSO2's key names where they map: connection_url, connection_name, user_search_base, ...).
import { secretOf, type SecretDecrypter } from '../store-secrets.ts';

export type DirectoryKind = 'ldap' | 'active_directory';

export interface LdapStoreSettings {
  kind: DirectoryKind;
  /** Upper-case store domain, e.g. LDAP. */
  domain: string;
  /** Tenant domain the store belongs to. */
  tenant: string;
  /** ldap://host:389 or ldaps://host:636. Never logged. */
  url: string;
  /** Service account (bind DN) used for searches and writes; empty: anonymous. */
  bindDn: string;
  bindPassword: string;
  /** Upgrade ldap:// with StartTLS before binding. */
  startTls: boolean;
  /** PEM file of the CA that signed the directory's certificate; empty: the system's CAs. */
  tlsCaFile: string;
  userSearchBase: string;
  /** Attribute holding the sign-in name: uid (OpenLDAP), sAMAccountName or userPrincipalName (AD). */
  usernameAttribute: string;
  /** Filter for one user, `?` standing for the escaped name, e.g. (&(objectClass=person)(uid=?)). */
  usernameSearchFilter: string;
  /** Filter for every user (listing), e.g. (objectClass=person). */
  userListFilter: string;
  /** Attribute holding the stable id: entryUUID (LDAP) or objectGUID (AD). */
  idAttribute: string;
  /** Object classes of new entries. */
  objectClasses: string[];
  /** Portcullis attribute name -> directory attribute, e.g. { mail: 'mail', givenName: 'givenName' }. */
  attributes: Record<string, string>;
  readOnly: boolean;
  poolSize: number;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  /** Largest number of entries one listing reads from the directory (sizeLimit). */
  maxSearchResults: number;
}

export const DEFAULT_LDAP_ATTRIBUTES: Readonly<Record<string, string>> = {
  mail: 'mail',
  givenName: 'givenName',
  sn: 'sn',
  cn: 'cn',
  displayName: 'displayName',
  telephoneNumber: 'telephoneNumber',
};

/** One [[user_store]] table, as the config schema gives it (structural: no config import). */
export interface DeclaredDirectory {
  type: string;
  domain: string;
  tenant: string;
  connection_url: string;
  connection_name: string;
  connection_password: string;
  start_tls: boolean;
  tls_ca_file: string;
  user_search_base: string;
  user_name_attribute: string;
  user_name_search_filter: string;
  user_name_list_filter: string;
  user_entry_object_class: string;
  read_only: boolean;
  pool_size: number;
  connect_timeout: number;
  query_timeout: number;
  max_search_results: number;
  attributes: Readonly<Record<string, string>>;
}

export function ldapSettingsOf(d: DeclaredDirectory, env: NodeJS.ProcessEnv = process.env, decrypt?: SecretDecrypter): LdapStoreSettings {
  const ad = d.type === 'active_directory';
  const nameAttribute = d.user_name_attribute || (ad ? 'sAMAccountName' : 'uid');
  const objectClass = d.user_entry_object_class || (ad ? 'user' : 'inetOrgPerson');
  return {
    kind: ad ? 'active_directory' : 'ldap',
    domain: d.domain.toUpperCase(),
    tenant: d.tenant,
    url: d.connection_url,
    bindDn: d.connection_name,
    bindPassword: secretOf(d.connection_password, env, decrypt),
    startTls: d.start_tls,
    tlsCaFile: d.tls_ca_file,
    userSearchBase: d.user_search_base,
    usernameAttribute: nameAttribute,
    usernameSearchFilter: d.user_name_search_filter || `(&(objectClass=${objectClass})(${nameAttribute}=?))`,
    userListFilter: d.user_name_list_filter || `(objectClass=${objectClass})`,
    idAttribute: ad ? 'objectGUID' : 'entryUUID',
    objectClasses: [...new Set(['top', 'person', 'organizationalPerson', objectClass])],
    attributes: Object.keys(d.attributes).length > 0 ? { ...d.attributes } : { ...DEFAULT_LDAP_ATTRIBUTES },
    readOnly: d.read_only,
    poolSize: d.pool_size,
    connectTimeoutMs: d.connect_timeout,
    operationTimeoutMs: d.query_timeout,
    maxSearchResults: d.max_search_results,
  };
}
