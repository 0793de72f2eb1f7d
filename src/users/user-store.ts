// The contract every user store meets: the SQL store in our database (PRIMARY, and secondary SQL stores)
// and, later, LDAP directories. A store is named by its domain (PRIMARY, LDAP, JDBC, ...), and a user is
// unique by (tenant, domain, name). Stores know users, passwords and attributes; claims are mapped onto
// attributes by the claim service.
import type { UserFilter } from './user-filter.ts';

export interface UserRecord {
  /** Stable id: a UUID for SQL stores, entryUUID for LDAP. */
  id: string;
  tenantId: string;
  storeDomain: string;
  username: string;
  createdAt: number;
  updatedAt: number;
  /**
   * Set when the store itself marks the account disabled (Active Directory's userAccountControl ACCOUNTDISABLE
   * bit): every door that asks lockout.accountState then treats it as a disabled account.
   */
  disabled?: true;
}

export interface NewUser {
  username: string;
  password: string;
  attributes?: Record<string, string>;
  /**
   * A hash carried over from another server (a format PasswordHasher verifies, e.g. WSO2's), stored instead of
   * hashing `password`; only the SQL store in our database takes it (UserService.importUser).
   */
  passwordHash?: string;
}

export interface UserPage {
  total: number;
  users: UserRecord[];
}

export interface ListQuery {
  filter?: UserFilter;
  /** Zero-based. */
  offset: number;
  limit: number;
}

/** What a store can do besides looking users up; services ask this instead of guessing from the type. */
export interface StoreCapabilities {
  /** verifyPassword (a store without it holds no passwords, e.g. a directory bound through another door). */
  readonly verifyPassword: boolean;
  /** list (search with offset/limit and a UserFilter). */
  readonly list: boolean;
  /** create, setPassword, delete, setAttributes. A read-only store refuses with USR-40004 (in UserService). */
  readonly write: boolean;
}

/** UP, or DOWN with a reason fit for an operator (no secrets: never the connection URL). */
export interface StoreHealth {
  status: 'UP' | 'DOWN';
  reason?: string;
}

/**
 * Every store can look users up, say what else it can do, report its health and be closed. The other
 * capabilities are separate interfaces (Keycloak's UserLookupProvider / CredentialInputValidator /
 * UserQueryProvider / UserRegistrationProvider); reach them through canVerify/canList/canWrite in
 * capabilities.ts, which check `capabilities`, so a read-only LDAP or JDBC store is refused before any write.
 */
export interface UserStore {
  readonly domain: string;
  readonly capabilities: StoreCapabilities;
  findByName(tenantId: string, username: string): Promise<UserRecord | undefined>;
  findById(tenantId: string, id: string): Promise<UserRecord | undefined>;
  /** Attribute values by attribute name; absent attributes are missing from the result. */
  getAttributes(user: UserRecord, names?: readonly string[]): Promise<Record<string, string>>;
  /** The same for several users of this store in one round trip (lists), by user id; stores without it are asked per user. */
  getAttributesOfMany?(users: readonly UserRecord[], names: readonly string[]): Promise<Map<string, Record<string, string>>>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
  /** Removes every user of a tenant (tenant deletion); only stores that own their tenant's users have it. */
  deleteTenant?(tenantId: string): Promise<void>;
}

export interface PasswordVerifier {
  /** The user when the password is right; undefined otherwise (no user, no password, wrong password). */
  verifyPassword(tenantId: string, username: string, password: string): Promise<UserRecord | undefined>;
  /**
   * Optional: the user together with what checks its password, read at once (the SQL store reads the row with
   * its hash), so a password check costs one lookup, not a lookup and then a second read for the hash. The
   * check is for this request only: callers use it at once and keep nothing.
   */
  findForPassword?(tenantId: string, username: string): Promise<PasswordCandidate | undefined>;
}

/** A user found by name, and the check of a password against what was read with it. */
export interface PasswordCandidate {
  user: UserRecord;
  /** The user when the password is right; undefined otherwise. */
  verify(password: string): Promise<UserRecord | undefined>;
}

export interface UserQuery {
  list(tenantId: string, query: ListQuery): Promise<UserPage>;
}

export interface UserWriter {
  create(tenantId: string, user: NewUser): Promise<UserRecord>;
  setPassword(user: UserRecord, password: string): Promise<void>;
  delete(user: UserRecord): Promise<void>;
  /** Sets attributes; a null value removes the attribute. */
  setAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void>;
}

/** A store with every capability (the SQL stores implement all of it, then declare what is enabled). */
export type FullUserStore = UserStore & PasswordVerifier & UserQuery & UserWriter;
