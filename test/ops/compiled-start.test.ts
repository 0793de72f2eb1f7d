// `npm start` runs the compiled build (dist/, made by `npm run build`, which `npm ci` runs as `prepare`), not
// the TypeScript sources through a loader: the server it starts answers /health/ready, renders a page from its
// views with its assets, and no process of it loads tsx. dist/ is rebuilt first unless it is newer than every
// source file, so the test never passes on a stale build.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waitFor } from '../support/process.ts';

const root = new URL('../../', import.meta.url).pathname;

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).filter((n) => n !== 'node_modules').map((n) => newestMtime(join(path, n))));
}

function ensureBuilt(): void {
  const main = join(root, 'dist/src/main.js');
  const sources = Math.max(...['src', 'samples/travelocity', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'].map((p) => newestMtime(join(root, p))));
  if (existsSync(main) && statSync(main).mtimeMs > sources) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Every process below `pid` (Linux /proc), with its command line. */
function descendants(pid: number): { pid: number; cmdline: string }[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      // Ended meanwhile.
    }
    return [{ pid: c, cmdline }, ...descendants(c)];
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; location?: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: res.headers['set-cookie'] ?? [], ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pcs-compiled-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('npm start serves from the compiled build, without tsx', { timeout: 600_000 }, async () => {
  ensureBuilt();
  const config = join(dir, 'deployment.toml');
  writeFileSync(config, `[server]\nport = 0\ndata_dir = "${dir}/data"\n[sample_app]\nenabled = false\n`);
  // Its own process group, so that stopping npm stops the server under it too.
  const npm = spawn('npm', ['start'], { cwd: root, env: { ...process.env, PORTCULLIS_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => npm.once('exit', r));
  try {
    const port = Number(await waitFor(() => /Portcullis is serving https:\/\/[^:]+:(\d+)/.exec(out)?.[1] ?? (npm.exitCode === null ? undefined : 'exited'), 120_000));
    assert.ok(port > 0, `the server started:\n${out}`);

    const ready = await get(port, '/health/ready');
    assert.equal(ready.status, 200);
    assert.equal((JSON.parse(ready.body) as { status: string }).status, 'UP');

    // A page rendered from the views, and the stylesheet it links, both found beside the compiled modules.
    const start = await get(port, '/myaccount');
    assert.equal(start.status, 303);
    const cookie = start.cookies.map((c) => c.split(';')[0]).join('; ');
    const login = await get(port, new URL(start.location!, 'https://x').pathname + new URL(start.location!, 'https://x').search, { cookie });
    assert.equal(login.status, 200);
    assert.match(login.body, /<form[^>]*action="[^"]*commonauth"/);
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(login.body)?.[1];
    assert.ok(css, 'the page links its stylesheet');
    assert.equal((await get(port, css)).status, 200);

    const processes = descendants(npm.pid!);
    assert.ok(processes.some((p) => p.cmdline.includes('dist/src/main.js')), `the server runs dist/src/main.js: ${JSON.stringify(processes)}`);
    assert.ok(!processes.some((p) => /tsx|esbuild/.test(p.cmdline)), `no TypeScript loader: ${JSON.stringify(processes)}`);
  } finally {
    process.kill(-npm.pid!, 'SIGTERM');
    await exited;
  }
});
