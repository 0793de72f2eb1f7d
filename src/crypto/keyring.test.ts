import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { loadKeyring, writeNewKeyFile } from './key-files.ts';
import { keyId, Keyring } from './keyring.ts';

const AAD = 'user-1:http://wso2.org/claims/identity/secretkey';

function expectDecryptFailure(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.code === 'SEC-50001');
}

test('round trip, and each encryption uses a fresh IV', () => {
  const ring = new Keyring([randomBytes(32)]);
  const a = ring.encrypt('JBSWY3DPEHPK3PXP', AAD);
  const b = ring.encrypt('JBSWY3DPEHPK3PXP', AAD);
  assert.notEqual(a, b);
  assert.ok(!a.includes('JBSWY3DPEHPK3PXP'));
  assert.equal(ring.decryptString(a, AAD), 'JBSWY3DPEHPK3PXP');
  assert.match(a, new RegExp(`^v1:${ring.currentId}:`));
});

test('tampered ciphertext, another binding, or an unknown key is rejected', () => {
  const ring = new Keyring([randomBytes(32)]);
  const value = ring.encrypt('secret', AAD);
  const [v, id, payload] = value.split(':') as [string, string, string];
  const raw = Buffer.from(payload, 'base64');
  for (let i = 0; i < raw.length; i++) {
    const copy = Buffer.from(raw);
    copy[i] = copy[i]! ^ 0x01;
    expectDecryptFailure(() => ring.decrypt(`${v}:${id}:${copy.toString('base64')}`, AAD));
  }
  expectDecryptFailure(() => ring.decrypt(value, 'user-2:http://wso2.org/claims/identity/secretkey'));
  expectDecryptFailure(() => ring.decrypt(`${v}:0000000000000000:${payload}`, AAD));
  expectDecryptFailure(() => ring.decrypt(`v2:${id}:${payload}`, AAD));
  expectDecryptFailure(() => ring.decrypt('not-a-ciphertext', AAD));
  expectDecryptFailure(() => new Keyring([randomBytes(32)]).decrypt(value, AAD));
});

test('rotation: a new key encrypts, old keys still decrypt, stale values are flagged', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new Keyring([oldKey]);
  const stored = before.encrypt('old secret', AAD);
  const after = new Keyring([newKey, oldKey]);
  assert.equal(after.currentId, keyId(newKey));
  assert.equal(after.decryptString(stored, AAD), 'old secret');
  assert.equal(after.isStale(stored), true);
  const fresh = after.encrypt('new secret', AAD);
  assert.equal(after.isStale(fresh), false);
  expectDecryptFailure(() => before.decrypt(fresh, AAD));
});

test('loadKeyring generates a key file on first start, with a warning, and reuses it later', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-keys-'));
  const warnings: string[] = [];
  const first = loadKeyring({ configuredKey: '', previousKeys: [], keysDir: dir, warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.equal(readdirSync(dir).length, 1);
  const second = loadKeyring({ configuredKey: '', previousKeys: [], keysDir: dir, warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.equal(second.currentId, first.currentId);
  const value = first.encrypt('x', AAD);
  assert.equal(second.decryptString(value, AAD), 'x');
});

test('the newest key file encrypts; a configured key takes precedence and file keys still decrypt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-keys-'));
  writeNewKeyFile(dir, new Date('2026-01-01T00:00:00Z'));
  const ringA = loadKeyring({ configuredKey: '', previousKeys: [], keysDir: dir, warn: () => {} });
  const stored = ringA.encrypt('v', AAD);
  writeNewKeyFile(dir, new Date('2026-06-01T00:00:00Z'));
  const ringB = loadKeyring({ configuredKey: '', previousKeys: [], keysDir: dir, warn: () => {} });
  assert.notEqual(ringB.currentId, ringA.currentId);
  assert.equal(ringB.decryptString(stored, AAD), 'v');
  const configured = randomBytes(32);
  const ringC = loadKeyring({ configuredKey: configured.toString('hex'), previousKeys: [], keysDir: dir, warn: () => {} });
  assert.equal(ringC.currentId, keyId(configured));
  assert.equal(ringC.decryptString(stored, AAD), 'v');
});

test('previous_keys decrypt, and a malformed key file or key is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcs-keys-'));
  const previous = randomBytes(32);
  const current = randomBytes(32);
  const stored = new Keyring([previous]).encrypt('p', AAD);
  const ring = loadKeyring({ configuredKey: current.toString('hex'), previousKeys: [previous.toString('base64')], keysDir: dir, warn: () => {} });
  assert.equal(ring.decryptString(stored, AAD), 'p');
  assert.throws(() => loadKeyring({ configuredKey: 'short', previousKeys: [], keysDir: dir, warn: () => {} }), /64 hex/);
  writeFileSync(join(dir, '20260101-bad.key'), 'nonsense');
  assert.throws(() => loadKeyring({ configuredKey: '', previousKeys: [], keysDir: dir, warn: () => {} }), /does not hold/);
});
