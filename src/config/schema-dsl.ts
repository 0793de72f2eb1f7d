// A tiny schema language for deployment.toml. Every key carries its type, default and description,
// so one definition drives validation, the inferred `Config` type and docs/configuration.md.
// Hand-rolled rather than zod/typebox because we need things those do not give cheaply: key aliases
// (WSO2's snake_case names), WSO2-style lenient strings ("30", "true"), secret-aware messages and
// a docs table per section.

/** Outcome of turning one raw TOML/JSON value into a typed value. */
export type Coerced<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly expected: string; readonly hint?: string };

export interface Field<T> {
  readonly node: 'field';
  /** Type as shown in the docs, e.g. `integer (1..65535)`. */
  readonly type: string;
  readonly default: T;
  readonly description: string;
  /** Other key names accepted for this key (normalised to the canonical name). */
  readonly aliases: readonly string[];
  /** Secrets are never echoed in error messages or the docs. */
  readonly secret: boolean;
  /** Accept "30" for an integer and "true"/"false" for a boolean. Undefined: inherit from the section. */
  readonly lenient: boolean | undefined;
  /** Allowed values and value aliases, for the docs. */
  readonly allowed?: readonly (string | number)[];
  readonly valueAliases?: Readonly<Record<string, string | number>>;
  coerce(raw: unknown, lenient: boolean): Coerced<T>;
}

/** A problem found by a cross-field check, on a key of the section (canonical name). */
export interface CheckIssue {
  readonly key: string;
  readonly message: string;
}

export interface Section<F extends Fields> {
  readonly node: 'section';
  readonly fields: F;
  readonly description: string;
  readonly lenient: boolean;
  // Method syntax on purpose: it keeps Section<F> assignable to Section<Fields>.
  check(value: InferFields<F>): readonly CheckIssue[];
}

/** Any field: Field<T> only hands T out, so Field<number> is a Field<unknown>. */
export type AnyField = Field<unknown>;
export type SchemaNode = AnyField | Section<Fields>;
export interface Fields {
  readonly [key: string]: SchemaNode;
}

export type Infer<N> = N extends Section<infer F> ? InferFields<F> : N extends Field<infer T> ? T : never;
export type InferFields<F extends Fields> = { readonly [K in keyof F]: Infer<F[K]> };

interface CommonOptions<T> {
  default: T;
  description: string;
  aliases?: readonly string[];
  secret?: boolean;
  lenient?: boolean;
  /** Extra validation; returns what was expected (e.g. `an absolute https URL`) or undefined if fine. */
  check?: (value: T) => string | undefined;
}

function field<T>(
  options: CommonOptions<T>,
  type: string,
  parse: (raw: unknown, lenient: boolean) => Coerced<T>,
  extra: Partial<Pick<Field<T>, 'allowed' | 'valueAliases'>> = {},
): Field<T> {
  const check = options.check;
  return {
    node: 'field',
    type,
    default: options.default,
    description: options.description,
    aliases: options.aliases ?? [],
    secret: options.secret ?? false,
    lenient: options.lenient,
    ...extra,
    coerce(raw, lenient) {
      const result = parse(raw, lenient);
      if (!result.ok || check === undefined) return result;
      const problem = check(result.value);
      return problem === undefined ? result : { ok: false, expected: problem };
    },
  };
}

const ok = <T>(value: T): Coerced<T> => ({ ok: true, value });
const fail = (expected: string, hint?: string): Coerced<never> =>
  hint === undefined ? { ok: false, expected } : { ok: false, expected, hint };

export interface StrOptions extends CommonOptions<string> {
  pattern?: RegExp;
  /** How to describe the pattern in messages, e.g. `a host name`. */
  format?: string;
  /** Applied after validation, e.g. trimming list entries. */
  normalize?: (value: string) => string;
}

export function str(options: StrOptions): Field<string> {
  const { pattern, format, normalize } = options;
  const expected = format ?? (pattern ? `a string matching ${String(pattern)}` : 'a string');
  return field(options, 'string', (raw) => {
    if (typeof raw !== 'string') return fail(expected);
    if (pattern && !pattern.test(raw)) return fail(expected);
    return ok(normalize ? normalize(raw) : raw);
  });
}

/** Integer strings as WSO2 writes them in deployment.toml (`timeStepSize = "30"`). */
const INT_STRING = /^[+-]?\d+$/;

export interface IntOptions extends CommonOptions<number> {
  min?: number;
  max?: number;
}

function rangeText(kind: string, min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `${kind} between ${min} and ${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

function typeWithRange(kind: string, min?: number, max?: number): string {
  if (min === undefined && max === undefined) return kind;
  return `${kind} (${min ?? ''}..${max ?? ''})`;
}

export function int(options: IntOptions): Field<number> {
  const { min, max } = options;
  const expected = rangeText('an integer', min, max);
  return field(options, typeWithRange('integer', min, max), (raw, lenient) => {
    let value = raw;
    if (lenient && typeof value === 'string' && INT_STRING.test(value.trim())) value = Number(value.trim());
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(expected);
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) return fail(expected);
    return ok(value);
  });
}

export function float(options: IntOptions): Field<number> {
  const { min, max } = options;
  const expected = rangeText('a number', min, max);
  return field(options, typeWithRange('number', min, max), (raw, lenient) => {
    let value = raw;
    if (lenient && typeof value === 'string' && value.trim() !== '') value = Number(value.trim());
    if (typeof value !== 'number' || !Number.isFinite(value)) return fail(expected);
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) return fail(expected);
    return ok(value);
  });
}

export function bool(options: CommonOptions<boolean>): Field<boolean> {
  return field(options, 'boolean', (raw, lenient) => {
    if (typeof raw === 'boolean') return ok(raw);
    // WSO2 reads these with Boolean.parseBoolean, which ignores case; anything else would silently be
    // false there, so we refuse it instead.
    if (lenient && typeof raw === 'string') {
      const text = raw.trim().toLowerCase();
      if (text === 'true' || text === 'false') return ok(text === 'true');
    }
    return fail('true or false');
  });
}

export interface OneOfOptions<T> extends CommonOptions<T> {
  /** Other spellings of allowed values, e.g. `{ postgre: 'postgres' }` (WSO2 writes `type = "postgre"`). */
  valueAliases?: Readonly<Record<string, T>>;
}

export function oneOf<const T extends string | number>(
  values: readonly T[],
  options: OneOfOptions<NoInfer<T>>,
): Field<T> {
  const shown = values.map((v) => JSON.stringify(v)).join(', ');
  const numeric = values.every((v) => typeof v === 'number');
  const type = numeric ? `integer, one of ${values.join(', ')}` : `string, one of ${shown}`;
  const aliases = options.valueAliases ?? {};
  return field(
    options,
    type,
    (raw, lenient) => {
      let value = raw;
      if (numeric && lenient && typeof value === 'string' && INT_STRING.test(value.trim())) {
        value = Number(value.trim());
      }
      const hit = values.find((v) => v === value);
      if (hit !== undefined) return ok(hit);
      if (typeof value === 'string' && Object.hasOwn(aliases, value)) return ok(aliases[value] as T);
      // A case slip (`base64`) is refused, not guessed: WSO2 would read it differently (as Base32).
      const near = typeof value === 'string' ? values.find((v) => String(v).toLowerCase() === value.toLowerCase()) : undefined;
      return fail(`one of ${shown}`, near === undefined ? undefined : `did you mean ${JSON.stringify(near)}?`);
    },
    { allowed: values, valueAliases: aliases },
  );
}

/**
 * WSO2's encodingMethod: `"Base64".equals(value)` picks Base64, and every other string, whatever its case,
 * Base32 (TOTPUtil.getEncodingMethod). Portcullis reads it the same way so a WSO2 file means what it meant
 * there; the drop-in reader warns about values that are neither spelling.
 */
export function wso2Encoding(options: CommonOptions<'Base32' | 'Base64'>): Field<'Base32' | 'Base64'> {
  return field(
    options,
    'string: "Base64" (exactly) or anything else for "Base32"',
    (raw) => (typeof raw === 'string' ? ok(raw === 'Base64' ? 'Base64' : 'Base32') : fail('a string such as "Base32" or "Base64"')),
    { allowed: ['Base32', 'Base64'] },
  );
}

export interface ListOptions extends CommonOptions<readonly string[]> {
  /** Validates each entry; returns what was expected or undefined. */
  item?: (value: string) => string | undefined;
}

export function list(options: ListOptions): Field<readonly string[]> {
  const item = options.item;
  return field(options, 'array of strings', (raw) => {
    if (!Array.isArray(raw) || !raw.every((v): v is string => typeof v === 'string')) {
      return fail('an array of strings');
    }
    for (const [index, entry] of raw.entries()) {
      const problem = item?.(entry);
      if (problem !== undefined) return fail(`${problem} (entry ${index + 1})`);
    }
    return ok([...raw]);
  });
}

export interface SectionOptions<F extends Fields> {
  description?: string;
  /** WSO2 files write TOTP parameters as strings; fields inherit this unless they say otherwise. */
  lenient?: boolean;
  /** Cross-field checks, run only when every field of the section is valid. */
  checks?: readonly ((value: InferFields<F>) => CheckIssue | undefined)[];
}

export function section<F extends Fields>(fields: F, options: SectionOptions<F> = {}): Section<F> {
  const checks = options.checks ?? [];
  return {
    node: 'section',
    fields,
    description: options.description ?? '',
    lenient: options.lenient ?? false,
    check(value) {
      return checks.map((c) => c(value)).filter((issue): issue is CheckIssue => issue !== undefined);
    },
  };
}
