// Tenant email templates on SQLite, PostgreSQL and MariaDB: overrides, fallback, listing, removal, and the
// largest body the API accepts fitting the column on every engine.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EmailTemplateService } from '../../src/notifications/email-templates.ts';
import { templateType } from '../../src/notifications/template-types.ts';
import { MAX_BODY_BYTES, parseTemplate } from '../../src/notifications/validate.ts';
import { systemClock } from '../../src/time/clock.ts';
import { ALL_DATABASES, isAvailable, openTestStorage } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

const totp = templateType('TOTP');

for (const type of ALL_DATABASES) {
  const available = await isAvailable(type);
  describe(`email templates on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let storage: Awaited<ReturnType<typeof openTestStorage>>;
    let templates: EmailTemplateService;
    const t1 = randomUUID();
    const t2 = randomUUID();

    before(async () => {
      storage = await openTestStorage(type);
      templates = new EmailTemplateService(storage.db, systemClock);
    });
    after(async () => storage?.close());

    test('defaults until a tenant overrides; overrides stay in their tenant', async () => {
      assert.deepEqual(await templates.locales(t1, totp), [{ locale: 'en_US', isDefault: true }]);
      const own = { contentType: 'text/html' as const, subject: 'Kod', body: '<p>{{token}}</p>', footer: 'Zespół' };
      assert.deepEqual(await templates.put(t1, totp, 'pl_PL', own), { created: true });
      assert.deepEqual(await templates.put(t1, totp, 'pl_PL', { ...own, subject: 'Twój kod' }), { created: false });
      assert.deepEqual(await templates.get(t1, totp, 'pl_PL'), { template: { ...own, subject: 'Twój kod' }, locale: 'pl_PL', isDefault: false });
      assert.deepEqual(await templates.locales(t1, totp), [
        { locale: 'en_US', isDefault: true },
        { locale: 'pl_PL', isDefault: false },
      ]);
      assert.equal(await templates.get(t2, totp, 'pl_PL'), undefined);
      assert.equal((await templates.resolve(t2, totp, 'pl_PL')).locale, 'en_US');
      assert.equal((await templates.resolve(t1, totp, 'pl_PL')).template.subject, 'Twój kod');
    });

    test('an en_US override is the fallback for locales nobody wrote; removing it restores the default', async () => {
      await templates.put(t2, totp, 'en_US', { contentType: 'text/plain', subject: 'Custom', body: '{{token}}', footer: '' });
      const r = await templates.resolve(t2, totp, 'de_DE');
      assert.deepEqual([r.locale, r.isDefault, r.template.subject], ['en_US', false, 'Custom']);
      assert.equal(await templates.remove(t2, totp, 'en_US'), true);
      assert.equal(await templates.remove(t2, totp, 'en_US'), false);
      assert.equal((await templates.resolve(t2, totp, undefined)).template.subject, 'Time-Based One Time Password');
    });

    test('the largest body and footer the API accepts are stored whole', async () => {
      // Four-byte characters: the limit is in bytes, which is what MySQL's TEXT counts.
      const body = `{{token}}${'😀'.repeat(16381)}xx`;
      assert.equal(Buffer.byteLength(body), MAX_BODY_BYTES);
      const parsed = parseTemplate(totp, { subject: 'ś'.repeat(255), body, footer: body });
      await templates.put(t1, totp, 'en_GB', parsed);
      const back = await templates.get(t1, totp, 'en_GB');
      assert.equal(back?.template.body, body);
      assert.equal(back?.template.footer, body);
      assert.equal(back?.template.subject, 'ś'.repeat(255));
    });
  });
}
