// What a started node keeps in V8's heap beyond the floor of `npm run bench startup` (Node, Fastify, HTTPS and
// SQLite with one route: bench/lib/floor-server.mjs), both run as `npm start` runs the server (its flags, the
// shipped config with the sample on, a data directory provisioned by an earlier start). The idle RSS aim (under
// 70 MB, README) is met with little room (docs/performance.md, "Seventh pass"), and RSS moves by megabytes from one
// run to the next; the live heap after full collections moves by tens of KB. So a package or a cache that starts
// loading at start shows here first, as a failure that names the figures, rather than as a drift in a bench.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { npmStartArgs } from '../../bench/lib/npm-start.ts';
import { ensureBuilt } from '../support/build.ts';
import { freePort } from '../support/free-port.ts';
import { TestClient } from '../support/http-client.ts';
import { waitFor } from '../support/process.ts';

/** The server's live heap above the floor's, at idle after the start: 6.4 to 6.6 MB measured (Node 20, 2026-12). */
const BUDGET_MB = 7.25;

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pcs-start-heap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Preloaded (CommonJS, so that it starts nothing before `npm start`'s entry): on "heap", two full collections,
// then the heap in use.
const PROBE = `
process.on('message', (m) => {
  if (m !== 'heap') return;
  globalThis.gc();
  globalThis.gc();
  process.send({ heapUsed: process.memoryUsage().heapUsed });
});
process.channel?.unref();
`;

/** Starts `script` with npm start's flags, waits for /health/ready, and returns its heap in use after collections. */
async function heapOf(script: string, configPath: string, port: number): Promise<number> {
  const flags = npmStartArgs().filter((a) => a.startsWith('--'));
  const child = spawn(process.execPath, [...flags, '--expose-gc', '--require', join(dir, 'probe.cjs'), script], {
    cwd: root,
    env: { ...process.env, PORTCULLIS_CONFIG: configPath },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const cert = join(dir, 'data/tls/server.crt');
    let client: TestClient | undefined;
    let up = false;
    await waitFor(() => {
      if (child.exitCode !== null) return 'exited';
      // The first start makes the TLS pair before it listens.
      if (!client && existsSync(cert)) client = new TestClient(`https://localhost:${port}`, readFileSync(cert, 'utf8'));
      void client?.get('/health/ready').then((r) => (up ||= r.status === 200), () => undefined);
      return up ? 'up' : undefined;
    }, 60_000);
    assert.ok(up, `${script} did not start:\n${err}`);
    const answer = new Promise<{ heapUsed: number }>((resolve) => child.once('message', (m) => resolve(m as { heapUsed: number })));
    child.send('heap');
    return (await answer).heapUsed;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

test("a started node's heap stays within its budget above the floor's", { timeout: 300_000 }, async () => {
  ensureBuilt();
  writeFileSync(join(dir, 'probe.cjs'), PROBE);
  const port = await freePort();
  const configPath = join(dir, 'deployment.toml');
  // The shipped file, with only the ports and the data directory moved (as the startup bench does).
  const shipped = readFileSync(join(root, 'config/deployment.toml'), 'utf8');
  writeFileSync(configPath, shipped.replace(/^port = 9443$/m, `port = ${port}`).replace(/^\[server\]$/m, `[server]\ndata_dir = "${dir}/data"`) + `\n[sample_app]\nenabled = true\nport = ${await freePort()}\n`);
  assert.match(readFileSync(configPath, 'utf8'), new RegExp(`^port = ${port}$`, 'm'));
  const server = join(root, 'dist/bundle/start.cjs');
  await heapOf(server, configPath, port); // the first start provisions the data directory (TLS pair, keys, admin)
  const ours = await heapOf(server, configPath, port);
  const floor = await heapOf(join(root, 'bench/lib/floor-server.mjs'), configPath, port);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
  assert.ok(ours - floor <= BUDGET_MB * 1024 * 1024, `server ${mb(ours)} MB, floor ${mb(floor)} MB: ${mb(ours - floor)} MB above it, budget ${BUDGET_MB} MB`);
});
