// WSO2's [database.identity_db]: a JDBC URL and WSO2's type names, turned into this server's database config.
// PostgreSQL and MySQL/MariaDB JDBC URLs become the URLs our drivers take. WSO2's embedded H2 database (the
// untouched default of every stock deployment.toml) means "the embedded database", which here is SQLite; an H2
// database anywhere else holds data this server cannot read, so it stops the start. Other engines stop it too.
import type { ConfigProblem } from './errors.ts';

type Table = Record<string, unknown>;

export interface DatabaseOutcome {
  readonly warnings: readonly ConfigProblem[];
  readonly problems: readonly ConfigProblem[];
}

/** The path of WSO2's stock embedded databases: ./repository/database/WSO2IDENTITY_DB (or SHARED_DB, CARBON_DB). */
const STOCK_H2 = /^jdbc:h2:\.\/repository\/database\/WSO2[A-Z_]*DB(?:;.*)?$/i;

const UNSUPPORTED: Readonly<Record<string, string>> = {
  mssql: 'Microsoft SQL Server',
  oracle: 'Oracle',
  db2: 'IBM DB2',
  informix: 'Informix',
};

/** JDBC parameters our drivers understand under the same name; the rest are JDBC-driver settings. */
const KEPT_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  postgres: ['sslmode', 'application_name'],
  mysql: ['ssl'],
};

/** jdbc:postgresql://h:5432/db?x -> { url: postgres://h:5432/db, dropped: [...] }; undefined when not such a URL. */
export function fromJdbcUrl(url: string): { type: 'postgres' | 'mysql'; url: string; dropped: string[]; user?: string; password?: string } | undefined {
  const match = /^jdbc:(postgresql|mysql|mariadb):\/\/([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(url.trim());
  if (!match) return undefined;
  const type = match[1]!.toLowerCase() === 'postgresql' ? 'postgres' : 'mysql';
  const scheme = type === 'postgres' ? 'postgres' : 'mysql';
  const kept = new URLSearchParams();
  const dropped: string[] = [];
  // JDBC takes credentials as parameters too (?user=..&password=..); they become username and password.
  const credentials: { user?: string; password?: string } = {};
  for (const [name, value] of new URLSearchParams(match[4] ?? '')) {
    if (name === 'user' || name === 'password') credentials[name] = value;
    else if (KEPT_PARAMETERS[type]!.includes(name)) kept.append(name, value);
    else dropped.push(name);
  }
  const query = kept.size > 0 ? `?${kept.toString()}` : '';
  return { type, url: `${scheme}://${match[2]}${match[3] ?? ''}${query}`, dropped, ...credentials };
}

function engineOf(type: unknown, url: string): string {
  const named = typeof type === 'string' ? type.toLowerCase() : '';
  if (named !== '') return named;
  const scheme = /^jdbc:([a-z0-9]+):/i.exec(url)?.[1]?.toLowerCase();
  return scheme ?? '';
}

/**
 * Rewrites `db` (the raw [database.identity_db] table, changed in place) from WSO2's form to ours. `at(key)`
 * gives the line of a key. Tables already in our form (no jdbc: URL, one of our types) pass untouched.
 */
export function translateIdentityDb(db: Table, at: (key: string) => number | undefined): DatabaseOutcome {
  const warnings: ConfigProblem[] = [];
  const problems: ConfigProblem[] = [];
  const where = '[database.identity_db]';
  const note = (list: ConfigProblem[], key: string, message: string) => {
    const line = at(key);
    list.push({ key: `database.identity_db.${key}`, ...(line === undefined ? {} : { line }), message: `${where} ${key}: ${message}` });
  };
  const url = typeof db.url === 'string' ? db.url : '';
  const engine = engineOf(db.type, url);

  if (engine === 'h2') {
    if (url !== '' && !STOCK_H2.test(url)) {
      note(problems, 'type', 'H2 is a Java database this server cannot open, and this url names an H2 database that may hold your data (value not shown: secret). Use type = "sqlite" (embedded, remove url) for a fresh start, or "postgre"/"mysql" with a jdbc:postgresql:// or jdbc:mysql:// url; move WSO2\'s data to PostgreSQL or MySQL first to keep it');
      return { warnings, problems };
    }
    for (const key of ['type', 'url', 'username', 'password', 'driver']) delete db[key];
    db.type = 'sqlite';
    note(warnings, 'type', 'WSO2\'s embedded H2 database is read here as "the embedded database": Portcullis uses its own SQLite file ({data_dir}/portcullis.db, or path) and nothing stored in WSO2\'s H2 files is carried over. For production set type = "postgre" or "mysql" with their jdbc: url');
    return { warnings, problems };
  }
  const unsupported = UNSUPPORTED[engine];
  if (unsupported !== undefined) {
    note(problems, 'type', `${unsupported} is not supported by this server. Use type = "postgre" (PostgreSQL) or "mysql" (MySQL, MariaDB) with a jdbc:postgresql:// or jdbc:mysql:// url, or "sqlite"`);
    return { warnings, problems };
  }
  if (/^jdbc:/i.test(url)) {
    const mapped = fromJdbcUrl(url);
    if (mapped === undefined) {
      note(problems, 'url', 'a JDBC URL this server cannot use (value not shown: secret); expected jdbc:postgresql://host:port/db, jdbc:mysql://host:port/db or jdbc:mariadb://host:port/db');
      return { warnings, problems };
    }
    db.url = mapped.url;
    if (db.type === undefined) db.type = mapped.type;
    if (mapped.user !== undefined && db.username === undefined) db.username = mapped.user;
    if (mapped.password !== undefined && db.password === undefined) db.password = mapped.password;
    // WSO2 keeps credentials beside the URL; they go into it too, because pg reads the user from a connection
    // string even when none is there (a separate user option is then lost).
    const withCredentials = new URL(mapped.url);
    if (typeof db.username === 'string' && db.username !== '') withCredentials.username = db.username;
    if (typeof db.password === 'string' && db.password !== '') withCredentials.password = db.password;
    db.url = withCredentials.toString();
    if (mapped.dropped.length > 0) note(warnings, 'url', `JDBC driver parameters ${mapped.dropped.join(', ')} have no effect here and are left out`);
  }
  return { warnings, problems };
}
