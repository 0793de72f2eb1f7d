// Two nodes on one PostgreSQL database behind one public address: the authorization request and the login
// go to node A, the code is redeemed at node B (and refreshed there), because everything the provider keeps is
// in the database (oidc_models) and both nodes sign with the tenant's one OIDC key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { authorizationUrl, fetchTrusting, oidcApp, redeem, REDIRECT } from './support.ts';

const available = await isAvailable('postgres');
const PUBLIC = 'https://id.example';

/** The relying party as it sees the cluster: one public address, sent to the given node. */
function via(node: TestServer): client.CustomFetch {
  const fetch = fetchTrusting(node.certificate);
  return (url, options) => fetch(url.replace(PUBLIC, node.url), options);
}

/** Follows the browser through redirects to the public address, on the given node. */
async function onNode(browser: LoginBrowser, page: Page): Promise<Page> {
  let current = page;
  while (current.name === 'external' && current.url.startsWith(PUBLIC)) {
    const url = new URL(current.url);
    current = await browser.open(url.pathname + url.search);
  }
  return current;
}

describe('OIDC on two nodes, one PostgreSQL database', { skip: skipUnless(available, 'postgres is not reachable') }, () => {
  let database: TestDatabase;
  let nodeA: TestServer;
  let nodeB: TestServer;

  before(async () => {
    database = await createTestDatabase('postgres');
    const toml = `[server]\nbase_path = "${PUBLIC}"\n[encryption]\nkey = "${randomBytes(32).toString('hex')}"\n`;
    nodeA = await startTestServer({ database, toml });
    nodeB = await startTestServer({ database, toml });
  });
  after(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await database?.drop();
  });

  test('authorize and log in on node A, redeem and refresh on node B', async () => {
    const app = await oidcApp(nodeA, { steps: [['basic']] });
    const options = (node: TestServer) => ({ [client.customFetch]: via(node) });
    const onA = await client.discovery(new URL(`${PUBLIC}/oauth2/token`), app.clientId, undefined, client.ClientSecretBasic(app.clientSecret!), options(nodeA));
    const onB = await client.discovery(new URL(`${PUBLIC}/oauth2/token`), app.clientId, undefined, client.ClientSecretBasic(app.clientSecret!), options(nodeB));
    const { username, password } = await createUser(nodeA);
    const browser = new LoginBrowser(nodeA.client());
    const auth = await authorizationUrl(onA);
    const login = await onNode(browser, await browser.open(auth.url.pathname + auth.url.search));
    assert.equal(login.name, 'login.do');
    const back = await onNode(browser, await browser.login(login, username, password));
    assert.ok(back.url.startsWith(REDIRECT), back.url);
    const tokens = await redeem(onB, back, auth);
    assert.equal(tokens.claims()!.iss, `${PUBLIC}/oauth2/token`);
    assert.ok((await client.fetchUserInfo(onA, tokens.access_token, tokens.claims()!.sub)).sub, 'node A honours the token node B issued');
    assert.ok((await client.refreshTokenGrant(onB, tokens.refresh_token!)).access_token);
  });
});
