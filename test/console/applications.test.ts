// Applications in the console: create (with SAML settings), the seed guide's steps "basic, then totp" through
// the steps form, a refused sequence shown beside the form, the built-in applications, delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { samlSettingsOf } from '../../src/protocols/saml/settings.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import type { Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import type { ConsoleBrowser} from './console-browser.ts';
import { adminConsole, noticeOf, problemOf } from './console-browser.ts';

describe('console: applications', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => ({ server, admin } = await adminConsole()));
  after(async () => server?.close());

  const stepsOf = async (name: string) => {
    const app = await server.services.applications.findByName((await tenantOf(server)).id, name);
    return app!.authenticationSequence.steps.map((s) => s.options.map((o) => o.authenticator));
  };
  const checked = (page: Page) => [...page.html.matchAll(/name="(step\d+)" value="([^"]+)" checked/g)].map((m) => `${m[1]}=${m[2]}`);

  test('create a SAML application, then set the steps basic then totp as the seed guide does', async () => {
    const name = `travelocity-${uniqueSuffix()}`;
    const form = await admin.open('/console/applications/new');
    const page = await admin.post(form, '/console/applications', { name, description: 'The sample', issuer: `${name}.com`, acs: 'http://localhost:8080/travelocity.com/home.jsp' });
    assert.equal(noticeOf(page), 'The application was created.');
    assert.match(page.html, new RegExp(`<dt>Issuer</dt><dd><code>${name}\\.com</code></dd>`));
    assert.match(page.html, /<code>http:\/\/localhost:8080\/travelocity\.com\/home\.jsp<\/code> \(default\)/);
    assert.match(page.html, /<dt>Metadata<\/dt><dd><a href="https:\/\/localhost:\d+\/identity\/metadata\/saml2">/);
    const app = await server.services.applications.findByName((await tenantOf(server)).id, name);
    assert.equal(samlSettingsOf(app!)?.defaultAssertionConsumerUrl, 'http://localhost:8080/travelocity.com/home.jsp');
    assert.deepEqual(checked(page), ['step1=BasicAuthenticator']);

    // Add Authentication Step: the form comes back with an empty step 2, nothing saved yet.
    const added = await admin.post(page, '/steps', {}, ['action', 'add-step']);
    assert.equal(added.status, 200);
    assert.match(added.html, /<legend>Step 2<\/legend>/);
    assert.match(added.html, /Not saved yet/);
    assert.deepEqual(await stepsOf(name), [['BasicAuthenticator']]);
    // Tick TOTP in step 2 and save.
    const saved = await admin.post(added, '/steps', { step2: 'totp' }, ['action', 'save']);
    assert.equal(noticeOf(saved), 'The authentication steps were saved.');
    assert.deepEqual(checked(saved), ['step1=BasicAuthenticator', 'step2=totp']);
    assert.deepEqual(await stepsOf(name), [['BasicAuthenticator'], ['totp']]);

    const list = await admin.open('/console/applications');
    assert.match(list.html, new RegExp(`>${name}</a></td>\\s*<td>${name}\\.com</td>\\s*<td><ol class="flow"><li>Username &amp; Password</li><li>TOTP</li></ol>`));
  });

  test('a refused sequence (TOTP alone, an empty step) shows the reason and keeps the draft', async () => {
    const app = await server.services.applicationService.create(await tenantOf(server), { name: `steps-${uniqueSuffix()}` });
    const page = await admin.open(`/console/applications/${app.id}`);
    const totpAlone = await admin.post(page, '/steps', { step1: 'totp' }, ['action', 'save']);
    assert.equal(totpAlone.status, 400);
    assert.match(problemOf(totpAlone), /Step 1: "totp" needs a user identified by an earlier step/);
    assert.deepEqual(checked(totpAlone), ['step1=totp'], 'the draft is kept');
    assert.deepEqual(await stepsOf(app.name), [['BasicAuthenticator']], 'nothing saved');

    const added = await admin.post(page, '/steps', {}, ['action', 'add-step']);
    const empty = await admin.post(added, '/steps', {}, ['action', 'save']);
    assert.match(problemOf(empty), /Step 2 needs 1 to 10 options/);

    // Remove step 2 again; with one step left there is nothing to remove.
    const removed = await admin.post(added, '/steps', {}, ['action', 'remove-step-2']);
    assert.doesNotMatch(removed.html, /<legend>Step 2<\/legend>/);
    assert.doesNotMatch(removed.html, /remove-step-1/);
  });

  test('the built-in Console takes steps like any application but cannot be deleted, nor its name taken', async () => {
    const list = await admin.open('/console/applications');
    const href = /<a href="([^"]+)">Console<\/a> <span class="tag">built in<\/span>/.exec(list.html)?.[1];
    assert.ok(href);
    const page = await admin.open(href);
    assert.doesNotMatch(page.html, /Delete application/);
    const saved = await admin.post(page, '/steps', {}, ['action', 'save']);
    assert.equal(noticeOf(saved), 'The authentication steps were saved.');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const deleted = await admin.postRaw(`${href}/delete`, new URLSearchParams({ csrf, confirm: 'yes' }).toString());
    assert.equal(deleted.status, 400);
    assert.match(problemOf(deleted), /built-in application cannot be deleted/);
    const form = await admin.open('/console/applications/new');
    const clash = await admin.post(form, '/console/applications', { name: 'console' });
    assert.match(problemOf(clash), /the name of a built-in application/);
  });

  test('a bad SAML setting is refused with the field named; delete asks for confirmation', async () => {
    const form = await admin.open('/console/applications/new');
    const bad = await admin.post(form, '/console/applications', { name: `bad-${uniqueSuffix()}`, issuer: 'bad.example', acs: 'javascript:alert(1)' });
    assert.equal(bad.status, 400);
    assert.match(problemOf(bad), /assertionConsumerUrls\[0\] must use http or https/);
    const name = `gone-${uniqueSuffix()}`;
    const page = await admin.post(form, '/console/applications', { name });
    const unconfirmed = await admin.post(page, '/delete');
    assert.match(problemOf(unconfirmed), /Tick the box/);
    const deleted = await admin.post(page, '/delete', { confirm: 'yes' });
    assert.equal(noticeOf(deleted), 'The application was deleted.');
    assert.equal(await server.services.applications.findByName((await tenantOf(server)).id, name), undefined);
  });

  test('an OIDC application shows its client id, redirect URIs and issuer, never a secret', async () => {
    const tenant = await tenantOf(server);
    const created = await server.services.applicationService.create(tenant, { name: `oidc-${uniqueSuffix()}`, inboundProtocolConfiguration: { oidc: { callbackURLs: ['https://rp.example/cb'] } } });
    const clientId = (created.inboundProtocols.oidc as { clientId: string }).clientId;
    const page = await admin.open(`/console/applications/${created.id}`);
    assert.match(page.html, new RegExp(`<dt>Client ID</dt><dd><code id="client-id">${clientId}</code>`));
    assert.match(page.html, /name="callbackURLs"[^>]*>https:\/\/rp.example\/cb<\/textarea>/);
    assert.match(page.html, /<dt>Issuer<\/dt><dd><code>https:\/\/localhost:\d+\/oauth2\/token<\/code>/);
    assert.ok(!page.html.includes(created.revealOnce!.oidc!.clientSecret!), 'the secret is not shown');
    const hash = (created.inboundProtocols.oidc as { clientSecretHash: string }).clientSecretHash;
    assert.ok(!page.html.includes(hash), 'nor its hash');
  });
});
