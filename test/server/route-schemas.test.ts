// Route schemas are compiled on first use (src/http/lazy-schemas.ts). What a start-up compile used to catch, a
// schema that does not compile, is caught here over every route of the full app; and a stand-in validates and
// serializes as Fastify's own compilers do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { lazySchemaCompilers } from '../../src/http/lazy-schemas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('route schemas compiled on first use', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('every route schema of the full app compiles', () => {
    const compiled = server.app.compileRouteSchemas();
    // The admin APIs, SCIM, My Account and the console have a few hundred between them.
    assert.ok(compiled > 100, `only ${compiled} schemas compiled`);
    assert.equal(server.app.compileRouteSchemas(), 0, 'compiled twice');
  });

  it('a compiled stand-in still refuses a bad body with the reasons, and serializes by the response schema', async () => {
    const schemas = lazySchemaCompilers();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    app.post('/echo', {
      schema: {
        body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    }, async (request) => ({ n: (request.body as { n: number }).n, secret: 'not in the schema' }));
    await app.ready();
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /body\/n must be integer/);
    const good = await app.inject({ method: 'POST', url: '/echo', payload: { n: 7 } });
    assert.deepEqual(good.json(), { n: 7 });
    assert.equal(schemas.compileAll(), 0, 'the first requests compiled both');
    await app.close();
  });

  it('a schema that does not compile is reported with its route', async () => {
    const schemas = lazySchemaCompilers();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    app.get('/broken', { schema: { querystring: { type: 'object', properties: { q: { type: 'no-such-type' } } } } }, async () => 'never');
    await app.ready();
    assert.throws(() => schemas.compileAll(), /GET \/broken \(querystring\): schema is invalid/);
    await app.close();
  });

  it('a header schema is refused when the route is added', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers().compilersFactory } });
    app.get('/h', { schema: { headers: { type: 'object', properties: { 'X-Thing': { type: 'string' } } } } }, async () => 'never');
    await assert.rejects(async () => { await app.ready(); }, /header schemas are not supported/);
  });
});
