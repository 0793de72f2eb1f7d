// The SCIM filter language (RFC 7644 section 3.4.2.2), parsed into a small tree. Pure: no I/O, no knowledge of
// which attributes a server supports; translating a tree into a store query is the caller's job.
//
//   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//   compValue = false / null / true / number / string        (string: a JSON string, RFC 8259 escapes)
//
// "and" binds tighter than "or" (section 3.4.2.2, precedence); operators and keywords are case-insensitive.
import type { AppError } from '../../errors/app-error.ts';
import { scimError } from './errors.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
export type CompValue = string | number | boolean | null;

export type ScimFilter =
  | { type: 'compare'; path: string; op: CompareOp; value: CompValue }
  | { type: 'present'; path: string }
  | { type: 'and' | 'or'; left: ScimFilter; right: ScimFilter }
  | { type: 'not'; filter: ScimFilter }
  /** `emails[type eq "work"]`: the inner filter applies to each value of a multi-valued attribute. */
  | { type: 'valuePath'; path: string; filter: ScimFilter };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);
/** Bounds that keep a hostile filter from costing more than a normal one. */
export const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;

type Token = { kind: 'word' | 'string' | '(' | ')' | '[' | ']'; text: string; value?: string; at: number };

// An attribute path (section 3.10): [schema URN ":"] name ["." subAttr]. URNs carry ':' and '.'.
const WORD = /[A-Za-z0-9$:._+-]+/y;
const STRING = /"(?:[^"\\]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const ATTR_PATH = /^(?:[A-Za-z][A-Za-z0-9._:-]*:)?[A-Za-z$][A-Za-z0-9_$-]*(?:\.[A-Za-z$][A-Za-z0-9_$-]*)?$/;

function invalid(detail: string): AppError {
  return scimError('invalidFilter', detail);
}

/** A token as quoted in an error detail, shortened so a long input cannot bloat the response. */
function show(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** JSON's own parser decodes the escapes and refuses raw control characters (RFC 8259 section 7). */
function jsonString(text: string, at: number): string {
  try {
    return JSON.parse(text) as string;
  } catch {
    throw invalid(`Unterminated or malformed string at position ${at + 1}.`);
  }
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if ('()[]'.includes(ch)) {
      tokens.push({ kind: ch as Token['kind'], text: ch, at: i++ });
    } else if (ch === '"') {
      STRING.lastIndex = i;
      const m = STRING.exec(input);
      if (!m) throw invalid(`Unterminated or malformed string at position ${i + 1}.`);
      tokens.push({ kind: 'string', text: m[0], value: jsonString(m[0], i), at: i });
      i += m[0].length;
    } else {
      WORD.lastIndex = i;
      const m = WORD.exec(input);
      if (!m) throw invalid(`Unexpected character '${show(ch)}' at position ${i + 1}.`);
      tokens.push({ kind: 'word', text: m[0], at: i });
      i += m[0].length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): ScimFilter {
    if (this.tokens.length === 0) throw invalid('The filter is empty.');
    const filter = this.or();
    const extra = this.tokens[this.pos];
    if (extra) throw invalid(`Unexpected '${show(extra.text)}' at position ${extra.at + 1}.`);
    return filter;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.text.toLowerCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expect(kind: Token['kind']): void {
    const t = this.peek();
    if (t?.kind !== kind) throw invalid(t ? `Expected '${kind}' at position ${t.at + 1}.` : `Expected '${kind}' before the end of the filter.`);
    this.pos++;
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw invalid(`The filter nests more than ${MAX_DEPTH} levels.`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private or(): ScimFilter {
    let left = this.and();
    while (this.keyword('or')) left = { type: 'or', left, right: this.and() };
    return left;
  }

  private and(): ScimFilter {
    let left = this.unary();
    while (this.keyword('and')) left = { type: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): ScimFilter {
    const t = this.peek();
    if (!t) throw invalid('The filter ends where an expression was expected.');
    if (t.kind === '(') {
      this.pos++;
      const inner = this.nested(() => this.or());
      this.expect(')');
      return inner;
    }
    if (t.kind === 'word' && t.text.toLowerCase() === 'not' && this.tokens[this.pos + 1]?.kind === '(') {
      this.pos += 2;
      const inner = this.nested(() => this.or());
      this.expect(')');
      return { type: 'not', filter: inner };
    }
    return this.attrExp();
  }

  private attrExp(): ScimFilter {
    const t = this.peek()!;
    if (t.kind !== 'word' || !ATTR_PATH.test(t.text)) throw invalid(`Expected an attribute name at position ${t.at + 1}, found '${show(t.text)}'.`);
    this.pos++;
    const path = t.text;
    if (this.peek()?.kind === '[') {
      this.pos++;
      const filter = this.nested(() => this.or());
      this.expect(']');
      return { type: 'valuePath', path, filter };
    }
    const opToken = this.peek();
    const op = opToken?.kind === 'word' ? opToken.text.toLowerCase() : undefined;
    if (op === 'pr') {
      this.pos++;
      return { type: 'present', path };
    }
    if (!op || !COMPARE_OPS.has(op)) {
      throw invalid(opToken ? `Unknown operator '${show(opToken.text)}' at position ${opToken.at + 1}.` : `An operator must follow '${show(path)}'.`);
    }
    this.pos++;
    return { type: 'compare', path, op: op as CompareOp, value: this.compValue() };
  }

  private compValue(): CompValue {
    const t = this.peek();
    if (!t) throw invalid('A comparison value is missing at the end of the filter.');
    this.pos++;
    if (t.kind === 'string') return t.value!;
    if (t.kind === 'word') {
      const lower = t.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (NUMBER.test(t.text)) return Number(t.text);
    }
    throw invalid(`Expected a value (a "quoted string", number, true, false or null) at position ${t.at + 1}, found '${show(t.text)}'.`);
  }
}

/** Parses a filter or throws AppError SCM-40001 (400 invalidFilter) with a detail that points at the problem. */
export function parseFilter(input: string): ScimFilter {
  if (input.length > MAX_FILTER_LENGTH) throw invalid(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  return new Parser(tokenize(input)).parse();
}
