import assert from 'node:assert/strict';
import { createPrivateKey, createSign, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { createSelfSigned } from './certificates.ts';

test('a self-signed pair is a valid certificate for its names, and the key matches it', async () => {
  const pair = await createSelfSigned({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const cert = new X509Certificate(pair.certificatePem);
  assert.equal(cert.subject, 'CN=localhost');
  assert.ok(cert.checkHost('localhost'));
  assert.ok(cert.checkIP('127.0.0.1'));
  assert.ok(cert.verify(cert.publicKey));
  const key = createPrivateKey(pair.privateKeyPem);
  assert.ok(cert.checkPrivateKey(key));
  const sig = createSign('sha256').update('data').sign(key);
  assert.ok(cert.publicKey.asymmetricKeyDetails?.modulusLength === 2048);
  assert.ok(sig.length === 256);
  assert.ok(new Date(cert.validTo).getTime() > Date.now() + 365 * 86_400_000);
});
