// Claim value patterns (a local claim's regEx), the only regular expressions an admin gives us. JavaScript's
// engine backtracks: `(a+)+$` against 'a'.repeat(30)+'!' holds the event loop, and with it every tenant,
// for minutes. These run on RE2 instead (re2-wasm: Google's engine in WebAssembly, synchronous, no native
// build), whose matching time is linear in the input, and the input is bounded.
//
// re2-wasm 1.0.2 on Node 20, as measured when this was written (2-core machine; the leak and the heap bound are
// also checked by claim-pattern.test.ts):
// - Its RE2 class never frees what it compiles (embind would need FinalizationGroup, which Node lacks), and
//   the WebAssembly heap is fixed at 16 MiB: a few thousand compilations exhaust it. So the low-level
//   WrappedRE2 is used directly, and each compiled pattern is delete()d when the bounded cache drops it.
// - A large program (`\p{L}{1,100}`) does not fit that heap either; the module then aborts with a
//   WebAssembly.RuntimeError. Such patterns are refused before compiling (a size budget below), and if the
//   heap still runs out, the module is loaded afresh (a new 16 MiB instance) and the pattern refused.
// - Compile time and the first match grow with the program: `^[a-z]{1,1000}$` took 1.5 s to compile and
//   `[\s\S]{300}` 1 s to match 1 KiB once. Counted repetitions are capped and Unicode classes weigh more.
// RE2 has no backreferences or lookaround; such patterns are refused when saved, with CLM-40003.
import { createRequire } from 'node:module';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors/app-error.ts';

export const MAX_PATTERN_LENGTH = 256;
/** Values longer than this are refused before matching (CLM-40004). */
export const MAX_VALUE_LENGTH = 1024;
const MAX_REPEAT = 100;
/** A rough RE2 program size (see weigh); patterns at this weight compiled in 10-150 ms here. */
const MAX_WEIGHT = 1000;

interface Compiled {
  ok(): boolean;
  error(): string;
  match(input: string, start: number, captureGroups: boolean): { index: number };
  delete(): void;
}
interface Re2Module {
  WrappedRE2: new (pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean) => Compiled;
}

const require = createRequire(import.meta.url);
const MODULE_PATH = require.resolve('re2-wasm/build/wasm/re2.js');
let engine: Re2Module | undefined;
let loads = 0;
let cache = newCache();

/** How many WebAssembly instances were loaded; more than one means the heap ran out and was replaced. */
export function engineLoads(): number {
  return loads;
}

function load(): Re2Module {
  loads++;
  return require(MODULE_PATH) as Re2Module;
}

/**
 * Bounded by weight as well as count: a program of weight 800 took about 400 KiB of the 16 MiB heap, and
 * matching grows each pattern's DFA cache in the same heap.
 */
function newCache() {
  return new LRUCache<string, Compiled>({ max: 256, maxSize: 10 * MAX_WEIGHT, dispose: (compiled) => compiled.delete() });
}

/** A fresh WebAssembly instance (a new heap); patterns compiled by the old one are dropped with it. */
function reload(): void {
  delete require.cache[MODULE_PATH];
  engine = undefined;
  cache = newCache();
}

function refuse(description: string): AppError {
  return new AppError('CLM-40003', { description });
}

/** Checks a pattern an admin saves; throws CLM-40003 with the reason when RE2 cannot run it safely. */
export function checkClaimPattern(source: string): void {
  compiled(source);
}

/** Whether a value matches the claim's pattern (a search, as RegExp.test). Throws CLM-40004 for long values. */
export function matchesClaimPattern(source: string, value: string): boolean {
  if (value.length > MAX_VALUE_LENGTH) throw new AppError('CLM-40004');
  for (let attempt = 0; ; attempt++) {
    const pattern = compiled(source);
    try {
      return pattern.match(value, 0, false).index >= 0;
    } catch {
      // The heap ran out while matching (the module aborted): start over once on a fresh instance.
      reload();
      if (attempt > 0) throw refuse('The pattern could not be checked; it may be too large for the engine.');
    }
  }
}

function compiled(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  if (source.length > MAX_PATTERN_LENGTH) throw refuse(`A pattern has at most ${MAX_PATTERN_LENGTH} characters.`);
  const weight = weigh(source);
  let pattern: Compiled | undefined;
  for (let attempt = 0; !pattern; attempt++) {
    try {
      engine ??= load();
      pattern = new engine.WrappedRE2(toRe2Syntax(source), false, false, false);
    } catch {
      // The heap ran out (other patterns fill it, or this one is too big): once more on a fresh instance.
      reload();
      if (attempt > 0) throw refuse('The pattern is too large for the linear-time engine.');
    }
  }
  if (!pattern.ok()) {
    const why = pattern.error();
    pattern.delete();
    throw refuse(`RE2 cannot compile it (${why}); backreferences and lookaround are not supported.`);
  }
  cache.set(source, pattern, { size: Math.max(1, weight) });
  return pattern;
}

/** JavaScript spellings RE2 writes differently: `\uXXXX`, `\u{X}` -> `\x{X}`; `(?<name>` -> `(?P<name>`. */
function toRe2Syntax(source: string): string {
  return source.replace(/\\\\|\\u([0-9A-Fa-f]{4})|\\u\{|\(\?<(?![=!])/g, (m, hex: string | undefined) => {
    if (m === '\\\\') return m;
    if (hex !== undefined) return `\\x{${hex}}`;
    return m === '\\u{' ? '\\x{' : '(?P<';
  });
}

/**
 * An estimate of the RE2 program's size: each atom weighs what it compiles to (a Unicode property class is
 * hundreds of UTF-8 byte ranges, `.` a few), a counted repetition multiplies what it repeats. Throws CLM-40003
 * over the budget or for a repetition count above MAX_REPEAT.
 */
function weigh(source: string): number {
  // One Unicode property class per pattern: each compiles to hundreds of UTF-8 ranges (about 150 ms here).
  const UNICODE = 600;
  const totals = [0];
  let last = 0;
  const add = (w: number) => {
    totals[totals.length - 1]! += w;
    if (totals.reduce((a, b) => a + b, 0) > MAX_WEIGHT) throw refuse('The pattern is too large for the linear-time engine.');
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    let atom = 1;
    if (c === '\\') {
      const n = source[++i] ?? '';
      if (n === 'p' || n === 'P') {
        atom = UNICODE;
        if (source[i + 1] === '{') i = source.includes('}', i) ? source.indexOf('}', i) : source.length;
        else i++;
      } else if ('DSW'.includes(n)) atom = 20;
      else if ('dsw'.includes(n)) atom = 4;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      const body = source.slice(i, j + 1);
      atom = /\\[pP]/.test(body) ? UNICODE : body.startsWith('[^') || /\\[DSW]|[^ -~]/.test(body) ? 20 : 2;
      i = j;
    } else if (c === '.') atom = 10;
    else if (c === '(') {
      if (source[i + 1] === '?') {
        const end = source.slice(i).search(/[:>=!)]/);
        i += end < 0 ? source.length : end;
        if (source[i] === ')') continue; // a flags group such as (?i): nothing to weigh
      }
      totals.push(0);
      continue;
    } else if (c === ')') atom = (totals.length > 1 ? totals.pop()! : 0) + 1;
    else if (c === '|' || c === '*' || c === '+' || c === '?') {
      add(1);
      continue;
    } else if (c === '{') {
      const m = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i, i + 16));
      if (m) {
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[2] === '' ? min + 1 : Number(m[2]);
        if (Math.max(min, max) > MAX_REPEAT) throw refuse(`A repetition count is at most ${MAX_REPEAT}.`);
        add(last * Math.max(0, max - 1));
        i += m[0].length - 1;
        continue;
      }
    }
    last = atom;
    add(atom);
  }
  return totals.reduce((a, b) => a + b, 0);
}
