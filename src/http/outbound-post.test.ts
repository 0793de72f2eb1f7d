// The guarded form POST against a real local listener: loopback targets, named or literal, are refused before
// anything reaches the listener unless private targets are allowed; answers are bounded and not followed.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { guardedLookup, postForm } from './outbound-post.ts';

let server: Server;
let port: number;
const seen: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/redirect') return res.writeHead(302, { location: '/elsewhere' }).end();
    if (req.url === '/error') return res.writeHead(500).end();
    if (req.url === '/huge') {
      res.writeHead(200);
      // Far more than the reader takes; it stops early instead of waiting for all of it.
      const chunk = Buffer.alloc(64 * 1024, 97);
      const push = () => res.write(chunk) && !res.destroyed && setImmediate(push);
      return push();
    }
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

const deny = { allowPrivate: false, timeoutMs: 2000 };
const allow = { allowPrivate: true, timeoutMs: 2000 };

test('loopback by literal, by a mapped literal, by an odd IPv4 spelling and by name is refused; nothing is sent', async () => {
  const before = seen.length;
  for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '0x7f.0.0.1', '2130706433', 'localhost']) {
    assert.equal(await postForm(`http://${host}:${port}/slo`, { SAMLRequest: 'x' }, deny), 'refused', host);
  }
  assert.equal(seen.length, before, 'the listener saw no request');
});

test('when allowed, the POST arrives; 2xx and 3xx are delivered (3xx not followed), 5xx and no listener are failures', async () => {
  assert.equal(await postForm(`http://localhost:${port}/slo`, { SAMLRequest: 'x' }, allow), 'delivered');
  assert.equal(await postForm(`http://127.0.0.1:${port}/redirect`, {}, allow), 'delivered');
  assert.ok(!seen.includes('/elsewhere'), 'the redirect was not followed');
  assert.equal(await postForm(`http://127.0.0.1:${port}/error`, {}, allow), 'failed');
  assert.equal(await postForm('http://127.0.0.1:9/closed', {}, allow), 'failed');
  assert.equal(await postForm('ftp://127.0.0.1/x', {}, allow), 'failed');
});

test('an endless answer is read only up to the bound', async () => {
  assert.equal(await postForm(`http://127.0.0.1:${port}/huge`, {}, { ...allow, maxResponseBytes: 1024 }), 'delivered');
});

test('the lookup refuses a name that resolves to a private address, in single and all-addresses mode', async () => {
  const one = await new Promise<unknown>((resolve) => guardedLookup('localhost', {}, (err) => resolve(err)));
  assert.match(String(one), /private address/);
  const all = await new Promise<unknown>((resolve) => guardedLookup('localhost', { all: true }, (err) => resolve(err)));
  assert.match(String(all), /private address/);
});
