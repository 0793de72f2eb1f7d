// A small, dependency-free helper for benchmarks: interleaved rounds, median ops/s, a plain table.
//
// The machines we run on are shared and noisy, so cases are never measured one after the other:
// every round runs each case for a fixed time, the starting case rotates from round to round, and the
// median over rounds is reported. Ratios against a baseline measured in the same run are what to
// compare across machines, never the absolute numbers; `ratio()` takes them round by round (cases in
// one round ran within a second of each other, under the same load) and reports their median.

export interface MeasureOptions {
  /** Rounds per case; the median is reported. Default 15. */
  readonly rounds?: number;
  /** Time per case per round, in ms. Default 200. */
  readonly ms?: number;
  /** Untimed time per case before the first round, for the JIT. Default 300. */
  readonly warmupMs?: number;
  /** Calls between clock reads. Default 64. */
  readonly batch?: number;
}

export interface Measurement {
  readonly name: string;
  /** Median over rounds. */
  readonly opsPerSec: number;
  /** Every round's result, in run order. */
  readonly rounds: readonly number[];
}

// Results are kept here so the engine cannot drop a call whose value is unused.
let sink: unknown;
/** The last value a measured function returned (read it to keep the optimiser honest). */
export function lastResult(): unknown {
  return sink;
}

function run(fn: () => unknown, ms: number, batch: number): number {
  const start = performance.now();
  const end = start + ms;
  let calls = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) sink = fn();
    calls += batch;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Measures several cases interleaved, round by round; returns their median ops/s in input order. */
export function compare(cases: Readonly<Record<string, () => unknown>>, options: MeasureOptions = {}): Measurement[] {
  const { rounds = 15, ms = 200, warmupMs = 300, batch = 64 } = options;
  const entries = Object.entries(cases);
  for (const [, fn] of entries) run(fn, warmupMs, batch);
  const results = entries.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < entries.length; k++) {
      const i = (r + k) % entries.length; // rotate who goes first
      gc?.();
      results[i]!.push(run(entries[i]![1], ms, batch));
    }
  }
  return entries.map(([name], i) => ({ name, opsPerSec: median(results[i]!), rounds: results[i]! }));
}

/** Median over rounds of `a / b`, each round's pair measured back to back. */
export function ratio(a: Measurement, b: Measurement): number {
  return median(a.rounds.map((ops, r) => ops / b.rounds[r]!));
}

/** Measures one function; see {@link compare}. */
export function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Measurement {
  return compare({ [name]: fn }, options)[0]!;
}

/** `1234567.8` as `1,234,568`. */
export function formatOps(opsPerSec: number): string {
  return Math.round(opsPerSec).toLocaleString('en-US');
}

/** A ratio as `1.23x`. */
export function formatRatio(r: number): string {
  return `${r.toFixed(2)}x`;
}

/** Prints rows under headers, numbers right-aligned and text left-aligned. */
export function printTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [headers, ...rows].map((row) => row.map((c) => (typeof c === 'number' ? formatOps(c) : c)));
  const numeric = headers.map((_, j) => rows.every((row) => typeof row[j] === 'number' || /^[\d.,]+x?$/.test(String(row[j]))));
  const widths = headers.map((_, j) => Math.max(...cells.map((row) => row[j]?.length ?? 0)));
  for (const [i, row] of cells.entries()) {
    console.log(row.map((c, j) => (numeric[j] && i > 0 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd());
  }
}
