// `npm start`'s entry, copied beside the bundle (dist/bundle/start.cjs). It sizes libuv's thread pool, then loads
// the server (main.js). The pool runs the password hashes (@node-rs/argon2); Node gives it 4 threads whatever
// the machine, and here it gets one per CPU, at least 2 so that one slow file or DNS call cannot stop hashing on
// a 1-CPU machine, unless UV_THREADPOOL_SIZE is set. Fewer threads keep each thread's 19 MiB of hash memory warm
// in the CPU's caches: on 2 CPUs, 2 threads instead of 4 cost about 0.9 ms less CPU per login
// (docs/performance.md, "Sixth pass").
// CommonJS on purpose: Node reads UV_THREADPOOL_SIZE once, when the pool starts, and loading an ES module starts
// the pool (its files are read on it), so a line in the server itself would come too late.
'use strict';
const { availableParallelism } = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, availableParallelism()));
import('./main.js').catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
