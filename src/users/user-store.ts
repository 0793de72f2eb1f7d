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
}

export interface NewUser {
  username: string;
  password: string;
  attributes?: Record<string, string>;
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

export interface UserStore {
  readonly domain: string;
  readonly readOnly: boolean;
  findByName(tenantId: string, username: string): Promise<UserRecord | undefined>;
  findById(tenantId: string, id: string): Promise<UserRecord | undefined>;
  /** The user when the password is right; undefined otherwise (no user, no password, wrong password). */
  verifyPassword(tenantId: string, username: string, password: string): Promise<UserRecord | undefined>;
  create(tenantId: string, user: NewUser): Promise<UserRecord>;
  setPassword(user: UserRecord, password: string): Promise<void>;
  delete(user: UserRecord): Promise<void>;
  /** Attribute values by attribute name; absent attributes are missing from the result. */
  getAttributes(user: UserRecord, names?: readonly string[]): Promise<Record<string, string>>;
  /** Sets attributes; a null value removes the attribute. */
  setAttributes(user: UserRecord, values: Record<string, string | null>): Promise<void>;
  list(tenantId: string, query: ListQuery): Promise<UserPage>;
  /** Removes every user of a tenant (tenant deletion). */
  deleteTenant?(tenantId: string): Promise<void>;
}
