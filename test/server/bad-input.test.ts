// Bad encodings from outside never crash the server: each one is a 4xx with our error shape, and the server
// keeps serving. (GET /t/%E0/anything used to throw a URIError from Fastify's rewriteUrl hook and end the process.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('bad encodings from outside', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  test('GET /t/%E0/anything is a 4xx and the server still answers /health', async () => {
    const c = server.client();
    const r = await c.get('/t/%E0/anything');
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    assert.equal((await c.get('/health')).status, 200);
  });
});
