// Access tokens on our APIs (issue 11 item 4), with openid-client as the client: client-credentials tokens with
// WSO2's admin scopes on SCIM and the application API, limited to the token's tenant and to the scopes the
// application is authorized for (checked again at every call); a user's token with internal_login on me/totp;
// admin scopes in a user's token only for the tenant's admin; revoked tokens refused; Basic still works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import { authorizationUrl, discover, oidcApp, openAuthorization, redeem, type OidcApp } from './support.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('access tokens on the APIs', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await provisionTenant(server, 'tokens.example');
  });
  after(async () => server?.close());

  const machineApp = (scopes: string[], tenant?: string) =>
    oidcApp(server, { grantTypes: ['client_credentials'], authorizedScopes: scopes, ...(tenant ? { tenant } : {}) });
  const clientToken = async (app: OidcApp, scope: string, tenant?: string) =>
    (await client.clientCredentialsGrant(await discover(server, app, tenant), { scope })).access_token;

  test('client credentials: the scope a route asks for opens it, any other is 403 naming the scope', async () => {
    const app = await machineApp(['internal_user_mgt_list', 'internal_user_mgt_view', 'internal_user_mgt_create']);
    const token = await clientToken(app, 'internal_user_mgt_list internal_user_mgt_create');
    const c = server.client();
    const list = await c.get('/scim2/Users', { headers: bearer(token) });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json<{ totalResults: number }>().totalResults >= 1);

    const name = `cc-${uniqueSuffix()}`;
    const created = await c.request('/scim2/Users', { method: 'POST', headers: bearer(token), json: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name, password: 'a long password 1' } });
    assert.equal(created.status, 201, created.text);
    const id = created.json<{ id: string }>().id;

    const one = await c.get(`/scim2/Users/${id}`, { headers: bearer(token) });
    assert.equal(one.status, 403, 'viewing one user is internal_user_mgt_view, which the token does not carry');
    assert.match(one.text, /internal_user_mgt_view/);
    assert.match(String(one.headers['www-authenticate']), /insufficient_scope/);
    const del = await c.request(`/scim2/Users/${id}`, { method: 'DELETE', headers: bearer(token) });
    assert.equal(del.status, 403);
    assert.match(del.text, /internal_user_mgt_delete/);
    const apps = await c.get('/api/server/v1/applications', { headers: bearer(token) });
    assert.equal(apps.status, 403, 'another API needs its own scope');

    // The audit names the application as the actor.
    const audit = await c.get(`/api/server/v1/audit-events?event=user.created&limit=5`, { auth: ['admin', 'admin'] });
    const event = audit.json<{ events: { actor?: string; via?: string }[] }>().events.find((e) => e.actor === `APPLICATION/${app.application.name}`);
    assert.ok(event, audit.text);
  });

  test('a client may only ask for the scopes it is authorized for, and losing one ends it at once', async () => {
    const app = await machineApp(['internal_application_mgt_view']);
    await assert.rejects(clientToken(app, 'internal_user_mgt_list'), (e: Error & { error?: string }) => e.error === 'invalid_scope');
    const token = await clientToken(app, 'internal_application_mgt_view');
    const c = server.client();
    assert.equal((await c.get('/api/server/v1/applications', { headers: bearer(token) })).status, 200);
    const tenant = await tenantOf(server);
    const stored = app.application.inboundProtocols.oidc as Record<string, unknown>;
    await server.services.applicationService.update(tenant, app.application, {
      inboundProtocolConfiguration: { oidc: { clientId: app.clientId, clientSecretHash: stored.clientSecretHash, grantTypes: ['client_credentials'], authorizedScopes: [] } },
    });
    const after = await c.get('/api/server/v1/applications', { headers: bearer(token) });
    assert.equal(after.status, 403, after.text);
    assert.match(after.text, /no longer authorized/);
  });

  test("a token of one tenant is refused by another tenant's APIs; unknown and revoked tokens are 401", async () => {
    const app = await machineApp(['internal_user_mgt_list']);
    const token = await clientToken(app, 'internal_user_mgt_list');
    const c = server.client();
    const elsewhere = await c.get('/t/tokens.example/scim2/Users', { headers: bearer(token) });
    assert.equal(elsewhere.status, 401);
    assert.match(String(elsewhere.headers['www-authenticate']), /Bearer error="invalid_token"/);
    const theirs = await machineApp(['internal_user_mgt_list'], 'tokens.example');
    const theirToken = await clientToken(theirs, 'internal_user_mgt_list', 'tokens.example');
    assert.equal((await c.get('/t/tokens.example/scim2/Users', { headers: bearer(theirToken) })).status, 200);
    assert.equal((await c.get('/scim2/Users', { headers: bearer(theirToken) })).status, 401);

    assert.equal((await c.get('/scim2/Users', { headers: bearer('not-a-token') })).status, 401);
    await client.tokenRevocation(await discover(server, app), token);
    assert.equal((await c.get('/scim2/Users', { headers: bearer(token) })).status, 401, 'revoked');
    assert.equal((await c.get('/scim2/Users', { auth: ['admin', 'admin'] })).status, 200, 'HTTP Basic still works for the admin');
  });

  test("a user's token with internal_login works on me/totp; its login's code is the proof a change needs", async () => {
    const app = await oidcApp(server);
    const config = await discover(server, app);
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const auth = await authorizationUrl(config, { scope: 'openid internal_login' });
    const enrol = await browser.login(await openAuthorization(browser, auth.url), username, password);
    assert.equal(enrol.name, 'totp_enroll.do');
    const totp = totpFromQr(enrol);
    await awayFromStepEdge(30);
    const tokens = await redeem(config, await browser.submit(await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']), { token: codeAt(totp) }), auth);
    assert.match(String(tokens.scope), /internal_login/);
    const c = server.client();
    const qr = await c.get('/api/users/v1/me/totp', { headers: bearer(tokens.access_token) });
    assert.equal(qr.status, 200, qr.text);
    assert.match(qr.json<{ qrCodeUrl: string }>().qrCodeUrl, /^[A-Za-z0-9+/=]+$/);

    // Without the scope: 403; a password-only login's token cannot reveal an enrolled user's secret.
    const plain = await authorizationUrl(config, { scope: 'openid' });
    const noScope = await redeem(config, await openAuthorization(browser, plain.url), plain);
    const refused = await c.get('/api/users/v1/me/totp', { headers: bearer(noScope.access_token) });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /internal_login/);
    const pwdOnly = await oidcApp(server, { steps: [['basic']] });
    const pwdConfig = await discover(server, pwdOnly);
    const pwdAuth = await authorizationUrl(pwdConfig, { scope: 'openid internal_login' });
    const other = new LoginBrowser(server.client());
    const pwdTokens = await redeem(pwdConfig, await other.login(await openAuthorization(other, pwdAuth.url), username, password), pwdAuth);
    const needsCode = await c.get('/api/users/v1/me/totp', { headers: bearer(pwdTokens.access_token) });
    assert.equal(needsCode.status, 403);
    assert.equal(needsCode.json<{ code: string }>().code, 'OTP-10008');
    const validate = await c.request('/api/users/v1/me/totp', { method: 'POST', headers: bearer(pwdTokens.access_token), json: { action: 'VALIDATE', verificationCode: codeAt(totp, 30) } });
    assert.equal(validate.status, 200, validate.text);
    // An admin API refuses a user's token that lacks its scope.
    assert.equal((await c.get('/scim2/Users', { headers: bearer(tokens.access_token) })).status, 403);
    // Disabling the account ends its tokens, as it ends its sessions.
    const tenant = await tenantOf(server);
    const admin = (await server.services.users.find(tenant, 'admin'))!;
    await server.services.userAdmin.disable({ tenant, actor: admin, via: 'test' }, (await server.services.users.find(tenant, username))!);
    assert.equal((await c.get('/api/users/v1/me/totp', { headers: bearer(tokens.access_token) })).status, 401);
  });

  test("admin scopes in a user's token: granted to the tenant's admin only", async () => {
    const app = await oidcApp(server, { steps: [['basic']], authorizedScopes: ['internal_user_mgt_list'] });
    const config = await discover(server, app);
    const login = async (username: string, password: string) => {
      const browser = new LoginBrowser(server.client());
      const auth = await authorizationUrl(config, { scope: 'openid internal_user_mgt_list' });
      return redeem(config, await browser.login(await openAuthorization(browser, auth.url), username, password), auth);
    };
    const admin = await login('admin', 'admin');
    assert.match(String(admin.scope), /internal_user_mgt_list/);
    const c = server.client();
    assert.equal((await c.get('/scim2/Users', { headers: bearer(admin.access_token) })).status, 200);

    const { username, password } = await createUser(server);
    const user = await login(username, password);
    assert.doesNotMatch(String(user.scope ?? ''), /internal_user_mgt_list/, 'not granted to a user who is not the admin');
    assert.equal((await c.get('/scim2/Users', { headers: bearer(user.access_token) })).status, 403);
  });
});
