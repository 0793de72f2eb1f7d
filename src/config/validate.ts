// Walks a parsed TOML (or JSON) value against a schema node, collecting every problem rather than
// stopping at the first, and builds the fully defaulted value with aliases renamed to canonical keys.
import type { ConfigProblem } from './errors.ts';
import type { Infer, SchemaNode, Section, Fields } from './schema-dsl.ts';
import { closest } from './suggest.ts';
import { lineOf, type KeyLines } from './toml-lines.ts';

export interface ValidateOptions {
  /** Key -> line map of the file being validated; absent for JSON overrides. */
  lines?: KeyLines;
  /** Values for absent keys instead of the schema defaults (a tenant override fills from the file). */
  defaults?: unknown;
}

export interface ValidationResult<T> {
  /** Always complete: a key with a bad value holds its default, so callers can keep checking. */
  readonly value: T;
  readonly errors: readonly ConfigProblem[];
}

type Table = Record<string, unknown>;

interface Context {
  readonly lines: KeyLines | undefined;
  readonly errors: ConfigProblem[];
}

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A value as it may appear in a message (never called for secrets). */
export function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (raw instanceof Date) return 'a date';
  if (typeof raw === 'object') return 'a table';
  return `a ${typeof raw}`;
}

/** TOML spelling of a key: bare when it can be, quoted otherwise. */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

export function tableName(path: readonly string[]): string {
  return `[${path.map(tomlKey).join('.')}]`;
}

/** `[a.b] key` for messages, as the key is written in the file. */
export function where(path: readonly string[]): string {
  const parent = path.slice(0, -1);
  const key = tomlKey(path.at(-1) ?? '');
  return parent.length === 0 ? key : `${tableName(parent)} ${key}`;
}

function report(ctx: Context, path: readonly string[], message: string): void {
  const line = ctx.lines ? lineOf(ctx.lines, path) : undefined;
  ctx.errors.push(line === undefined ? { key: path.join('.'), message } : { key: path.join('.'), line, message });
}

function unknownKey(ctx: Context, section: Section<Fields>, path: readonly string[], key: string, raw: unknown): void {
  const names = Object.entries(section.fields).flatMap(([name, node]) =>
    node.node === 'field' ? [name, ...node.aliases] : [name],
  );
  const guess = closest(key, names);
  const guessIsSection = guess !== undefined && section.fields[guess]?.node === 'section';
  const fullGuess = guess === undefined ? '' : guessIsSection ? tableName([...path, guess]) : JSON.stringify(guess);
  const hint = guess === undefined ? '' : ` (did you mean ${fullGuess}?)`;
  const here = path.length === 0 ? 'at the top level' : `in ${tableName(path)}`;
  const what = isTable(raw) ? `unknown section ${tableName([...path, key])}` : `unknown key ${JSON.stringify(key)} ${here}`;
  report(ctx, [...path, key], what + hint);
}

function walkField(ctx: Context, node: SchemaNode & { node: 'field' }, raw: unknown, path: string[], lenient: boolean): {
  ok: boolean;
  value?: unknown;
} {
  const result = node.coerce(raw, node.lenient ?? lenient);
  if (result.ok) return { ok: true, value: result.value };
  const got = node.secret ? ' (value not shown: secret)' : `, got ${show(raw)}`;
  const hint = result.hint === undefined || node.secret ? '' : ` (${result.hint})`;
  report(ctx, path, `${where(path)}: expected ${result.expected}${got}${hint}`);
  return { ok: false };
}

function walkSection(ctx: Context, section: Section<Fields>, raw: unknown, path: string[], base: unknown, lenient: boolean): Table {
  const out: Table = {};
  if (raw !== undefined && !isTable(raw)) {
    report(ctx, path, `${path.map(tomlKey).join('.')}: expected a table ${tableName(path)}, got ${show(raw)}`);
  }
  const table = isTable(raw) ? raw : {};
  const here = lenient || section.lenient;
  const canonical = new Map<string, string>();
  for (const [name, node] of Object.entries(section.fields)) {
    canonical.set(name, name);
    if (node.node === 'field') for (const alias of node.aliases) canonical.set(alias, name);
  }

  const written = new Map<string, string>(); // canonical name -> key as written in the file
  for (const key of Object.keys(table)) {
    const name = canonical.get(key);
    const earlier = name === undefined ? undefined : written.get(name);
    if (name === undefined) unknownKey(ctx, section, path, key, table[key]);
    else if (earlier !== undefined) {
      report(ctx, [...path, key], `${where([...path, key])}: already set as ${JSON.stringify(earlier)} (another name for the same key); keep one`);
    } else written.set(name, key);
  }

  const errorsBefore = ctx.errors.length;
  const baseTable = isTable(base) ? base : {};
  for (const [name, node] of Object.entries(section.fields)) {
    const key = written.get(name);
    const childPath = [...path, key ?? name];
    const fallback = Object.hasOwn(baseTable, name) ? baseTable[name] : node.node === 'field' ? node.default : undefined;
    if (node.node === 'section') {
      out[name] = walkSection(ctx, node, key === undefined ? undefined : table[key], childPath, baseTable[name], here);
    } else if (key === undefined) {
      out[name] = fallback;
    } else {
      const result = walkField(ctx, node, table[key], childPath, here);
      out[name] = result.ok ? result.value : fallback;
    }
  }

  // Cross-field checks only make sense on values that are individually valid.
  if (ctx.errors.length === errorsBefore) {
    for (const issue of section.check(out)) {
      const childPath = [...path, written.get(issue.key) ?? issue.key];
      report(ctx, childPath, `${where(childPath)}: ${issue.message}`);
    }
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates `value` against a schema node. `keyPrefix` is the dotted path the value sits at (used in
 * messages and `ConfigProblem.key`), e.g. `authentication.authenticator.totp.parameters` for a
 * tenant's TOTP override given as JSON. The returned value is deeply frozen.
 */
export function validateSection<N extends SchemaNode>(
  node: N,
  value: unknown,
  keyPrefix: string,
  options: ValidateOptions = {},
): ValidationResult<Infer<N>> {
  const ctx: Context = { lines: options.lines, errors: [] };
  const path = keyPrefix === '' ? [] : keyPrefix.split('.');
  let result: unknown;
  if (node.node === 'section') result = walkSection(ctx, node, value, path, options.defaults, false);
  else {
    const field = walkField(ctx, node, value, path, false);
    result = field.ok ? field.value : (options.defaults ?? node.default);
  }
  return { value: deepFreeze(result) as Infer<N>, errors: ctx.errors };
}
