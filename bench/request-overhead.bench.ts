// What the server spends on a request before and after its route's own work: the CPU of the server process per
// GET /health (a handler that answers {"status":"UP"}) as `npm start` runs it (logging at info, every hook of
// every request: request scope, tenant, cookies, overload, security headers, the access line), against the same
// route on a floor of Node, Fastify and HTTPS with nothing of ours (bench/lib/floor-server.mjs). A login is five
// such requests plus its routes' work, and this figure moves far less from run to run than a whole login does, so
// a cost added to every request (a hook, a log field) shows here first.
//   node --import tsx bench/request-overhead.bench.ts   [BENCH_REQUESTS=8000 per round]
// BENCH_OTHER_BUILD=<checkout> adds that checkout's built server (its dist/bundle, on a copy of the same data
// directory), measured in the same interleaved rounds: two builds compared under the same load.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportedCpu } from './lib/cpu-report.ts';
import { httpsCaller } from './lib/http-call.ts';
import { median } from './lib/load.ts';
import { printTable } from './lib/measure.ts';
import { npmStartArgs } from './lib/npm-start.ts';
import { freePort } from '../test/support/free-port.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8000);
const ROUNDS = 5;
const CONCURRENCY = 4;
const root = new URL('..', import.meta.url).pathname;
const startArgs = npmStartArgs();
const flags = startArgs.filter((a) => a.startsWith('--'));

interface Node {
  name: string;
  child: ChildProcess;
  call: ReturnType<typeof httpsCaller>;
  agent: Agent;
}

async function start(name: string, script: string, dir: string, cwd = root, dataDir = join(dir, 'data')): Promise<Node> {
  const port = await freePort();
  const config = join(dir, `${port}.toml`);
  writeFileSync(config, `[server]\nport = ${port}\ndata_dir = "${dataDir}"\n[logging]\nlevel = "info"\n[sample_app]\nenabled = false\n[encryption]\nkey = "${'ab'.repeat(32)}"\n[rate_limit]\nper_ip_per_minute = 1000000\n`);
  const child = spawn(process.execPath, ['--require', join(root, 'bench/cpu-usage-reporter.cjs'), ...flags, script], {
    cwd,
    env: { ...process.env, PORTCULLIS_CONFIG: config },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const base = new URL(`https://127.0.0.1:${port}`);
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: CONCURRENCY });
  const call = httpsCaller(base, agent);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    const up = await call('/health', new Map()).then((r) => r.status === 200, () => false);
    if (up) return { name, child, call, agent };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Server CPU per request (microseconds) over `count` GET /health, CONCURRENCY at a time. */
async function perRequest(node: Node, count: number): Promise<{ all: number; main: number }> {
  const before = await reportedCpu(node.child);
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const r = await node.call('/health', new Map());
        if (r.status !== 200) throw new Error(`${node.name}: GET /health ${r.status}`);
      }
    }),
  );
  const after = await reportedCpu(node.child);
  const main = before.main === undefined || after.main === undefined ? Number.NaN : (after.main - before.main) / count;
  return { all: (after.all - before.all) / count, main };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-overhead-'));
  const nodes: Node[] = [];
  try {
    // The server first: it provisions the data directory (TLS pair, database) the floor reads.
    nodes.push(await start('npm start (dist/bundle)', startArgs.at(-1)!, dir));
    nodes.push(await start('floor: Node, Fastify, HTTPS', 'bench/lib/floor-server.mjs', dir));
    const other = process.env.BENCH_OTHER_BUILD;
    if (other) {
      cpSync(join(dir, 'data'), join(dir, 'other'), { recursive: true });
      nodes.push(await start(`npm start of ${other}`, startArgs.at(-1)!, dir, other, join(dir, 'other')));
    }
    for (const node of nodes) await perRequest(node, REQUESTS); // warm-up (JIT)
    const results = nodes.map(() => ({ all: [] as number[], main: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < nodes.length; k++) {
        const i = (round + k) % nodes.length; // who goes first rotates
        const r = await perRequest(nodes[i]!, REQUESTS);
        results[i]!.all.push(r.all);
        results[i]!.main.push(r.main);
      }
    }
    console.log(`Node ${process.version}, node ${startArgs.join(' ')}, GET /health over HTTPS keep-alive, ${CONCURRENCY} at a time, ${ROUNDS} interleaved rounds of ${REQUESTS}, medians\n`);
    const us = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} us`);
    const floor = median(results[1]!.all);
    printTable(
      ['process', 'CPU per request', 'of it, main thread', 'against the floor'],
      nodes.map((node, i) => [node.name, us(median(results[i]!.all)), us(median(results[i]!.main)), `${(median(results[i]!.all) / floor).toFixed(2)}x`]),
    );
  } finally {
    for (const node of nodes) {
      node.agent.destroy();
      const exited = new Promise((r) => node.child.once('exit', r));
      node.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
