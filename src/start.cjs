// `npm start`'s entry, copied beside the bundle (dist/bundle/start.cjs). It sizes libuv's thread pool, then loads
// the server (main.js). The pool runs the password hashes (@node-rs/argon2); Node gives it 4 threads whatever
// the machine, and here it gets one per CPU the process may use, at least 2 so that one slow file or DNS call
// cannot stop hashing on a 1-CPU machine, unless UV_THREADPOOL_SIZE is set. Fewer threads keep each thread's
// 19 MiB of hash memory warm in the CPU's caches: on 2 CPUs, 2 threads instead of 4 cost about 0.9 ms less CPU
// per login (docs/performance.md, "Sixth pass"). PasswordHasher runs no more hashes at once than the pool has
// threads (src/users/password-hash.ts).
// CommonJS on purpose: Node reads UV_THREADPOOL_SIZE once, when the pool starts, and loading an ES module starts
// the pool (its files are read on it), so a line in the server itself would come too late.
'use strict';
const { readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { posix } = require('node:path');

/** A file's text, or undefined when it cannot be read (no such cgroup file on this system). */
function readOr(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** CPUs granted by a cgroup v2 `cpu.max` ("max 100000" or "<quota> <period>"), or undefined for no limit. */
function fromCpuMax(text) {
  const m = /^(\d+) (\d+)/.exec(text ?? '');
  return m && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : undefined;
}

/** CPUs granted by cgroup v1's `cpu.cfs_quota_us` (-1: no limit) and `cpu.cfs_period_us`. */
function fromCfs(quota, period) {
  const q = Number(quota), p = Number(period);
  return quota !== undefined && period !== undefined && q > 0 && p > 0 ? q / p : undefined;
}

/**
 * The CPU quota of the cgroups this process is in (a container's `--cpus`, systemd's `CPUQuota=`), in CPUs, or
 * undefined when there is none. os.availableParallelism() follows the CPU affinity (a cpuset) only, so a
 * container limited by a quota would otherwise see every CPU of its host. Each cgroup from the process's own up
 * to the root is read, the smallest quota wins; `root` is the file system's root (a test points it elsewhere).
 */
function cgroupCpuQuota(root = '/') {
  const own = readOr(posix.join(root, 'proc/self/cgroup'));
  if (own === undefined) return undefined;
  let least;
  const consider = (cpus) => {
    if (cpus !== undefined && (least === undefined || cpus < least)) least = cpus;
  };
  for (const line of own.split('\n')) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line);
    if (!m) continue;
    const [, controllers, path] = m;
    const v1 = controllers.split(',').includes('cpu');
    if (controllers !== '' && !v1) continue;
    // Inside a container the cgroup file system often shows the container's own cgroup at its root, whatever
    // path /proc/self/cgroup names, so every level is tried up to the root.
    for (let dir = path; ; dir = posix.dirname(dir)) {
      if (v1) {
        for (const mount of ['sys/fs/cgroup/cpu', 'sys/fs/cgroup/cpu,cpuacct']) {
          const base = posix.join(root, mount, dir);
          consider(fromCfs(readOr(posix.join(base, 'cpu.cfs_quota_us')), readOr(posix.join(base, 'cpu.cfs_period_us'))));
        }
      } else {
        consider(fromCpuMax(readOr(posix.join(root, 'sys/fs/cgroup', dir, 'cpu.max'))));
      }
      if (dir === '/') break;
    }
  }
  return least;
}

/** The CPUs this process may use: its CPU affinity, lowered to a cgroup quota rounded up; at least 1. */
function cpuBudget(root = '/') {
  const quota = cgroupCpuQuota(root);
  const cpus = availableParallelism();
  return Math.max(1, quota === undefined ? cpus : Math.min(cpus, Math.ceil(quota)));
}

if (require.main === module) {
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, cpuBudget()));
  import('./main.js').catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

module.exports = { cgroupCpuQuota, cpuBudget };
