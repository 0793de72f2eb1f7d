// The secret-storage setting's admin API (/api/server/v1/configs/authenticators/totp/secret-storage): admins
// only, validated, audited, and one tenant's admin can neither read nor change another tenant's choice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';

const PATH = '/api/server/v1/configs/authenticators/totp/secret-storage';
const ADMIN: [string, string] = ['admin', 'admin'];
const ALPHA: [string, string] = ['boss', 'a long password'];
const BETA: [string, string] = ['chief', 'another long password'];

describe('TOTP secret storage API', () => {
  let server: TestServer;
  let alpha: Tenant;
  let beta: Tenant;

  before(async () => {
    server = await startTestServer();
    alpha = await provisionTenant(server, 'alpha.secrets.example', { username: ALPHA[0], password: ALPHA[1] });
    beta = await provisionTenant(server, 'beta.secrets.example', { username: BETA[0], password: BETA[1] });
  });
  after(async () => server?.close());

  test('admins only; a bad location is a 400 naming the field; a change is audited', async () => {
    assert.equal((await server.client().get(PATH)).status, 401);
    assert.equal((await server.client().get(PATH, { auth: ADMIN })).json<{ location: string }>().location, 'database');
    const bad = await server.client().request(PATH, { method: 'PUT', auth: ADMIN, json: { location: 'ldap' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json<{ description: string }>().description, /location/);
    const saved = await server.client().request(PATH, { method: 'PUT', auth: ADMIN, json: { location: 'database' } });
    assert.equal(saved.status, 200);
    assert.equal(saved.json<{ overridden: boolean }>().overridden, true);
    const superTenant = await server.services.tenants.findByDomain('carbon.super');
    const { events } = await server.services.audit.list(superTenant!.id, { event: 'settings.updated', offset: 0, limit: 5 });
    assert.equal(events[0]?.actor, 'admin');
    assert.match(events[0]?.reason ?? '', /secret storage: database/);
    assert.equal((await server.client().request(PATH, { method: 'DELETE', auth: ADMIN })).status, 204);
  });

  test("tenant isolation: alpha's admin can neither read nor change beta's (nor the super tenant's) choice", async () => {
    const a = `/t/${alpha.domain}${PATH}`;
    const b = `/t/${beta.domain}${PATH}`;
    assert.equal((await server.client().request(a, { method: 'PUT', auth: ALPHA, json: { location: 'user_store' } })).status, 200, 'alpha sets its own');
    assert.equal((await server.client().get(b, { auth: ALPHA })).status, 401, "alpha's admin is nobody in beta");
    assert.equal((await server.client().request(b, { method: 'PUT', auth: ALPHA, json: { location: 'user_store' } })).status, 401);
    assert.equal((await server.client().request(b, { method: 'DELETE', auth: ALPHA })).status, 401);
    assert.equal((await server.client().request(PATH, { method: 'PUT', auth: ALPHA, json: { location: 'user_store' } })).status, 401, 'nor the super tenant');
    assert.equal((await server.client().request(a, { method: 'DELETE', auth: ADMIN })).status, 401, "the super admin is not alpha's admin");
    const betaView = (await server.client().get(b, { auth: BETA })).json<{ location: string; overridden: boolean }>();
    assert.deepEqual([betaView.location, betaView.overridden], ['database', false], "beta keeps the file's default");
    assert.equal((await server.services.totpSecretStorage.view(alpha)).location, 'user_store');
    assert.equal((await server.services.totpSecretStorage.view(beta)).location, 'database');
    assert.equal((await server.client().get(PATH, { auth: ADMIN })).json<{ location: string }>().location, 'database');
  });
});
