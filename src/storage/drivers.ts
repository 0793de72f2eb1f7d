// The PostgreSQL and MySQL drivers, loaded on first use: a node on SQLite (the default) with no SQL user
// store never loads either, which keeps start-up time and memory down (each is about 15 MB resident).
import type pgModule from 'pg';
import type * as mysqlModule from 'mysql2';

let pg: Promise<typeof pgModule> | undefined;

/** The pg module, configured once for the whole process. */
export function loadPg(): Promise<typeof pgModule> {
  pg ??= import('pg').then(({ default: m }) => {
    // PostgreSQL returns bigint (int8) columns and count(*) as strings; our bigints are epoch ms and
    // counters, well inside Number's safe range.
    m.types.setTypeParser(20, (v) => Number(v));
    return m;
  });
  return pg;
}

export function loadMysql(): Promise<typeof mysqlModule> {
  return import('mysql2');
}
