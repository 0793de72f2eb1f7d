// The import:wso2 command's refusals, before it touches any database: a missing --db, an unknown option, key
// material that cannot be read (named by its option, never echoed), and a server with no encryption key yet
// (re-encrypted secrets would be unreadable by the server).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/import/wso2/cli.ts';
import { makeKeystore } from './wso2-crypto.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcs-wso2-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(argv, { out: (t) => (out += t), env });
  return { code, out };
}

const DB = 'postgres://wso2:db-password@127.0.0.1:1/WSO2_SHARED_DB';

test('--help prints the usage; a missing --db or an unknown option is a usage error', async () => {
  assert.deepEqual([(await run(['--help'])).code, /--keystore <file>/.test((await run(['--help'])).out)], [0, true]);
  const missing = await run([]);
  assert.equal(missing.code, 2);
  assert.match(missing.out, /--db \(or WSO2_DB_URL\) is required/);
  assert.equal((await run(['--db', DB, '--frobnicate'])).code, 2);
});

test('a bad AES key or keystore password is refused naming the option, without echoing the value', async () => {
  const bad = await run(['--db', DB, '--encryption-key', 'short-secret']);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /--encryption-key: an AES key must be 16, 24 or 32 bytes/);
  assert.ok(!bad.out.includes('short-secret'));
  const keystore = makeKeystore('right-password');
  writeFileSync(join(dir, 'ks.p12'), keystore.p12);
  const wrong = await run(['--db', DB, '--keystore', join(dir, 'ks.p12')], { WSO2_KEYSTORE_PASSWORD: 'wrong-password' });
  assert.equal(wrong.code, 2);
  assert.match(wrong.out, /keystore cannot be read/);
  assert.ok(!wrong.out.includes('wrong-password'));
});

test('a server without an encryption key yet is refused before anything is read or written', async () => {
  const dataDir = join(dir, 'fresh-data');
  writeFileSync(join(dir, 'fresh.toml'), `[server]\ndata_dir = "${dataDir}"\n`);
  const res = await run(['--db', DB, '--config', join(dir, 'fresh.toml')]);
  assert.equal(res.code, 2);
  assert.match(res.out, /no encryption key yet/);
  assert.ok(!res.out.includes('db-password'));
});
