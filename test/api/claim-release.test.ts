// The claim read policy across the fronts other than SAML: SCIM, the console's user page, My Account and email
// templates. The secret claims' `hidden` flags are cleared in the database first (an old or hand-edited row),
// and a claim mapped onto the seed's attribute is written past the claims API (which refuses it), so nothing here
// rests on a tenant-editable flag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ConsoleBrowser } from '../console/console-browser.ts';
import { createUser, tenantOf } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const PENDING = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
const SECRETS = [CLAIMS.secretKey, CLAIMS.verifySecretKey, CLAIMS.usedTotpTimeWindows];
const COPY = 'http://wso2.org/claims/seedcopy';

describe('claim read policy: SCIM, console, My Account, email templates', () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof createUser>>;

  before(async () => {
    server = await startTestServer();
    const tenant = await tenantOf(server);
    const db = server.services.storage.db;
    await db.updateTable('claims').set({ hidden: 0 }).where('tenant_id', '=', tenant.id).where('uri', 'in', SECRETS).execute();
    // The API refuses a claim on the seed's attribute; the row is written directly, as an old database may have it.
    const claim = { claimURI: COPY, displayName: 'Seed copy', description: 'x', attributeMapping: [{ mappedAttribute: 'totpSecretkey', userstore: 'PRIMARY' }] };
    const copy = await server.client().post('/api/server/v1/claim-dialects/local/claims', { auth: ADMIN, json: claim });
    assert.equal(copy.status, 400, copy.text);
    assert.match(copy.json<{ description: string }>().description, /totpSecretkey.*holds a TOTP secret/);
    await db.insertInto('claims').values({ tenant_id: tenant.id, uri: COPY, display_name: 'Seed copy', description: 'x', display_order: 99, supported_by_default: 0, read_only: 0, hidden: 0, required: 0, regex: null }).execute();
    await db.insertInto('claim_mappings').values({ tenant_id: tenant.id, claim_uri: COPY, store_domain: 'PRIMARY', attribute: 'totpSecretkey' }).execute();
    // Adding a claim drops the tenant's cached claim list, so the rows above are what the server reads from now on.
    await server.services.claims.add(tenant.id, { uri: 'http://wso2.org/claims/department', displayName: 'Department', description: '', attributeMappings: [{ userstore: 'PRIMARY', mappedAttribute: 'departmentNumber' }] });
    assert.equal((await server.services.claims.get(tenant.id, CLAIMS.secretKey))?.hidden, false, 'the flag no longer hides the secret');
    assert.ok(await server.services.claims.get(tenant.id, COPY));
    user = await createUser(server, { email: 'sid@example.com', givenName: 'Sid' });
    await server.services.claimValues.set(user.user, { [CLAIMS.secretKey]: SEED, [CLAIMS.verifySecretKey]: PENDING, [CLAIMS.totpEnabled]: 'true', [CLAIMS.accountLocked]: 'true' });
    await server.services.users.setAttributes(user.user, { totpSecretkey: SEED });
  });
  after(async () => server?.close());

  const noSecret = (text: string) => assert.ok(!text.includes(SEED) && !text.includes(PENDING), 'no seed in the output');

  test('SCIM GET, list, search and projections never show a secret; active and the lock are the named admin exceptions', async () => {
    const c = server.client();
    const id = user.user.id;
    const outputs = [
      await c.get(`/scim2/Users/${id}`, { auth: ADMIN }),
      await c.get(`/scim2/Users?filter=${encodeURIComponent(`userName eq "${user.username}"`)}`, { auth: ADMIN }),
      await c.get(`/scim2/Users/${id}?attributes=${encodeURIComponent('secretkey,urn:scim:wso2:schema:secretkey,urn:scim:wso2:schema:seedcopy,active')}`, { auth: ADMIN }),
      await c.post('/scim2/Users/.search', { auth: ADMIN, json: { filter: `userName eq "${user.username}"`, attributes: ['urn:scim:wso2:schema'] } }),
    ];
    for (const r of outputs) {
      assert.equal(r.status, 200, r.text);
      noSecret(r.text);
      assert.doesNotMatch(r.text, /secret|seedcopy|totpEnabled|usedTOTP/i);
    }
    const full = outputs[0]!.json<Record<string, unknown>>();
    assert.equal(full.active, true);
    assert.deepEqual(full['urn:scim:wso2:schema'], { accountLocked: true, lockedReason: 'AdminInitiated' });
    const filter = await c.get(`/scim2/Users?filter=${encodeURIComponent('urn:scim:wso2:schema:secretkey sw "J"')}`, { auth: ADMIN });
    assert.equal(filter.status, 400, 'a secret cannot be searched one guess at a time');
  });

  test('the console user page lists profile claims and lock state, never a secret or the copy of one', async () => {
    const admin = new ConsoleBrowser(server);
    await admin.signIn('admin', 'admin');
    const page = await admin.open(`/console/users/${user.user.id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /<dd>sid@example\.com<\/dd>/);
    noSecret(page.html);
    assert.doesNotMatch(page.html, /Secret Key|Seed copy|Used TOTP Time Windows/);
  });

  test('My Account shows the profile and that TOTP is on, never the seed', async () => {
    const fresh = await createUser(server, { email: 'me@example.com', givenName: 'Mia' });
    await server.services.claimValues.set(fresh.user, { [CLAIMS.secretKey]: SEED, [CLAIMS.totpEnabled]: 'true' });
    const browser = new LoginBrowser(server.client());
    const page = await browser.login(await browser.open('/myaccount'), fresh.username, fresh.password);
    // The default My Account sequence is the password step only.
    assert.equal(page.name, 'myaccount', page.html);
    assert.match(page.html, /me@example\.com/);
    noSecret(page.html);
  });

  test('an email template naming a secret or identity claim is refused when saved, naming the claim', async () => {
    const c = server.client();
    const put = (body: string) =>
      c.request('/api/server/v1/email/template-types/TOTP/templates/en_US', { method: 'PUT', auth: ADMIN, json: { subject: 'Code', body, contentType: 'text/plain' } });
    for (const [placeholder, uri] of [
      ['user.claim.identity/secretkey', CLAIMS.secretKey],
      ['user.claim.identity/verifySecretkey', CLAIMS.verifySecretKey],
      ['user.claim.identity/accountLocked', CLAIMS.accountLocked],
    ] as const) {
      const r = await put(`{{token}} {{ ${placeholder} }}`);
      assert.equal(r.status, 400, r.text);
      const e = r.json<{ code: string; description: string }>();
      assert.equal(e.code, 'NTF-40002');
      assert.ok(e.description.includes(uri), e.description);
    }
    const ok = await put('Hi {{user.claim.givenname}}, {{token}}');
    assert.ok(ok.status === 200 || ok.status === 201, ok.text);
  });
});
