// Email notifications end to end: Portcullis sends through a real SMTP server (smtp-server on loopback), and
// the received MIME message is parsed with mailparser. Templates are changed through the admin API.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { createTenant } from '../../src/provisioning.ts';
import type { Tenant } from '../../src/tenants/tenant-service.ts';
import type { UserRecord } from '../../src/users/user-store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtp-server.ts';

const SMTP_USER = 'mailer';
const SMTP_PASSWORD = 'smtp-password-never-logged';
const API = '/api/server/v1/email/template-types';

async function newUser(server: TestServer, tenant: Tenant, username: string, claims: Record<string, string>): Promise<UserRecord> {
  const user = await server.services.users.create(tenant, { username, password: `${username}-password-1` });
  await server.services.claimValues.set(user, claims);
  return user;
}

/** Log text without pino's timestamps, whose digits could contain a six-digit code by chance. */
function logText(lines: string[]): string {
  return lines.join('').replace(/"time":\d+/g, '');
}

describe('email through a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let superTenant: Tenant;
  let other: Tenant;
  const logLines: string[] = [];

  before(async () => {
    smtp = await startSmtpServer({ credentials: { username: SMTP_USER, password: SMTP_PASSWORD }, rejectRecipients: ['bounce@example.org'] });
    server = await startTestServer({
      logStream: { write: (l) => logLines.push(l) },
      toml: `[logging]
level = "debug"
[output_adapter.email]
hostname = "127.0.0.1"
port = ${smtp.port}
from_address = "noreply@portcullis.test"
username = "${SMTP_USER}"
password = "${SMTP_PASSWORD}"
enable_start_tls = false
enable_authentication = true
signature = "Portcullis Test"
`,
    });
    superTenant = (await server.services.tenants.findByDomain('carbon.super'))!;
    other = await createTenant(server.services, 'example.com', { username: 'boss', password: 'boss-password-1' });
  });
  after(async () => {
    await server?.close();
    await smtp?.close();
  });

  function lastMail(): ReceivedMail {
    const m = smtp.messages.at(-1);
    assert.ok(m, 'a message arrived');
    return m;
  }

  test('the default TOTP template reaches the user: recipient, subject, token, given name, sender, signature', async () => {
    const user = await newUser(server, superTenant, 'ann', { [CLAIMS.email]: 'ann@example.org', [CLAIMS.givenName]: 'Ann' });
    const sent = await server.services.notifications.sendEmail({ tenant: superTenant, user, type: 'TOTP', values: { token: '047193' } });
    assert.equal(sent.transport, 'smtp');
    assert.equal(sent.to, 'ann@example.org');
    assert.equal(sent.locale, 'en_US');
    const mail = lastMail();
    assert.equal(mail.authUser, SMTP_USER);
    assert.deepEqual(mail.rcptTo, ['ann@example.org']);
    assert.equal(mail.mailFrom, 'noreply@portcullis.test');
    assert.equal(mail.parsed.subject, 'Time-Based One Time Password');
    assert.deepEqual(mail.parsed.from?.value[0], { address: 'noreply@portcullis.test', name: 'Portcullis Test' });
    const text = mail.parsed.text ?? '';
    assert.match(text, /^Hi Ann,/);
    assert.match(text, /Please use the token 047193 as the password for your login\./);
    assert.match(text, /expires in a few minutes/);
    assert.match(text, /\n-- \nPortcullis Test\n?$/);
    assert.equal(mail.parsed.html, false, 'the default is plain text');
    assert.equal(mail.parsed.headers.get('auto-submitted'), 'auto-generated');
    const logs = logText(logLines);
    assert.ok(logs.includes('"msg":"email sent"'));
    assert.ok(!logs.includes('047193'), 'the code is not logged');
    assert.ok(!logs.includes(SMTP_PASSWORD));
  });

  test('the locale falls back to en_US; no given name reads "Hi,"; a known lifetime is named', async () => {
    const user = await newUser(server, superTenant, 'nameless', { [CLAIMS.email]: 'nameless@example.org', [CLAIMS.locale]: 'fr_FR' });
    const sent = await server.services.notifications.sendEmail({ tenant: superTenant, user, type: 'TOTP', values: { token: '550011', 'expiry-minutes': '5' } });
    assert.equal(sent.locale, 'en_US');
    assert.match(lastMail().parsed.text ?? '', /^Hi,\n/);
    assert.match(lastMail().parsed.text ?? '', /The code expires in 5 minutes\./);
    assert.ok(logText(logLines).includes('user.claim.givenname'), 'the empty placeholder is logged at debug, by name');
  });

  test('a tenant override set through the API changes the next mail; other tenants keep the default', async () => {
    const admin = server.client();
    const auth: [string, string] = ['boss@example.com', 'boss-password-1'];
    const html = '<html><body><p>Hello {{ user.claim.givenname }} {{user.claim.lastname}} of {{tenant-domain}}!</p><p>Code: <b>{{token}}</b>{{nope}}</p></body></html>';
    const put = await admin.request(`/t/example.com${API}/TOTP/templates/en_US`, {
      method: 'PUT',
      auth,
      json: { contentType: 'text/html', subject: 'Your {{tenant-domain}} code', body: html, footer: '<p>Example team</p>' },
    });
    assert.equal(put.status, 201, put.text);
    assert.equal(put.headers.location, `/t/example.com${API}/dG90cA/templates/en_US`);

    const got = await admin.get(`/t/example.com${API}/TOTP/templates/en_US`, { auth });
    assert.equal(got.status, 200);
    assert.deepEqual(got.json(), { id: 'en_US', contentType: 'text/html', subject: 'Your {{tenant-domain}} code', body: html, footer: '<p>Example team</p>' });
    const list = await admin.get(`/t/example.com${API}/dG90cA/templates`, { auth });
    assert.deepEqual(list.json(), [{ id: 'en_US', self: `/t/example.com${API}/dG90cA/templates/en_US`, isDefault: false }]);

    const bob = await newUser(server, other, 'bob', { [CLAIMS.email]: 'bob@example.com', [CLAIMS.givenName]: 'Bob <script>', [CLAIMS.lastName]: "O'Hara & Sons" });
    await server.services.notifications.sendEmail({ tenant: other, user: bob, type: 'TOTP', values: { token: '731904' } });
    const mail = lastMail();
    assert.deepEqual(mail.rcptTo, ['bob@example.com']);
    assert.equal(mail.parsed.subject, 'Your example.com code');
    const body = String(mail.parsed.html);
    assert.ok(body.includes('Hello Bob &lt;script&gt; O&#39;Hara &amp; Sons of example.com!'), body);
    assert.ok(body.includes('<b>731904</b>'));
    assert.ok(body.includes('<p>Example team</p><p>-- <br>Portcullis Test</p></body>'));
    assert.match(mail.parsed.text ?? '', /Code: 731904/);

    // The super tenant still sends the shipped template.
    const carl = await newUser(server, superTenant, 'carl', { [CLAIMS.email]: 'carl@example.org', [CLAIMS.givenName]: 'Carl' });
    await server.services.notifications.sendEmail({ tenant: superTenant, user: carl, type: 'TOTP', values: { token: '118822' } });
    assert.equal(lastMail().parsed.subject, 'Time-Based One Time Password');

    // Replacing answers 200; deleting returns example.com to the default.
    const replace = await admin.request(`/t/example.com${API}/TOTP/templates/en_US`, { method: 'PUT', auth, json: { subject: 'Code', body: '{{token}}' } });
    assert.equal(replace.status, 200);
    assert.equal((await admin.request(`/t/example.com${API}/TOTP/templates/en_US`, { method: 'DELETE', auth })).status, 204);
    await server.services.notifications.sendEmail({ tenant: other, user: bob, type: 'TOTP', values: { token: '662200' } });
    assert.equal(lastMail().parsed.subject, 'Time-Based One Time Password');
    const again = await admin.get(`/t/example.com${API}/TOTP/templates`, { auth });
    assert.deepEqual(again.json(), [{ id: 'en_US', self: `/t/example.com${API}/dG90cA/templates/en_US`, isDefault: true }]);
  });

  test('the API refuses a TOTP template without {{token}}, non-admins, and unknown types or locales', async () => {
    const c = server.client();
    const admin: [string, string] = ['admin', 'admin'];
    const missing = await c.request(`${API}/TOTP/templates/en_US`, { method: 'PUT', auth: admin, json: { subject: 'Code', body: 'Hi {{user.claim.givenname}}' } });
    assert.equal(missing.status, 400);
    const err = missing.json<{ code: string; message: string; description: string }>();
    assert.equal(err.code, 'NTF-40002');
    assert.equal(err.description, 'The body of a TOTP template must contain the placeholder {{token}}.');
    const badLocale = await c.request(`${API}/TOTP/templates/en_US!`, { method: 'PUT', auth: admin, json: { subject: 'Code', body: '{{token}}' } });
    assert.equal(badLocale.status, 400);

    assert.equal((await c.get(`${API}/TOTP/templates/en_US`, { auth: ['ann', 'ann-password-1'] })).status, 403);
    assert.equal((await c.request(`${API}/TOTP/templates/en_US`, { method: 'PUT', auth: ['ann', 'ann-password-1'], json: { subject: 's', body: '{{token}}' } })).status, 403);
    assert.equal((await c.get(API)).status, 401);
    const unknownType = await c.get(`${API}/NOPE/templates`, { auth: admin });
    assert.equal(unknownType.json<{ code: string }>().code, 'NTF-40401');
    assert.equal((await c.get(`${API}/TOTP/templates/fr_FR`, { auth: admin })).status, 404);
    assert.equal((await c.request(`${API}/TOTP/templates/fr_FR`, { method: 'DELETE', auth: admin })).status, 404);
    // The tenant admin of example.com cannot touch carbon.super's templates.
    assert.equal((await c.get(`/t/carbon.super${API}`, { auth: ['boss', 'boss-password-1'] })).status, 401);
  });

  test('template types are listed with WSO2 ids, and a type is readable with its templates', async () => {
    const c = server.client();
    const types = await c.get(`/t/carbon.super${API}`, { auth: ['admin', 'admin'] });
    assert.deepEqual(types.json(), [{ id: 'dG90cA', displayName: 'TOTP', self: `/t/carbon.super${API}/dG90cA` }]);
    const type = await c.get(`${API}/dG90cA`, { auth: ['admin', 'admin'] });
    const body = type.json<{ templates: { id: string; subject: string; body: string }[] }>();
    assert.equal(body.templates[0]?.id, 'en_US');
    assert.match(body.templates[0]?.body ?? '', /\{\{token\}\}/);
  });

  test('no email address is a clear error; a refused send is a generic one that logs no secrets', async () => {
    const none = await newUser(server, superTenant, 'nomail', { [CLAIMS.givenName]: 'No' });
    await assert.rejects(
      server.services.notifications.sendEmail({ tenant: superTenant, user: none, type: 'TOTP', values: { token: '000000' } }),
      (e: unknown) => e instanceof AppError && e.code === 'NTF-40001' && e.status === 400,
    );
    const bouncing = await newUser(server, superTenant, 'bouncer', { [CLAIMS.email]: 'bounce@example.org' });
    await assert.rejects(
      server.services.notifications.sendEmail({ tenant: superTenant, user: bouncing, type: 'TOTP', values: { token: '909192' } }),
      (e: unknown) => e instanceof AppError && e.code === 'NTF-50301' && !e.message.includes('bounce') && !e.description.includes('550'),
    );
    const logs = logText(logLines);
    assert.ok(logs.includes('"msg":"email could not be sent"'));
    assert.ok(logs.includes('"smtpStatus":550'));
    assert.ok(!logs.includes('909192'));
    assert.ok(!logs.includes(SMTP_PASSWORD));
  });
});

describe('email without an SMTP server: the development outbox', () => {
  let server: TestServer;
  const logLines: string[] = [];

  before(async () => {
    server = await startTestServer({ logStream: { write: (l) => logLines.push(l) }, toml: '[logging]\nlevel = "debug"' });
  });
  after(async () => server?.close());

  test('a message is written as a private .eml file and the log names the file, never the code', async () => {
    assert.ok(logText(logLines).includes('emails are written to'), 'a warning at start says mail goes to the outbox');
    const tenant = (await server.services.tenants.findByDomain('carbon.super'))!;
    const user = await newUser(server, tenant, 'dora', { [CLAIMS.email]: 'dora@example.org', [CLAIMS.givenName]: 'Dora' });
    const sent = await server.services.notifications.sendEmail({ tenant, user, type: 'TOTP', values: { token: '826451' } });
    assert.equal(sent.transport, 'outbox');
    const file = sent.file ?? assert.fail('the result names the file');
    assert.ok(file.startsWith(`${server.dataDir}/outbox/`) && file.endsWith('.eml'), file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const parsed = await simpleParser(readFileSync(file));
    assert.equal(parsed.subject, 'Time-Based One Time Password');
    assert.match(parsed.text ?? '', /Hi Dora,[\s\S]*826451/);
    assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '', 'dora@example.org');

    const lines = logLines.filter((l) => l.includes('development outbox'));
    assert.ok(lines.some((l) => l.includes(file) && l.includes('dora@example.org') && l.includes('"template":"TOTP"')), lines.join(''));
    assert.ok(!logText(logLines).includes('826451'), 'no log line carries the code');
    assert.ok(!logText(logLines).includes('Please use the token'), 'no log line carries the body');
  });
});
