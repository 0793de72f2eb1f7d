// Identity providers in the console: an admin lists, creates and edits upstream OpenID Connect providers and SAML
// 2.0 IdPs through the form (claim mapping rows added and removed, JIT mode and its user store, enable/disable,
// delete with a confirmation), all through IdpService: a refused setting shows its IDP-40001 description beside the
// form with what was typed kept, but never the client secret, which is write-only (an empty field keeps it). The
// user page lists a user's linked accounts, links one by upstream user id (IDP-40902 when taken) and unlinks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { IdentityProvider } from '../../src/identity-providers/identity-provider.ts';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import type { TestServer } from '../support/server.ts';
import type { ConsoleBrowser} from './console-browser.ts';
import { adminConsole, noticeOf, problemOf } from './console-browser.ts';

const BASE = '/console/identity-providers';
const SECRET = 'a-client-secret-nobody-may-see-4711';

describe('console: identity providers', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => ({ server, admin } = await adminConsole()));
  after(async () => server?.close());

  const stored = async (name: string): Promise<IdentityProvider | undefined> => (await server.services.identityProviders.list(await tenantOf(server))).find((i) => i.name === name);

  const oidcFields = (name: string) => ({
    name,
    description: 'Corporate sign-in',
    issuer: 'https://idp.corp.example',
    clientId: 'portcullis',
    clientSecret: SECRET,
    scopes: 'openid email',
    userIdClaim: 'preferred_username',
    mappingRemote: 'email',
    mappingLocal: CLAIMS.email,
    jit: 'on',
    userstore: 'PRIMARY',
  });

  async function createOidc(name: string) {
    const list = await admin.open(BASE);
    assert.match(list.html, /Identity providers<\/a>/, 'in the navigation');
    const form = await admin.open(`${BASE}/new?type=oidc`);
    assert.match(form.html, /New OpenID Connect provider/);
    return admin.post(form, BASE, oidcFields(name), ['action', 'save']);
  }

  test('create an OpenID Connect provider: stored through the service, listed, the secret never shown', async () => {
    const name = `Corp-${uniqueSuffix()}`;
    const created = await createOidc(name);
    assert.equal(noticeOf(created), 'The identity provider was created.', problemOf(created));
    assert.equal(created.html.includes(SECRET), false, 'the secret is not rendered');
    assert.match(created.html, /A secret is stored/);
    assert.match(created.html, /<code id="callback-url">https:\/\/[^<]+\/commonauth<\/code>/);
    const idp = (await stored(name))!;
    assert.equal(idp.type, 'oidc');
    assert.deepEqual(idp.settings.oidc, { issuer: 'https://idp.corp.example', clientId: 'portcullis', scopes: ['openid', 'email'] });
    assert.equal(idp.secrets.clientSecret, SECRET);
    assert.deepEqual(idp.settings.claimMappings, [{ remote: 'email', local: CLAIMS.email }]);
    assert.equal(idp.settings.userIdClaim, 'preferred_username');
    assert.deepEqual(idp.settings.provisioning, { jit: 'on', userstore: 'PRIMARY' });
    assert.equal(idp.enabled, true);
    const list = await admin.open(BASE);
    assert.match(list.html, new RegExp(`>${name}</a></td>\\s*<td>OpenID Connect</td>\\s*<td>Yes</td>\\s*<td>On</td>`));
    const tenant = await tenantOf(server);
    const events = (await server.services.audit.list(tenant.id, { event: 'idp.created', offset: 0, limit: 20 })).events;
    assert.ok(events.some((e) => e.reason === name && e.actor === 'admin'), 'audited with the admin as actor');
  });

  test('a refused setting shows the IDP-40001 description, keeps what was typed but not the secret, saves nothing', async () => {
    const name = `Bad-${uniqueSuffix()}`;
    const form = await admin.open(`${BASE}/new?type=oidc`);
    const refused = await admin.post(form, BASE, { ...oidcFields(name), issuer: 'http://idp.corp.example' }, ['action', 'save']);
    assert.equal(refused.status, 400);
    assert.match(problemOf(refused), /Issuer: an https URL/);
    assert.match(refused.html, /id="issuer" name="issuer" value="http:\/\/idp\.corp\.example"[^>]* aria-invalid="true"/, 'typed value kept, the field marked');
    assert.match(refused.html, /id="clientId" name="clientId" value="portcullis"/);
    assert.match(refused.html, new RegExp(`name="mappingLocal" value="${CLAIMS.email.replace(/\./g, '\\.')}"`));
    assert.equal(refused.html.includes(SECRET), false, 'the secret is not echoed');
    assert.equal(await stored(name), undefined);
    const noSecret = await admin.post(form, BASE, { ...oidcFields(name), clientSecret: '' }, ['action', 'save']);
    assert.match(problemOf(noSecret), /ClientSecret: required/);
  });

  test('edit: an empty secret keeps it; mapping rows are added and removed; disable, enable; delete needs the box ticked', async () => {
    const name = `Edit-${uniqueSuffix()}`;
    let page = await createOidc(name);
    const id = (await stored(name))!.id;
    // "Add mapping rows" shows more blank rows and saves nothing.
    page = await admin.post(page, `${BASE}/${id}`, {}, ['action', 'add-row']);
    assert.equal((page.html.match(/name="mappingRemote"/g) ?? []).length, 3, 'one stored row and two blank ones');
    assert.equal((await stored(name))!.settings.claimMappings.length, 1);
    page = await admin.post(page, `${BASE}/${id}`, { mappingRemote: ['email', 'given_name', ''], mappingLocal: [CLAIMS.email, CLAIMS.givenName, ''], removeMapping: '0', scopes: 'openid profile', clientSecret: '', jit: 'prompt' }, ['action', 'save']);
    assert.equal(noticeOf(page), 'The identity provider was saved.', problemOf(page));
    let idp = (await stored(name))!;
    assert.deepEqual(idp.settings.claimMappings, [{ remote: 'given_name', local: CLAIMS.givenName }], 'row 0 removed, the new row added');
    assert.deepEqual(idp.settings.oidc!.scopes, ['openid', 'profile']);
    assert.equal(idp.settings.provisioning.jit, 'prompt');
    assert.equal(idp.secrets.clientSecret, SECRET, 'an empty secret field keeps the stored secret');
    page = await admin.post(page, `${BASE}/${id}`, { clientSecret: 'a-new-secret-1234' }, ['action', 'save']);
    assert.equal((await stored(name))!.secrets.clientSecret, 'a-new-secret-1234');

    page = await admin.post(page, `${BASE}/${id}/disable`);
    assert.match(noticeOf(page), /disabled/);
    idp = (await stored(name))!;
    assert.equal(idp.enabled, false);
    assert.equal(idp.secrets.clientSecret, 'a-new-secret-1234', 'disabling keeps the secret');
    page = await admin.post(page, `${BASE}/${id}/enable`);
    assert.equal((await stored(name))!.enabled, true);

    const unconfirmed = await admin.post(page, `${BASE}/${id}/delete`, { confirm: [] });
    assert.equal(unconfirmed.status, 400);
    assert.match(problemOf(unconfirmed), /Tick the box/);
    assert.ok(await stored(name));
    const deleted = await admin.post(page, `${BASE}/${id}/delete`, { confirm: 'yes' });
    assert.match(noticeOf(deleted), /was deleted/);
    assert.equal(await stored(name), undefined);
  });

  test('a forged form (no CSRF token) changes nothing', async () => {
    const name = `Forged-${uniqueSuffix()}`;
    const res = await admin.postRaw(BASE, new URLSearchParams({ ...oidcFields(name), type: 'oidc' }).toString());
    assert.equal(res.status, 403);
    assert.equal(await stored(name), undefined);
  });

  test('create a SAML 2.0 provider with every SamlUpstream field; saving it unchanged keeps each one', async () => {
    const name = `Saml-${uniqueSuffix()}`;
    const pem = readFileSync(join(server.dataDir, 'tls', 'server.crt'), 'utf8').trim();
    const form = await admin.open(`${BASE}/new?type=saml`);
    assert.match(form.html, /New SAML 2.0 provider/);
    const created = await admin.post(
      form,
      BASE,
      {
        name,
        idpEntityId: 'https://idp.corp.example/saml',
        ssoUrl: 'https://idp.corp.example/saml/sso',
        spEntityId: 'portcullis-home',
        requestBinding: 'post',
        signAuthnRequest: [],
        requireSignedAssertion: 'yes',
        certificates: `${pem}\n`,
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        jit: 'off',
      },
      ['action', 'save'],
    );
    assert.equal(noticeOf(created), 'The identity provider was created.', problemOf(created));
    const idp = (await stored(name))!;
    assert.deepEqual(idp.settings.saml, {
      idpEntityId: 'https://idp.corp.example/saml',
      ssoUrl: 'https://idp.corp.example/saml/sso',
      spEntityId: 'portcullis-home',
      requestBinding: 'post',
      signAuthnRequest: false,
      requireSignedAssertion: true,
      requireSignedResponse: false,
      certificates: [pem],
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    });
    // WSO2's IsAuthnRespSigned, set through the REST API or here, survives an edit that does not touch it.
    let page = await admin.post(await admin.open(`${BASE}/${idp.id}`), `${BASE}/${idp.id}`, { requireSignedResponse: 'yes' }, ['action', 'save']);
    assert.equal(noticeOf(page), 'The identity provider was saved.', problemOf(page));
    assert.equal((await stored(name))!.settings.saml!.requireSignedResponse, true);
    page = await admin.post(await admin.open(`${BASE}/${idp.id}`), `${BASE}/${idp.id}`, {}, ['action', 'save']);
    assert.equal(noticeOf(page), 'The identity provider was saved.', problemOf(page));
    assert.deepEqual((await stored(name))!.settings.saml, { ...idp.settings.saml, requireSignedResponse: true });
  });

  test("a user's linked accounts: link by upstream user id, refused when taken (IDP-40902), unlink", async () => {
    const name = `Link-${uniqueSuffix()}`;
    await createOidc(name);
    const idp = (await stored(name))!;
    const [bob, carol] = [await createUser(server), await createUser(server)];
    let page = await admin.open(`/console/users/${bob.user.id}`);
    assert.match(page.html, /No upstream account is linked to this user/);
    page = await admin.post(page, `/console/users/${bob.user.id}/link`, { idp: idp.id, federatedUserId: 'upstream-sub-1' });
    assert.equal(noticeOf(page), 'The upstream account was linked to this user.', problemOf(page));
    assert.match(page.html, new RegExp(`<td>${name}</td>\\s*<td><code>upstream-sub-1</code></td>`));
    const tenant = await tenantOf(server);
    assert.deepEqual((await server.services.associations.ofUser(tenant.id, bob.user.id)).map((a) => a.idpUserId), ['upstream-sub-1']);

    const taken = await admin.post(await admin.open(`/console/users/${carol.user.id}`), `/console/users/${carol.user.id}/link`, { idp: idp.id, federatedUserId: 'upstream-sub-1' });
    assert.equal(taken.status, 400);
    assert.match(problemOf(taken), /linked/i);
    assert.deepEqual(await server.services.associations.ofUser(tenant.id, carol.user.id), []);

    const unlinked = await admin.post(page, `/console/users/${bob.user.id}/unlink`);
    assert.equal(noticeOf(unlinked), 'The upstream account was unlinked from this user.');
    assert.deepEqual(await server.services.associations.ofUser(tenant.id, bob.user.id), []);
  });

  test("deleting a user in the console removes the user's links", async () => {
    const name = `Del-${uniqueSuffix()}`;
    await createOidc(name);
    const idp = (await stored(name))!;
    const dave = await createUser(server);
    const tenant = await tenantOf(server);
    await server.services.associations.link(tenant.id, idp.id, 'dave-upstream', dave.user.id, Date.now());
    const page = await admin.post(await admin.open(`/console/users/${dave.user.id}`), `/console/users/${dave.user.id}/delete`, { confirm: 'yes' });
    assert.equal(noticeOf(page), 'The user was deleted.');
    assert.deepEqual(await server.services.associations.ofUser(tenant.id, dave.user.id), []);
    assert.equal(await server.services.associations.localUserOf(tenant.id, idp.id, 'dave-upstream'), undefined);
  });
});
