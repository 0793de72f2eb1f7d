// `npm start` as a user runs it: a separate process that reads its config file, serves HTTPS, refuses a
// broken file with the key and line named, and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestClient } from '../support/http-client.ts';
import { startNodeProcess, waitFor } from '../support/process.ts';

function startProcess(configPath: string) {
  return startNodeProcess(['src/main.ts'], { PORTCULLIS_CONFIG: configPath, PORTCULLIS_ENCRYPTION_KEY: '' });
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('serves /health/ready over HTTPS with a self-signed certificate, then stops on SIGTERM', async () => {
    const config = join(dir, 'ok.toml');
    writeFileSync(config, `[server]\nport = 0\ndata_dir = "${join(dir, 'data')}"\n[sample_app]\nenabled = false\n`);
    const p = startProcess(config);
    try {
      const url = await waitFor(() => /Portcullis is serving (https:\/\/\S+) /.exec(p.out())?.[1], 60_000);
      const res = await new TestClient(url, undefined).get('/health/ready').catch((e: Error) => e);
      assert.ok(res instanceof Error && /self-signed|certificate/i.test(res.message), 'the certificate is self-signed');
      const { readFileSync } = await import('node:fs');
      const ca = readFileSync(join(dir, 'data', 'tls', 'server.crt'), 'utf8');
      const ready = await new TestClient(url, ca).get('/health/ready');
      assert.equal(ready.status, 200);
      assert.match(p.out(), /generated a self-signed TLS certificate/);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('a broken deployment.toml stops the start, naming file, line and key', async () => {
    const config = join(dir, 'broken.toml');
    writeFileSync(config, `[server]\nprot = 9443\n\n[database.identity_db]\npool_size = "ten"\n`);
    const p = startProcess(config);
    const code = await p.exited;
    assert.equal(code, 2);
    assert.match(p.err(), /broken\.toml:2: unknown key "prot" in \[server\] \(did you mean "port"\?\)/);
    assert.match(p.err(), /broken\.toml:5: \[database\.identity_db\] pool_size: expected an integer/);
  });

  test('--config names the file (over PORTCULLIS_CONFIG); an unknown argument stops the start with the usage', async () => {
    const config = join(dir, 'broken-by-flag.toml');
    writeFileSync(config, `[server]\nprot = 9443\n`);
    const named = startNodeProcess(['src/main.ts', '--config', config], { PORTCULLIS_CONFIG: join(dir, 'ok.toml'), PORTCULLIS_ENCRYPTION_KEY: '' });
    assert.equal(await named.exited, 2);
    assert.match(named.err(), /broken-by-flag\.toml:2: unknown key "prot"/, 'the file --config names was read');
    const missing = startNodeProcess(['src/main.ts', '--config', join(dir, 'nowhere.toml')]);
    assert.equal(await missing.exited, 2);
    assert.match(missing.err(), /nowhere\.toml: config file not found \(named by --config\)/);
    const typo = startNodeProcess(['src/main.ts', '--confg', config]);
    assert.equal(await typo.exited, 2);
    assert.match(typo.err(), /Unknown option '--confg'[\s\S]*Usage: npm start -- \[--config <deployment\.toml>\] \[--strict\]/);
  });
});
