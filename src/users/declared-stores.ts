// The store a [[user_store]] table of deployment.toml declares, by its type: a SQL database (JDBC) or an
// LDAP / Active Directory directory. Connections open on first use, so a store that is down does not stop
// the server from starting.
import type { Clock } from '../time/clock.ts';
import { settingsOf, type DeclaredStore } from './jdbc/jdbc-settings.ts';
import { JdbcUserStore } from './jdbc/jdbc-user-store.ts';
import { ldapSettingsOf, type DeclaredDirectory } from './ldap/ldap-settings.ts';
import type { SecretDecrypter } from './store-secrets.ts';
import { LdapUserStore } from './ldap/ldap-user-store.ts';
import type { PasswordHasher } from './password-hash.ts';
import type { UserStore } from './user-store.ts';

/** `decrypt` is the server keyring's, for an `enc:` password (store-secrets.ts). */
export function storeOfDeclared(declared: DeclaredStore & DeclaredDirectory, hasher: PasswordHasher, clock: Clock, decrypt?: SecretDecrypter): UserStore {
  if (declared.type === 'ldap' || declared.type === 'active_directory') return new LdapUserStore(ldapSettingsOf(declared, process.env, decrypt), clock);
  return new JdbcUserStore(settingsOf(declared, process.env, decrypt), hasher, clock);
}
