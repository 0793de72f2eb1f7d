// Start-up cost of a node: time from spawning the process to the first 200 from /health/ready, the CPU time
// the process tree spent until then (steadier than wall time on a shared machine), and the idle resident
// memory (RSS) of the process tree 2 s later and 30 s later (settled, once V8's memory reducer has run), for the
// bundle `npm start` runs (dist/bundle/, with the
// V8 flags of its script; with the sample app on, as shipped, and off), for the same flags on tsc's
// module-per-file build (dist/src/: what bundling alone gains), and for the TypeScript sources run through tsx
// (`npm run dev`, the baseline; tsx also starts an esbuild helper process, which is counted), beside a floor:
// Node, Fastify, TLS and SQLite with none of our code (bench/lib/floor-server.mjs). All start the
// shipped config/deployment.toml on a free port with a prepared data directory, so that first-start work
// (migrations, TLS pair, keys, admin account) is not part of what is measured.
//   node --import tsx bench/startup.bench.ts   [BENCH_ROUNDS=5]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable } from './lib/measure.ts';
import { median } from './lib/load.ts';
import { npmStartArgs } from './lib/npm-start.ts';
import { freePort } from '../test/support/free-port.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IDLE_MS = 2000;
/** When V8's memory reducer has run at idle (10 to 20 s after the last busy moment, which shrinks the young generation). */
const SETTLED_MS = 30_000;
const root = new URL('..', import.meta.url).pathname;
const startArgs = npmStartArgs();
const flags = startArgs.filter((a) => a.startsWith('--'));
// The tsx row is the in-run baseline (last). The sample app runs in the server's process; a production node
// turns it off, hence the second row.
const RUNTIMES: Record<string, { args: readonly string[]; sample: boolean }> = {
  'bundle (npm start)': { args: startArgs, sample: true },
  'bundle, [sample_app] off': { args: startArgs, sample: false },
  'tsc build (dist/src)': { args: [...flags, 'dist/src/main.js'], sample: true },
  // What Node, Fastify, TLS and SQLite cost before any of our code: a floor for the rows above.
  'floor: Fastify + HTTPS + SQLite, one route': { args: [...flags, 'bench/lib/floor-server.mjs'], sample: false },
  'tsx (npm run dev)': { args: ['--import', 'tsx', 'src/main.ts'], sample: true },
};

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/ready', rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Resident memory (bytes) and CPU time (ms) of a process and all its descendants (Linux /proc). */
function treeUsage(pid: number): { rss: number; cpuMs: number } {
  const total = { rss: 0, cpuMs: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    total.rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    // Fields after the command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total.cpuMs += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      const c = treeUsage(Number(child));
      total.rss += c.rss;
      total.cpuMs += c.cpuMs;
    }
  } catch {
    // The process ended between listing and reading.
  }
  return total;
}

interface StartResult {
  readyMs: number;
  cpuMs: number;
  rss: number;
  settledRss: number;
}

async function startOnce(args: readonly string[], configPath: string, port: number): Promise<StartResult> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...args], {
    cwd: root,
    env: { ...process.env, PORTCULLIS_CONFIG: configPath },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    while (!(await ready(port))) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - started;
    const { cpuMs } = treeUsage(child.pid!);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rss = treeUsage(child.pid!).rss;
    await new Promise((r) => setTimeout(r, SETTLED_MS - IDLE_MS));
    return { readyMs, cpuMs, rss, settledRss: treeUsage(child.pid!).rss };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/src/main.js')) || !existsSync(join(root, 'dist/bundle/main.js'))) throw new Error('no dist/: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'pcs-startup-'));
  try {
    const configPath = join(dir, 'deployment.toml');
    // The shipped file, with only the ports and the data directory moved.
    const shipped = readFileSync(join(root, 'config/deployment.toml'), 'utf8');
    const write = (port: number, samplePort: number, sample = true) =>
      writeFileSync(configPath, shipped.replace(/^port = 9443$/m, `port = ${port}`).replace(/^\[server\]$/m, `[server]\ndata_dir = "${dir}/data"`) + `\n[sample_app]\nenabled = ${sample}\nport = ${samplePort}\n`);
    write(await freePort(), await freePort());
    await startOnce(startArgs, configPath, Number(/^port = (\d+)$/m.exec(readFileSync(configPath, 'utf8'))![1])); // first start: provisioning
    const results = new Map<string, StartResult[]>(Object.keys(RUNTIMES).map((k) => [k, []]));
    const names = Object.keys(RUNTIMES);
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length]!; // rotate who goes first
        const port = await freePort();
        write(port, await freePort(), RUNTIMES[name]!.sample);
        results.get(name)!.push(await startOnce(RUNTIMES[name]!.args, configPath, port));
      }
    }
    console.log(`Node ${process.version}, \`npm start\` = node ${startArgs.join(' ')}, config/deployment.toml, ${ROUNDS} interleaved rounds, medians\n`);
    const med = (n: string, k: keyof StartResult) => median(results.get(n)!.map((r) => r[k]));
    printTable(
      ['runtime', 'start to /health/ready', 'CPU time to ready', `idle RSS ${IDLE_MS / 1000} s later (process tree)`, `${SETTLED_MS / 1000} s later`],
      names.map((n) => [n, `${med(n, 'readyMs').toFixed(0)} ms`, `${med(n, 'cpuMs').toFixed(0)} ms`, `${(med(n, 'rss') / 1024 / 1024).toFixed(1)} MB`, `${(med(n, 'settledRss') / 1024 / 1024).toFixed(1)} MB`]),
    );
    const tsx = names[names.length - 1]!;
    console.log('');
    for (const n of names.slice(0, -1)) {
      const ratio = (k: keyof StartResult) => (med(n, k) / med(tsx, k)).toFixed(2);
      console.log(`${n} / tsx: ready time ${ratio('readyMs')}, CPU time ${ratio('cpuMs')}, RSS ${ratio('rss')}, settled RSS ${ratio('settledRss')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
