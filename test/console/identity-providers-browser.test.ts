// The identity provider form in a real Chromium: the admin creates an OpenID Connect provider by filling the
// labelled fields and pressing the button, as a person would; the provider is stored as typed and the client
// secret never appears on the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { tenantOf, uniqueSuffix } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { chromiumInstalled, launchChromium, newWindow } from '../e2e/chromium.ts';

const skip = skipUnless(chromiumInstalled(), 'chromium is not installed');

describe('console identity providers in Chromium', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    page = await (await newWindow(browser)).newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('create an OpenID Connect provider through the form', async () => {
    await page.goto(`${server.url}/console`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/console`);
    await page.getByRole('link', { name: 'Identity providers' }).click();
    await page.getByRole('link', { name: 'OpenID Connect' }).click();
    const name = `Corp-${uniqueSuffix()}`;
    const secret = `s3cret-${uniqueSuffix()}-typed-in-chromium`;
    await page.getByLabel(/^Name/).fill(name);
    await page.getByLabel('Issuer').fill('https://idp.corp.example');
    await page.getByLabel('Client id').fill('portcullis');
    await page.getByLabel('Client secret').fill(secret);
    await page.getByLabel('Upstream attribute 1').fill('email');
    await page.getByLabel('Local claim URI 1').fill(CLAIMS.email);
    await page.getByLabel('New upstream accounts').selectOption('on');
    await page.getByRole('button', { name: 'Create provider' }).click();
    await page.waitForURL(/done=idp-created/);
    assert.equal(await page.getByRole('status').innerText(), 'The identity provider was created.');
    assert.equal((await page.content()).includes(secret), false, 'the secret is not on the page');
    const idp = (await server.services.identityProviders.list(await tenantOf(server))).find((i) => i.name === name);
    assert.ok(idp, 'stored');
    assert.equal(idp.secrets.clientSecret, secret);
    assert.deepEqual(idp.settings.claimMappings, [{ remote: 'email', local: CLAIMS.email }]);
    assert.equal(idp.settings.provisioning.jit, 'on');
  });
});
