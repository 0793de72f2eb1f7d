// Where a JDBC store's users live: either tables Portcullis creates and owns (a tenant column, attributes as
// name/value rows, like PRIMARY), or an existing users table mapped column by column (attributes are columns;
// the table belongs to the one tenant the store is declared for).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AnyDatabase } from './jdbc-connection.ts';
import type { MappedTable } from './jdbc-settings.ts';

export const MANAGED_USERS = 'pcs_store_users';
export const MANAGED_ATTRIBUTES = 'pcs_store_user_attributes';

export interface Layout {
  table: string;
  id: string;
  username: string;
  password: string;
  salt?: string;
  /** Managed tables only: the tenant column, the lower-cased name column and the timestamps. */
  managed: boolean;
  /** Mapped tables only: attribute name -> column. */
  columns: Record<string, string>;
}

export function managedLayout(): Layout {
  return { table: MANAGED_USERS, id: 'id', username: 'username', password: 'password_hash', salt: 'salt', managed: true, columns: {} };
}

export function mappedLayout(m: MappedTable): Layout {
  return { table: m.table, id: m.idColumn, username: m.usernameColumn, password: m.passwordColumn, ...(m.saltColumn ? { salt: m.saltColumn } : {}), managed: false, columns: m.attributeColumns };
}

/** Creates the managed tables when missing (on first use; the store's database user needs CREATE). */
export async function createManagedTables(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .createTable(MANAGED_USERS)
    .ifNotExists()
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('username', 'varchar(255)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('salt', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('pcs_store_users_name', ['tenant_id', 'username_key'])
    .execute();
  await db.schema
    .createTable(MANAGED_ATTRIBUTES)
    .ifNotExists()
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'varchar(1024)', (c) => c.notNull())
    .addPrimaryKeyConstraint('pcs_store_user_attributes_pk', ['user_id', 'name'])
    .execute();
}

export type Sql = RawBuilder<unknown>;
export const ref = (column: string): Sql => sql.ref(column);
export const table = (name: string): Sql => sql.table(name);
