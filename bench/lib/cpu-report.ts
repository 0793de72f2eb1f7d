// The other side of bench/cpu-usage-reporter.cjs, preloaded into a server the bench started with an IPC channel:
// asks for that process's CPU time so far.
import type { ChildProcess } from 'node:child_process';

/** The process's CPU (all threads) and its main thread's alone (undefined where /proc is not), in microseconds. */
export function reportedCpu(child: ChildProcess): Promise<{ all: number; main: number | undefined }> {
  return new Promise((resolve) => {
    child.once('message', (m) => {
      const { cpu, main } = m as { cpu: number; main?: number };
      resolve({ all: cpu, main });
    });
    child.send('cpu');
  });
}
