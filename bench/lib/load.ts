// Runs an async task at a fixed concurrency for a fixed time and counts completions: the load side of
// the HTTP benchmarks. Errors stop the run (a benchmark that silently fails measures nothing).
export interface LoadResult {
  completed: number;
  perSecond: number;
}

export async function runConcurrent(task: (worker: number) => Promise<void>, concurrency: number, durationMs: number): Promise<LoadResult> {
  const start = performance.now();
  const end = start + durationMs;
  let completed = 0;
  const worker = async (id: number) => {
    while (performance.now() < end) {
      await task(id);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const seconds = (performance.now() - start) / 1000;
  return { completed, perSecond: completed / seconds };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
