// Errors that escape every handler, in real processes: the request that caused one is logged with its trace
// id and answered 500, and the process keeps serving; an error outside any request stops the process cleanly.
// The first test is the bug of issue 8 item 1 as a user meets it: `npm start`, then GET /t/%E0/anything.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestClient } from '../support/http-client.ts';
import { startNodeProcess, waitFor } from '../support/process.ts';


function httpGet(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

const logLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; traceId?: string; err?: { message: string } });

describe('process policy for errors nothing caught', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-guard-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('npm start: GET /t/%E0/anything and other bad encodings are 4xx, and the process keeps serving', async () => {
    const config = join(dir, 'ok.toml');
    writeFileSync(config, `[server]\nport = 0\ndata_dir = "${join(dir, 'data')}"\n[sample_app]\nenabled = false\n`);
    const p = startNodeProcess(['src/main.ts'], { PORTCULLIS_CONFIG: config, PORTCULLIS_ENCRYPTION_KEY: '' });
    try {
      const url = await waitFor(() => /Portcullis is serving (https:\/\/\S+) /.exec(p.out())?.[1], 60_000);
      const c = new TestClient(url, readFileSync(join(dir, 'data', 'tls', 'server.crt'), 'utf8'));
      assert.equal((await c.get('/t/%E0/anything')).status, 404);
      assert.equal((await c.get('/console/%E0')).status, 400);
      assert.equal((await c.get('/health?x=%')).status, 400);
      assert.equal((await c.get('/scim2/Users', { headers: { authorization: 'Basic !!!' } })).status, 401);
      assert.equal((await c.get('/myaccount', { headers: { cookie: 'commonAuthId=%E0' } })).status, 303);
      assert.equal((await c.get('/health')).status, 200);
      assert.equal(p.child.exitCode, null, 'still running');
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('a throw in a callback or stream handler is answered 500 with a logged trace id (a late one is logged); an unawaited rejection is logged; the process keeps serving', async () => {
    const p = startNodeProcess(['test/server/fixtures/faulty-server.ts']);
    try {
      const port = Number(await waitFor(() => /listening on (\d+)/.exec(p.out())?.[1], 60_000));
      for (const [method, path] of [['GET', '/throw-in-callback'], ['GET', '/throw-after-await'], ['POST', '/throw-in-stream']] as const) {
        const r = await httpGet(port, path, method);
        assert.equal(r.status, 500, path);
        const body = JSON.parse(r.body) as { code: string; traceId: string };
        assert.equal(body.code, 'PCS-50000');
        const logged = await waitFor(() => logLines(p.out()).find((l) => l.msg.includes('uncaught exception in a request') && l.traceId === body.traceId), 5_000);
        assert.match(logged.err?.message ?? '', /thrown in a (callback|timer set after an await|stream handler)/);
      }
      // Answered already: the late throw is logged with the request's trace id, and nothing is sent twice.
      assert.equal((await httpGet(port, '/throw-after-response')).status, 200);
      const late = await waitFor(() => logLines(p.out()).find((l) => l.msg.includes('uncaught exception in a request') && l.err?.message === 'thrown after the response was sent'), 5_000);
      assert.ok(late.traceId, 'logged with the trace id of the request that set the timer');
      assert.equal((await httpGet(port, '/unawaited-rejection')).status, 200);
      const rejection = await waitFor(() => logLines(p.out()).find((l) => l.msg.includes('unhandled promise rejection')), 5_000);
      assert.ok(rejection.traceId, 'logged with the trace id of the request that made it');
      assert.equal((await httpGet(port, '/health')).status, 200);
      assert.equal(p.child.exitCode, null, 'still running');
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('an exception outside any request stops the process with exit code 1 after logging it', async () => {
    const p = startNodeProcess(['test/server/fixtures/faulty-server.ts'], { FAULT_OUTSIDE: '1' });
    try {
      assert.equal(await p.exited, 1);
      const fatal = logLines(p.out()).find((l) => l.msg.includes('uncaught exception outside any request'));
      assert.equal(fatal?.err?.message, 'thrown outside any request');
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
