// NotificationService with fakes (claims, templates, transport, log): what reaches a template and the logs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { LocalClaim } from '../claims/claim-metadata.ts';
import { isReleasable, type ClaimAudience } from '../claims/claim-read-policy.ts';
import type { ClaimValueService } from '../claims/claim-values.ts';
import { CLAIMS } from '../claims/local-claims.ts';
import { AppError } from '../errors/app-error.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { EmailTemplateService, FoundTemplate } from './email-templates.ts';
import type { MailMessage, MailTransport } from './mail-transport.ts';
import { NotificationService } from './notification-service.ts';
import type { EmailTemplate } from './template-types.ts';

const tenant: Tenant = { id: 't1', domain: 'example.com', active: true, adminUsername: 'admin', createdAt: 0 };
const user: UserRecord = { id: 'u1', tenantId: 't1', storeDomain: 'PRIMARY', username: 'ann', createdAt: 0, updatedAt: 0 };
const SECRET_CLAIM = 'http://wso2.org/claims/identity/secretkey';

function claim(uri: string, hidden = false): LocalClaim {
  return { uri, displayName: uri, description: '', displayOrder: 0, supportedByDefault: false, readOnly: false, hidden, required: false, regex: null, attributeMappings: [] };
}

function setup(template: EmailTemplate, values: Record<string, string>, transport?: MailTransport) {
  const sent: MailMessage[] = [];
  const logs: string[] = [];
  const defined = [claim(CLAIMS.email), claim(CLAIMS.givenName), claim(CLAIMS.nickname, true), claim(SECRET_CLAIM), claim(CLAIMS.accountLocked)];
  const pick = (uris: readonly string[]) => Object.fromEntries(uris.filter((u) => values[u] !== undefined).map((u) => [u, values[u]!]));
  // The real policy over the fake definitions, as ClaimValueService.readReleasable applies it.
  const claimValues = {
    get: async (_u: UserRecord, uris: readonly string[]) => pick(uris),
    readReleasable: async (_u: UserRecord, uris: readonly string[], audience: ClaimAudience) =>
      pick(uris.filter((uri) => defined.some((c) => c.uri === uri && isReleasable(c, audience)))),
  };
  const templates = { resolve: async (): Promise<FoundTemplate> => ({ template, locale: 'en_US', isDefault: true }) };
  const service = new NotificationService({
    templates: templates as unknown as EmailTemplateService,
    claimValues: claimValues as unknown as ClaimValueService,
    transport: transport ?? { kind: 'fake', send: async (m) => (sent.push(m), { messageId: 'id-1' }) },
    sender: { address: 'noreply@example.com', signature: '' },
    log: pino({ level: 'debug' }, { write: (l: string) => logs.push(l) }),
    secrets: ['smtp-pass'],
  });
  return { service, sent, logs };
}

const plain = (body: string, subject = 'S'): EmailTemplate => ({ contentType: 'text/plain', subject, body, footer: '' });

test('only visible, non-identity claims reach a template; built-ins cannot be overridden by the caller', async () => {
  const values = { [CLAIMS.email]: 'ann@example.com', [CLAIMS.givenName]: 'Ann', [CLAIMS.nickname]: 'hidden-nick', [SECRET_CLAIM]: 'JBSWY3DP', [CLAIMS.accountLocked]: 'false' };
  const body = '{{user.claim.givenname}}|{{user.claim.nickname}}|{{user.claim.identity/secretkey}}|{{user.claim.secretkey}}|{{user.claim.identity/accountLocked}}|{{user-name}}|{{tenant-domain}}|{{token}}|{{constructor}}|{{expiry-minutes}}';
  const { service, sent, logs } = setup(plain(body), values);
  await service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '123456', 'user-name': 'mallory', 'expiry-minutes': '5' } });
  assert.equal(sent[0]?.text, 'Ann|||||ann|example.com|123456||5\n');
  assert.equal(sent[0]?.to, 'ann@example.com');
  assert.ok(logs.some((l) => l.includes('user.claim.nickname') && l.includes('"level":20')), 'unknown placeholders are logged at debug');
  assert.ok(!logs.join('').includes('123456'));
});

test('an address that could add recipients or headers is refused', async () => {
  for (const email of ['a@b.c, evil@x.y', 'Ann <a@b.c>', 'a@b.c\r\nBcc: x@y']) {
    const { service, sent } = setup(plain('{{token}}'), { [CLAIMS.email]: email });
    await assert.rejects(service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '1' } }), (e: unknown) => e instanceof AppError && e.code === 'NTF-40001');
    assert.equal(sent.length, 0);
  }
});

test('a transport failure is a generic NTF-50301; the log has the reason but no secret and no code', async () => {
  const failing: MailTransport = {
    kind: 'smtp',
    send: async () => {
      throw Object.assign(new Error('Invalid login: 535 bad credentials for smtp-pass'), { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' });
    },
  };
  const { service, logs } = setup(plain('{{token}}'), { [CLAIMS.email]: 'ann@example.com' }, failing);
  await assert.rejects(
    service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '654321' } }),
    (e: unknown) => e instanceof AppError && e.code === 'NTF-50301' && e.cause === undefined && !e.description.includes('535'),
  );
  const log = logs.join('');
  assert.match(log, /"reason":"EAUTH","smtpStatus":535,"smtpCommand":"AUTH PLAIN"/);
  assert.match(log, /bad credentials for \[redacted\]/);
  assert.ok(!log.includes('smtp-pass') && !log.includes('654321'));
});

test('subjects stay on one line whatever the values', async () => {
  const { service, sent } = setup(plain('{{token}}', 'Hi {{user.claim.givenname}}'), { [CLAIMS.email]: 'ann@example.com', [CLAIMS.givenName]: 'Ann\r\nBcc: x@y' });
  await service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '1' } });
  assert.equal(sent[0]?.subject, 'Hi Ann Bcc: x@y');
});

test('TOTP derives {{expires-in}} from expiry-minutes, and says "a few minutes" without it', async () => {
  const { service, sent } = setup(plain('{{token}} expires {{expires-in}}.'), { [CLAIMS.email]: 'ann@example.com' });
  await service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '1', 'expiry-minutes': '3' } });
  await service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '1', 'expiry-minutes': '1' } });
  await service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '1' } });
  await service.sendEmail({ tenant, user, type: 'TOTP', values: { token: '1', 'expiry-minutes': 'soon' } });
  assert.deepEqual(
    sent.map((m) => m.text),
    ['1 expires in 3 minutes.\n', '1 expires in 1 minute.\n', '1 expires in a few minutes.\n', '1 expires in a few minutes.\n'],
  );
});
