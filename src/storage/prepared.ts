// The statements every login runs, built and compiled by Kysely once per dialect and then run with new values.
// Building a query (Kysely's frozen node tree) and compiling it to SQL cost the server's main thread about as
// much CPU per login as SQLite spent running the statements (docs/performance.md, "Sixth pass"). A prepared
// query is written as usual, against the db it is given, with p('name') wherever a value goes: each stays a
// parameter of the compiled SQL, and a run puts that call's values in. Only for a query whose shape does not
// depend on its values (no $if on a value, no list whose length varies, no value Kysely writes into the SQL).
import { createQueryId, type Compilable, type CompiledQuery, type Insertable, type Kysely, type QueryResult } from 'kysely';
import type SQLite from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { Database } from './schema.ts';

type Slot = { param: string } | { value: unknown };

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  slots: readonly Slot[];
}

/**
 * The storage's own SQLite file, which a prepared query may run on without Kysely's executor: synchronously,
 * through the same statement cache, counted by the same counter. Kysely's executor costs a chain of promises and
 * a mutex per statement, more than a small statement takes to run. Registered by openStorage for its Kysely,
 * whose only plugin is the statement counter (a result-transforming plugin would be skipped here).
 */
interface DirectSqlite {
  file: SQLite.Database;
  /** Counts one statement, as the storage's counter plugin does for Kysely's. */
  counted(): void;
}

const direct = new WeakMap<object, DirectSqlite>();

export function runsDirectly(db: Kysely<Database>, file: SQLite.Database, counted: () => void): void {
  direct.set(db, { file, counted });
}

export type Placeholder<P> = <K extends keyof P & string>(name: K) => P[K];

/** Runs the query with these values, on `db` (the storage's Kysely, or a transaction of it). */
export type PreparedQuery<P, R> = (db: Kysely<Database>, params: P) => Promise<QueryResult<R>>;

export function prepared<P extends Record<string, unknown>, R>(build: (db: Kysely<Database>, p: Placeholder<P>) => Compilable<R>): PreparedQuery<P, R> {
  // One template per dialect: the storage and its transactions share the dialect's adapter.
  const templates = new WeakMap<object, Template>();
  return async (db, params) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compileTemplate(db, build);
      templates.set(adapter, template);
    }
    const parameters = template.slots.map((slot) => ('param' in slot ? params[slot.param] : slot.value));
    const sqlite = direct.get(db);
    // Kysely's SQLite driver runs one statement at a time and holds the file for the length of a transaction,
    // across its awaits. Inside someone's transaction the statement must wait its turn through Kysely; outside one
    // it runs now, which is where Kysely would run it (between other statements, never inside a transaction).
    if (sqlite && !sqlite.file.inTransaction) return runOn(sqlite, template.sql, parameters);
    return db.executeQuery<R>({ sql: template.sql, query: template.query, parameters, queryId: createQueryId() });
  };
}

/**
 * An INSERT of one row into `table` with each of `columns` a parameter. A run must give every column (null for
 * none): Kysely leaves an undefined column out of the SQL, which a fixed statement cannot do.
 */
export function preparedInsert<T extends keyof Database & string>(table: T, columns: readonly (keyof Database[T] & string)[]): PreparedQuery<Insertable<Database[T]>, never> {
  type Row = Insertable<Database[T]>;
  const run = prepared<Row, never>((db, p) => {
    const values = Object.fromEntries(columns.map((column) => [column, p(column as keyof Row & string)]));
    return db.insertInto(table).values(values as never);
  });
  return (db, row) => {
    const missing = columns.filter((column) => (row as Record<string, unknown>)[column] === undefined);
    if (missing.length > 0) return Promise.reject(new Error(`insert into ${table}: no value for ${missing.join(', ')} (null for none)`));
    return run(db, row);
  };
}

/** As Kysely's SQLite connection runs a statement, and with the same result. */
function runOn<R>(sqlite: DirectSqlite, sql: string, parameters: readonly unknown[]): QueryResult<R> {
  const statement = sqlite.file.prepare(sql);
  sqlite.counted();
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

function compileTemplate<P>(db: Kysely<Database>, build: (db: Kysely<Database>, p: Placeholder<P>) => Compilable<unknown>): Template {
  // A marker no real value can equal: NUL never occurs in our values, and the random part keeps two
  // templates apart.
  const tag = `\u0000${randomBytes(6).toString('hex')}:`;
  const named = new Set<string>();
  const p = ((name: string) => {
    named.add(name);
    return `${tag}${name}`;
  }) as Placeholder<P>;
  const compiled = build(db, p).compile();
  if (compiled.sql.includes('\u0000')) throw new Error(`prepared query: a placeholder was written into the SQL text, not passed as a parameter: ${compiled.sql}`);
  const slots = compiled.parameters.map((value): Slot => (typeof value === 'string' && value.startsWith(tag) ? { param: value.slice(tag.length) } : { value }));
  const used = new Set(slots.flatMap((slot) => ('param' in slot ? [slot.param] : [])));
  const lost = [...named].filter((name) => !used.has(name));
  if (lost.length > 0) throw new Error(`prepared query: ${lost.join(', ')} did not become parameters: ${compiled.sql}`);
  return { sql: compiled.sql, query: compiled.query, slots };
}
