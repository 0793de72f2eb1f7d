// The PostgreSQL and MySQL drivers, loaded on first use: a node on SQLite (the default) with no SQL user
// store never loads either, which keeps start-up time and memory down (each is about 15 MB resident).
import type pgModule from 'pg';
import type * as mysqlModule from 'mysql2';
import { once } from '../cache/lazy-module.ts';

/** The pg module, configured once for the whole process. */
export const loadPg: () => Promise<typeof pgModule> = once(() =>
  import('pg').then(({ default: m }) => {
    // PostgreSQL returns bigint (int8) columns and count(*) as strings; our bigints are epoch ms and
    // counters, well inside Number's safe range.
    m.types.setTypeParser(20, (v) => Number(v));
    return m;
  }),
);

export const loadMysql: () => Promise<typeof mysqlModule> = once(() => import('mysql2'));
