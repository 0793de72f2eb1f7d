// OpenID Connect settings in the console: an admin creates an application, adds OIDC on its page (the client
// id shown, the secret generated and shown once), and openid-client logs a user in with that client; a refused
// setting is shown beside the form with what was typed kept and nothing saved; editing keeps the client id and
// secret; "Regenerate secret" replaces the secret (the old one stops working); a public client has no secret.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { ACR } from '../../src/flows/acr.ts';
import { ADMIN_SCOPES } from '../../src/http/api-scopes.ts';
import { oidcSettingsOf } from '../../src/protocols/oidc/settings.ts';
import { createUser, tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import { authorizationUrl, discover, openAuthorization, redeem, REDIRECT } from '../oidc/support.ts';
import type { ConsoleBrowser} from './console-browser.ts';
import { adminConsole, noticeOf, problemOf } from './console-browser.ts';

const clientIdOf = (page: Page) => /<code id="client-id">([^<]+)<\/code>/.exec(page.html)?.[1];
const secretOf = (page: Page) => /<code class="secret">([^<]+)<\/code>/.exec(page.html)?.[1];

describe('console: OpenID Connect settings', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => ({ server, admin } = await adminConsole()));
  after(async () => server?.close());

  const stored = async (name: string) => {
    const app = await server.services.applications.findByName((await tenantOf(server)).id, name);
    return oidcSettingsOf(app!);
  };
  const newApp = async () => {
    const name = `rp-${uniqueSuffix()}`;
    const page = await admin.post(await admin.open('/console/applications/new'), '/console/applications', { name });
    assert.equal(noticeOf(page), 'The application was created.');
    assert.match(page.html, /does not use OpenID Connect yet/);
    return { name, page };
  };
  /** The user logs in through the pages with openid-client as the RP; returns the ID token's claims. */
  const login = async (clientId: string, clientSecret?: string) => {
    const config = await discover(server, { application: undefined as never, clientId, ...(clientSecret ? { clientSecret } : {}) });
    const { username, password } = await createUser(server);
    const browser = new LoginBrowser(server.client());
    const auth = await authorizationUrl(config);
    const tokens = await redeem(config, await browser.login(await openAuthorization(browser, auth.url), username, password), auth);
    return { config, tokens, claims: tokens.claims()! };
  };

  test('add OIDC to an application; the secret is shown once; openid-client logs in with the client', async () => {
    const { name, page } = await newApp();
    const added = await admin.post(page, '/oidc', { callbackURLs: `${REDIRECT}\n` });
    assert.equal(added.status, 200);
    const clientId = clientIdOf(added);
    const secret = secretOf(added);
    assert.ok(clientId, 'the client id is shown');
    assert.ok(secret && secret.length >= 43, 'the generated secret is shown');
    assert.match(added.html, /data-copy="[^"]+"[^>]*>Copy secret<\/button>/, 'with a copy button');
    assert.match(added.html, /assets\/copy\.js/);
    const settings = (await stored(name))!;
    assert.equal(settings.clientId, clientId);
    assert.deepEqual(settings.callbackURLs, [REDIRECT]);
    assert.deepEqual(settings.grantTypes, ['authorization_code', 'refresh_token']);
    assert.ok(settings.clientSecretHash && !JSON.stringify(settings).includes(secret), 'only its hash is stored');
    const again = await admin.open(`/console/applications/${encodeURIComponent((await server.services.applications.findByName((await tenantOf(server)).id, name))!.id)}`);
    assert.equal(secretOf(again), undefined, 'never shown again');
    assert.equal(clientIdOf(again), clientId);

    const { claims, tokens, config } = await login(clientId, secret);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.acr, ACR.singleFactor);
    assert.ok(tokens.refresh_token, 'refresh_token is a granted type');
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
  });

  test('a refused setting is shown beside the form, what was typed is kept, and nothing is saved', async () => {
    const { name, page } = await newApp();
    const badUrl = await admin.post(page, '/oidc', { callbackURLs: 'not a url' });
    assert.equal(badUrl.status, 400);
    assert.match(problemOf(badUrl), /callbackURLs\[0\] must be an absolute http\(s\) URL/);
    assert.match(badUrl.html, /<textarea id="callbackURLs" name="callbackURLs"[^>]*aria-invalid="true"[^>]*>not a url<\/textarea>/);
    assert.equal(await stored(name), undefined, 'nothing saved');

    const short = await admin.post(page, '/oidc', { callbackURLs: REDIRECT, idTokenLifetime: '10' });
    assert.equal(short.status, 400);
    assert.match(problemOf(short), /idToken\.expiryInSeconds must be a whole number of seconds from 60 to 31536000/);
    assert.match(short.html, /id="idTokenLifetime" name="idTokenLifetime" value="10"[^>]*aria-invalid="true"/);

    const publicCc = await admin.post(page, '/oidc', { callbackURLs: REDIRECT, publicClient: 'yes', grantTypes: ['authorization_code', 'client_credentials'] });
    assert.equal(publicCc.status, 400);
    assert.match(problemOf(publicCc), /a public client cannot use client_credentials/);
    assert.match(publicCc.html, /id="grant-client_credentials" name="grantTypes" value="client_credentials" checked/);
    assert.equal(await stored(name), undefined);
  });

  test('editing keeps the client id and secret; "Regenerate secret" replaces it; a public client has none', async () => {
    const { name, page } = await newApp();
    const added = await admin.post(page, '/oidc', { callbackURLs: REDIRECT });
    const clientId = clientIdOf(added)!;
    const first = secretOf(added)!;

    // API scopes are set through the API only; a save in the console keeps them.
    const app = (await server.services.applications.findByName((await tenantOf(server)).id, name))!;
    await server.services.applicationService.update(await tenantOf(server), app, { inboundProtocolConfiguration: { oidc: { ...(await stored(name))!, authorizedScopes: [ADMIN_SCOPES[0]!] } } });
    const edited = await admin.post(added, '/oidc', { callbackURLs: `${REDIRECT}\nhttps://rp.example/other`, accessTokenLifetime: '600', grantTypes: ['authorization_code'] });
    assert.equal(noticeOf(edited), 'The OpenID Connect settings were saved.');
    assert.equal(secretOf(edited), undefined, 'no new secret');
    const settings = (await stored(name))!;
    assert.equal(settings.clientId, clientId);
    assert.equal(settings.accessToken.userAccessTokenExpiryInSeconds, 600);
    assert.deepEqual(settings.callbackURLs, [REDIRECT, 'https://rp.example/other']);
    assert.deepEqual(settings.grantTypes, ['authorization_code']);
    assert.deepEqual(settings.authorizedScopes, [ADMIN_SCOPES[0]]);
    const { tokens } = await login(clientId, first);
    assert.equal(tokens.refresh_token, undefined, 'refresh_token is no longer granted');
    assert.ok(tokens.expiresIn()! <= 600);

    const unconfirmed = await admin.post(edited, '/oidc/secret', {});
    assert.equal(unconfirmed.status, 400);
    assert.equal(secretOf(unconfirmed), undefined);
    const regenerated = await admin.post(edited, '/oidc/secret', { confirm: 'yes' });
    const second = secretOf(regenerated);
    assert.ok(second && second !== first, 'a new secret, shown once');
    assert.equal(clientIdOf(regenerated), clientId);
    const withOld = await discover(server, { application: undefined as never, clientId, clientSecret: first });
    await assert.rejects(client.tokenIntrospection(withOld, tokens.access_token), (e: Error & { status?: number; cause?: unknown }) => e.status === 401 && JSON.stringify(e.cause).includes('invalid_client'), 'the old secret stops working');
    const withNew = await discover(server, { application: undefined as never, clientId, clientSecret: second });
    assert.equal((await client.tokenIntrospection(withNew, tokens.access_token)).active, true);

    const made = await admin.post(regenerated, '/oidc', { publicClient: 'yes' });
    assert.equal(noticeOf(made), 'The OpenID Connect settings were saved.');
    assert.doesNotMatch(made.html, /Regenerate secret/);
    assert.equal((await stored(name))!.clientSecretHash, undefined);
    const { claims } = await login(clientId);
    assert.equal(claims.aud, clientId, 'a public client logs in with PKCE and no secret');
  });
});
