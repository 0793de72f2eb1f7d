// The upstream fetch against a local TLS listener that answers what no upstream should: a status outside
// 200-599 (which the Response constructor refuses). It must come back as a rejection, not as an exception thrown
// from the socket's events, which the process guard would count as one outside any request and stop the server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { createSelfSigned } from '../crypto/certificates.ts';
import { createOutboundFetch, type OutboundFetch } from './outbound-fetch.ts';

let server: Server;
let fetch: OutboundFetch;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'pcs-outbound-fetch-'));

before(async () => {
  const pair = await createSelfSigned({ commonName: 'upstream', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'ca.pem'), pair.certificatePem);
  server = createServer({ key: pair.privateKeyPem, cert: pair.certificatePem }, (socket) => {
    socket.once('data', (request: Buffer) => {
      const status = /^GET \/status\/(\d+)/.exec(request.toString())?.[1] ?? '200';
      socket.end(`HTTP/1.1 ${status} Whatever\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fetch = createOutboundFetch({ allowPrivate: true, caFile: join(dir, 'ca.pem'), timeoutMs: 5_000, maxResponseBytes: 1024 });
});
after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an ordinary answer is read', async () => {
  const res = await fetch(`${base}/status/200`, {});
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'ok');
});

test('a status the Response cannot carry is a rejection, not an uncaught exception', async () => {
  let uncaught: unknown;
  const onUncaught = (err: unknown) => (uncaught = err);
  process.prependListener('uncaughtException', onUncaught);
  try {
    await assert.rejects(fetch(`${base}/status/999`, {}), RangeError);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.equal(uncaught, undefined);
});
