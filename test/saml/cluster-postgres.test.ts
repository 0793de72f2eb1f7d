// Two nodes sharing one PostgreSQL database (and the [encryption] key) sign with the same SAML key: the
// first key is made once even when both nodes need it at the same moment, and a login that starts on one
// node and finishes on the other yields a Response the SP validates with either node's metadata.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { createUser } from '../support/fixtures.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { idpMetadata, postedForm, samlApp, serviceProvider, startRedirect } from './support.ts';

const available = await isAvailable('postgres');

describe('SAML signing keys on two nodes, one PostgreSQL database', { skip: skipUnless(available, 'postgres is not reachable') }, () => {
  let database: TestDatabase;
  let nodeA: TestServer;
  let nodeB: TestServer;

  before(async () => {
    database = await createTestDatabase('postgres');
    const toml = `[encryption]\nkey = "${randomBytes(32).toString('hex')}"\n`;
    nodeA = await startTestServer({ database, toml });
    nodeB = await startTestServer({ database, toml });
  });
  after(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await database?.drop();
  });

  test('both nodes publish and sign with the one key made on first use', async () => {
    const [a, b] = await Promise.all([idpMetadata(nodeA), idpMetadata(nodeB)]);
    assert.equal(a.certificates.length, 1);
    assert.deepEqual(b.certificates, a.certificates, 'the same key on both nodes');
    const app = await samlApp(nodeA);
    // The SP knows node A only; the request goes to A, the password to B, and B signs the Response.
    const sp = serviceProvider(nodeA, app, a);
    const user = await createUser(nodeA);
    const onA = new LoginBrowser(nodeA.client());
    const login = await startRedirect(onA, sp);
    assert.equal(login.name, 'login.do');
    const onB = new LoginBrowser(nodeB.client());
    for (const [name, value] of onA.client.cookies) onB.client.cookies.set(name, value);
    const form = postedForm(await onB.login(login, user.username, user.password));
    assert.ok(form);
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    assert.equal(profile?.nameID, user.username);
  });
});
