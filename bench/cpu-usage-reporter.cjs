// Preloaded into the server process by bench/cpu-login.bench.ts (node --require: CommonJS, so that it does not
// start libuv's thread pool before `npm start`'s entry sizes it): answers "cpu" on the IPC
// channel with this process's own CPU time (process.cpuUsage, all threads, user + system), so the bench
// measures what the server spends, not wall time and not the load generator. On Linux it adds the main thread's
// own CPU (/proc/thread-self/stat, read on the main thread: user + system ticks), so the bench can tell the
// server's JavaScript, HTTP and SQLite work from the threads beside it (libuv's pool, which runs the hashes, and
// V8's GC and compiler threads).
'use strict';
const { readFileSync } = require('node:fs');

const TICK_MICROS = 10_000; // USER_HZ = 100 on Linux

function mainThreadMicros() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
  } catch {
    return undefined;
  }
}

if (process.send) {
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send({ cpu: u.user + u.system, main: mainThreadMicros() });
    }
  });
  // The IPC channel must not keep a stopping server alive.
  process.channel?.unref();
}
