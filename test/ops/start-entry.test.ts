// `npm start`'s entry (src/start.cjs, copied to dist/bundle/start.cjs) sizes libuv's thread pool before the server
// loads: one thread per CPU and at least 2, or UV_THREADPOOL_SIZE when the operator set it. Checked by what the
// process does, not by reading the file: the entry is run beside a stand-in main.js that uses the pool and reports
// its threads, once as shipped and once with UV_THREADPOOL_SIZE=16; the difference in threads is the pool's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { npmStartArgs } from '../../bench/lib/npm-start.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcs-start-entry-'));
const entry = createRequire(import.meta.url)('../../src/start.cjs') as { cgroupCpuQuota(root?: string): number | undefined; cpuBudget(root?: string): number };
after(() => rmSync(dir, { recursive: true, force: true }));

const STAND_IN = `
import { pbkdf2 } from 'node:crypto';
import { readdirSync } from 'node:fs';
// Enough work at once to start every pool thread.
await Promise.all(Array.from({ length: 32 }, () => new Promise((resolve) => pbkdf2('a', 'b', 1000, 32, 'sha256', resolve))));
console.log(JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE, threads: readdirSync('/proc/self/task').length }));
`;

function run(env: Record<string, string>, flags: readonly string[] = []): { size: string; threads: number } {
  const r = spawnSync(process.execPath, [...flags, join(dir, 'start.cjs')], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { size: string; threads: number };
}

function writeEntry(): void {
  copyFileSync(new URL('../../src/start.cjs', import.meta.url), join(dir, 'start.cjs'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'main.js'), STAND_IN);
}

test('the start entry gives libuv one thread per CPU (at least 2) before the server loads, unless UV_THREADPOOL_SIZE is set', { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  writeEntry();
  const shipped = run({});
  const expected = Math.max(2, entry.cpuBudget());
  assert.equal(shipped.size, String(expected));
  const chosen = run({ UV_THREADPOOL_SIZE: '16' });
  assert.equal(chosen.size, '16', "the operator's value is kept");
  assert.equal(chosen.threads - shipped.threads, 16 - expected, `the pool really has ${expected} threads (${JSON.stringify({ shipped, chosen })})`);
});

test("npm start's flags leave V8 one platform thread instead of Node's four", { skip: process.platform !== 'linux' && 'counts threads in /proc' }, () => {
  // Each of V8's platform threads kept its own malloc arena, with what the compilers and the GC had freed in it,
  // and on a machine with few CPUs they compete with the hashes (docs/operations.md, "Start-up and memory").
  writeEntry();
  const flags = npmStartArgs().filter((a) => a.startsWith('--'));
  const plain = run({ UV_THREADPOOL_SIZE: '2' });
  const shipped = run({ UV_THREADPOOL_SIZE: '2' }, flags);
  assert.equal(plain.threads - shipped.threads, 3, `threads: ${plain.threads} with Node's defaults, ${shipped.threads} with ${flags.join(' ')}`);
});

/** A file system root holding the given files (path relative to the root: text). */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, 'root-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("a cgroup's CPU quota lowers the CPUs the entry counts (a container's --cpus, systemd's CPUQuota=)", () => {
  const cpus = availableParallelism();
  // cgroup v2 inside a container: its own cgroup at the root.
  const container = fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': '150000 100000\n' });
  assert.equal(entry.cgroupCpuQuota(container), 1.5);
  assert.equal(entry.cpuBudget(container), Math.min(cpus, 2), 'rounded up, never above the affinity');
  // cgroup v2 on a host: the service's cgroup and its parents, the smallest quota wins.
  const service = fakeRoot({
    'proc/self/cgroup': '0::/system.slice/portcullis.service\n',
    'sys/fs/cgroup/system.slice/portcullis.service/cpu.max': '50000 100000\n',
    'sys/fs/cgroup/system.slice/cpu.max': 'max 100000\n',
  });
  assert.equal(entry.cgroupCpuQuota(service), 0.5);
  assert.equal(entry.cpuBudget(service), 1, 'at least one');
  const parent = fakeRoot({
    'proc/self/cgroup': '0::/system.slice/portcullis.service\n',
    'sys/fs/cgroup/system.slice/portcullis.service/cpu.max': 'max 100000\n',
    'sys/fs/cgroup/system.slice/cpu.max': '100000 100000\n',
  });
  assert.equal(entry.cgroupCpuQuota(parent), 1);
  // cgroup v1, the container's cgroup mounted at the root whatever path /proc names.
  const v1 = fakeRoot({
    'proc/self/cgroup': '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '200000\n',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
  });
  assert.equal(entry.cgroupCpuQuota(v1), 2);
  // No quota (v1's -1, v2's max), or no cgroup at all: the affinity alone.
  const none = fakeRoot({ 'proc/self/cgroup': '1:cpu:/\n0::/\n', 'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', 'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n', 'sys/fs/cgroup/cpu.max': 'max 100000\n' });
  assert.equal(entry.cgroupCpuQuota(none), undefined);
  assert.equal(entry.cpuBudget(none), cpus);
  assert.equal(entry.cgroupCpuQuota(fakeRoot({})), undefined);
});
