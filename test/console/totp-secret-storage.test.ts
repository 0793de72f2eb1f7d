// The console's "Where TOTP secrets are kept" page: the location in force with each store's plan, user stores
// refused with the read-only store named (a declared JDBC store with read_only = true; it is never contacted),
// the database and the file default saved with a notice and an audit event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tenantOf } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ConsoleBrowser, noticeOf, problemOf } from './console-browser.ts';

describe('console: where TOTP secrets are kept', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => {
    server = await startTestServer({
      toml: `
[[user_store]]
type = "database"
domain = "RO"
url = "postgres://nobody@127.0.0.1:1/none"
read_only = true
`,
    });
    admin = new ConsoleBrowser(server);
    await admin.signIn('admin', 'admin');
  });
  after(async () => server?.close());

  test('the TOTP page links to it; it shows the location in force and each store', async () => {
    assert.match((await admin.open('/console/totp')).html, /href="\/console\/totp\/secrets"/);
    const page = await admin.open('/console/totp/secrets');
    assert.equal(page.status, 200);
    assert.match(page.html, /In force for <strong>carbon\.super<\/strong>: <strong>Portcullis database<\/strong>/);
    assert.match(page.html, /<td>RO<\/td><td>Portcullis database<\/td><td>read-only<\/td>/);
  });

  test('user stores are refused while a store is read-only, naming it; nothing changes', async () => {
    const page = await admin.open('/console/totp/secrets');
    const refused = await admin.post(page, '/console/totp/secrets', { location: 'user_store' });
    assert.equal(refused.status, 400);
    assert.match(problemOf(refused), /User store is read-only\. The user store RO is read-only, so it cannot keep TOTP secrets/);
    assert.equal((await server.services.totpSecretStorage.view(await tenantOf(server))).overridden, false);
    const bad = await admin.post(page, '/console/totp/secrets', { location: 'somewhere' });
    assert.equal(bad.status, 400);
  });

  test('the database is saved as the tenant\'s own choice, audited; the file default removes it', async () => {
    const page = await admin.open('/console/totp/secrets');
    const saved = await admin.post(page, '/console/totp/secrets', { location: 'database' });
    assert.match(noticeOf(saved), /new TOTP secrets are kept where shown below/);
    assert.match(saved.html, /<span class="tag">tenant<\/span>/);
    const tenant = await tenantOf(server);
    assert.equal((await server.services.totpSecretStorage.view(tenant)).overridden, true);
    const events = await server.services.storage.db.selectFrom('audit_events').select('reason').where('event', '=', 'settings.updated').execute();
    assert.ok(events.some((e) => e.reason === 'TOTP secret storage: database'));
    await admin.post(saved, '/console/totp/secrets', { location: 'file' });
    assert.equal((await server.services.totpSecretStorage.view(tenant)).overridden, false);
  });
});
