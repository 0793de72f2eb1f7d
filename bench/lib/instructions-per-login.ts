// Counting instructions instead of timing: the server runs under valgrind's callgrind, which counts the
// instructions each thread executes, so a change worth a few percent shows although this kind of machine's
// timings move by more than that from run to run (docs/performance.md, "Eighth pass" and "Ninth pass").
// Counting is switched on only around the measured logins (callgrind_control), and only the main thread's count
// is read (the hash runs on libuv's pool; its cost is fixed by its parameters).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Counted {
  /** Main-thread instructions per login, less the event-loop delay sampling (see below). */
  all: number;
  /** Of it, V8's garbage collection on the main thread. */
  gc: number;
}

/** The command that runs `command` under callgrind, counting nothing until startCounting. */
export function callgrindCommand(outPrefix: string, command: readonly string[]): string[] {
  if (!hasValgrind()) throw new Error('BENCH_CALLGRIND=1 needs valgrind (Debian: apt-get install valgrind)');
  return ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${outPrefix}.%p`, ...command];
}

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function startCounting(pid: number): void {
  execFileSync('callgrind_control', ['-i', 'on', String(pid)], { stdio: 'ignore' });
}

/** Stops counting, writes the counts out and reads the main thread's, per login. */
export async function countedInstructions(pid: number, outPrefix: string, logins: number): Promise<Counted> {
  execFileSync('callgrind_control', ['-i', 'off', String(pid)], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' });
  // The first dump's file for thread 1 (the main thread); callgrind writes it on its own schedule.
  const file = `${outPrefix}.${pid}.1-01`;
  let totals: number | undefined;
  for (let i = 0; i < 600 && totals === undefined; i++) {
    if (existsSync(file)) totals = Number(/^totals: (\d+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? Number.NaN) || undefined;
    if (totals === undefined) await sleep(100);
  }
  if (totals === undefined) throw new Error(`no callgrind dump in ${file}`);
  const inclusive = inclusiveCounts(execFileSync('callgrind_annotate', ['--inclusive=yes', file], { maxBuffer: 256 * 1024 * 1024 }).toString());
  // @fastify/under-pressure reads and resets Node's event-loop delay histogram once a second by the clock. Under
  // callgrind a login takes about 50 times longer, so that sampling weighed 10 to 15% of the count, and more the
  // slower the run; natively it is a few microseconds a second. It is taken out.
  const sampling = inclusive(/node::HistogramImpl::(GetMean|DoReset)\(/);
  const gc = inclusive(/v8::internal::Heap::CollectGarbage\(/, true);
  return { all: (totals - sampling) / logins, gc: gc / logins };
}

/** Sums the inclusive counts of the functions whose names match (only the first match with `first`). */
function inclusiveCounts(annotated: string): (name: RegExp, first?: boolean) => number {
  const lines = annotated.split('\n').flatMap((line) => {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    return m ? [{ count: Number(m[1]!.replaceAll(',', '')), name: m[2]! }] : [];
  });
  return (name, first = false) => {
    const matching = lines.filter((l) => name.test(l.name));
    return (first ? matching.slice(0, 1) : matching).reduce((sum, l) => sum + l.count, 0);
  };
}
