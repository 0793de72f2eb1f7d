// Issue 9, item 4: moving users over from another server. An admin imports the secret a user's app already
// holds (JSON for one user, CSV for many) and the user logs in with codes from that app (computed with otpauth
// from the original secret); the import ends the user's sessions, is audited with the admin and never shows
// the secret back; only the tenant's own admin may import.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { createUser, setMyAccountSteps, tenantOf } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];

describe('admin API: importing TOTP secrets', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  async function logsIn(browser: LoginBrowser, username: string, password: string, totp: OTPAuth.TOTP): Promise<string> {
    const codePage = await browser.login(await browser.open('/myaccount'), username, password);
    assert.equal(codePage.name, 'totp.do', codePage.html.slice(0, 300));
    await awayFromStepEdge(totp.period);
    return (await browser.submit(codePage, { token: codeAt(totp) })).name;
  }

  const importFor = (userId: string, json: unknown, auth: [string, string] = ADMIN, prefix = '') =>
    server.client().request(`${prefix}/api/server/v1/users/${userId}/totp/import`, { method: 'POST', auth, json });

  test('an imported Base32 secret logs its user in; importing again ends the session and only the new secret works', async () => {
    const bob = await createUser(server, { prefix: 'bob' });
    const secret = new OTPAuth.Secret({ size: 20 });
    const res = await importFor(bob.user.id, { secret: secret.base32 });
    assert.equal(res.status, 204, res.text);
    const app = new OTPAuth.TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
    const browser = new LoginBrowser(server.client());
    assert.equal(await logsIn(browser, bob.username, bob.password, app), 'myaccount');
    assert.equal((await browser.open('/myaccount')).name, 'myaccount', 'signed in');

    const next = new OTPAuth.Secret({ size: 20 });
    assert.equal((await importFor(bob.user.id, { secret: next.base32, encoding: 'Base32' })).status, 204);
    assert.equal((await browser.open('/myaccount')).name, 'login.do', 'the import ended the SSO session');
    assert.equal(await logsIn(new LoginBrowser(server.client()), bob.username, bob.password, app), 'totp.do', 'the old secret is replaced');
    assert.equal(await logsIn(new LoginBrowser(server.client()), bob.username, bob.password, new OTPAuth.TOTP({ secret: next })), 'myaccount');

    const tenant = await tenantOf(server);
    const { events } = await server.services.audit.list(tenant.id, { userId: bob.user.id, event: 'totp.imported', offset: 0, limit: 10 });
    assert.equal(events.length, 2);
    assert.equal(events[0]?.actor, 'admin', 'the audit event names the admin');
    assert.equal(events[0]?.application, 'REST');
    const text = JSON.stringify(events);
    assert.ok(!text.includes(secret.base32) && !text.includes(next.base32), 'no secret in the audit log');
  });

  test('an imported Base64 SHA256 8-digit secret logs its user in', async () => {
    const carol = await createUser(server, { prefix: 'carol' });
    const secret = new OTPAuth.Secret({ size: 32 });
    const res = await importFor(carol.user.id, { secret: Buffer.from(secret.bytes).toString('base64'), encoding: 'Base64', algorithm: 'SHA256', digits: 8, period: 30 });
    assert.equal(res.status, 204, res.text);
    const app = new OTPAuth.TOTP({ secret, algorithm: 'SHA256', digits: 8, period: 30 });
    assert.equal(await logsIn(new LoginBrowser(server.client()), carol.username, carol.password, app), 'myaccount');
  });

  test('bad input is 400 naming the field, never echoing the secret; an unknown user is 404', async () => {
    const dave = await createUser(server, { prefix: 'dave' });
    const good = new OTPAuth.Secret({ size: 20 }).base32;
    const cases: [unknown, RegExp, string][] = [
      [{ secret: 'NOT*BASE32*SECRET*1' }, /^secret/, 'NOT*BASE32*SECRET*1'],
      [{ secret: good, digits: 7 }, /^digits/, good],
      [{ secret: good, period: 0 }, /^period/, good],
      [{ secret: good, algorithm: 'MD5' }, /^algorithm/, good],
      [{ secret: good, encoding: 'Hex' }, /^encoding/, good],
      [{ secret: 'AAAA' }, /^secret/, 'AAAA'],
      [{}, /secret/, good],
    ];
    for (const [json, field, secret] of cases) {
      const res = await importFor(dave.user.id, json);
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      const body = res.json<{ code: string; description: string }>();
      assert.equal(body.code, 'PCS-40001');
      assert.match(body.description, field, res.text);
      assert.ok(!res.text.includes(secret), `the secret is not echoed: ${res.text}`);
    }
    assert.equal((await server.services.credentials.totp.status(dave.user)).enrolled, false, 'nothing was imported');
    const unknown = await importFor('00000000-0000-4000-8000-000000000000', { secret: good });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json<{ code: string }>().code, 'USR-40401');
  });

  test("a non-admin gets 403; another tenant's admin cannot import into this tenant's users", async () => {
    const erin = await createUser(server, { prefix: 'erin' });
    const plain = await createUser(server, { prefix: 'plain' });
    const good = new OTPAuth.Secret({ size: 20 }).base32;
    assert.equal((await importFor(erin.user.id, { secret: good }, [plain.username, plain.password])).status, 403);
    assert.equal((await importFor(erin.user.id, { secret: good }, ['admin', 'wrong password'])).status, 401);

    const c = server.client();
    const created = await c.post('/api/server/v1/tenants', { auth: ADMIN, json: { domain: 'other.example', owners: [{ username: 'boss', password: 'a long password', email: 'boss@other.example' }] } });
    assert.equal(created.status, 201, created.text);
    const boss: [string, string] = ['boss@other.example', 'a long password'];
    // A Basic name user@domain selects that tenant (as WSO2): the other admin acts in its own tenant, where no
    // such user exists (404), whether it names its tenant in the path or only in its user name.
    const own = await importFor(erin.user.id, { secret: good }, boss, '/t/other.example');
    assert.equal(own.status, 404, own.text);
    assert.equal((await importFor(erin.user.id, { secret: good }, boss)).status, 404);
    // Its credentials are not valid in this tenant's path, nor is this tenant's admin in the other's.
    assert.equal((await importFor(erin.user.id, { secret: good }, ['boss', 'a long password'], '/t/carbon.super')).status, 401);
    const csv = await c.request('/t/other.example/api/server/v1/users/totp/import', { method: 'POST', auth: boss, headers: { 'content-type': 'text/csv' }, body: `${erin.username},${good}\nCARBON.SUPER/${erin.username},${good}` });
    assert.equal(csv.status, 200, csv.text);
    assert.equal(csv.json<{ imported: number }>().imported, 0);
    assert.equal((await server.services.credentials.totp.status(erin.user)).enrolled, false, "erin's credential is untouched");
  });

  test('CSV: good lines are imported and log in, bad ones are reported by line number', async () => {
    const frank = await createUser(server, { prefix: 'frank' });
    const gina = await createUser(server, { prefix: 'gina' });
    const s1 = new OTPAuth.Secret({ size: 20 });
    const s2 = new OTPAuth.Secret({ size: 20 });
    const body = ['username,secret,algorithm,digits,period', `${frank.username},${s1.base32}`, `nobody-here,${s1.base32}`, `${gina.username},NOT*BASE32*AT*ALL`, `PRIMARY/${gina.username},${s2.base32},SHA512,8,60`, `${frank.username},${s1.base32},SHA1,7`, ''].join('\n');
    const res = await server.client().request('/api/server/v1/users/totp/import', { method: 'POST', auth: ADMIN, headers: { 'content-type': 'text/csv; charset=utf-8' }, body });
    assert.equal(res.status, 200, res.text);
    const report = res.json<{ imported: number; failed: { line: number; username: string; code: string; description: string }[] }>();
    assert.equal(report.imported, 2);
    assert.deepEqual(
      report.failed.map((f) => [f.line, f.username, f.code]),
      [
        [3, 'nobody-here', 'USR-40401'],
        [4, gina.username, 'PCS-40001'],
        [6, frank.username, 'PCS-40001'],
      ],
    );
    assert.match(report.failed[1]!.description, /^secret/);
    assert.match(report.failed[2]!.description, /^digits/);
    assert.ok(!res.text.includes('NOT*BASE32') && !res.text.includes(s1.base32) && !res.text.includes(s2.base32), 'no secret in the report');
    assert.equal(await logsIn(new LoginBrowser(server.client()), frank.username, frank.password, new OTPAuth.TOTP({ secret: s1 })), 'myaccount');
    assert.equal(await logsIn(new LoginBrowser(server.client()), gina.username, gina.password, new OTPAuth.TOTP({ secret: s2, algorithm: 'SHA512', digits: 8, period: 60 })), 'myaccount');
    const json = await server.client().request('/api/server/v1/users/totp/import', { method: 'POST', auth: ADMIN, json: { csv: 'x' } });
    assert.equal(json.status, 415);
  });
});
