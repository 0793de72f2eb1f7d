// The console in a real Chromium: sign in as admin/admin as the README's quick start says, and photograph the
// overview (with the default-password warning) and the travelocity application's steps page, on a desktop
// window and on a phone-sized one. Pictures go to test-results/console/; with PORTCULLIS_UPDATE_DOCS_IMAGES=1
// the two desktop ones are copied to docs/images/console-overview.png and console-steps.png.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sampleApplication } from '../../src/sample-app.ts';
import { tenantOf } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';
import { chromiumInstalled, launchChromium, newWindow, Pictures } from '../e2e/chromium.ts';

const skip = skipUnless(chromiumInstalled(), 'chromium is not installed');

describe('console in Chromium', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let window: BrowserContext;
  let page: Page;
  let appId: string;
  const pictures = new Pictures('console');

  before(async () => {
    server = await startTestServer();
    const app = await server.services.applicationService.create(await tenantOf(server), sampleApplication('http://localhost:8080'));
    appId = app.id;
    browser = await launchChromium();
    window = await newWindow(browser);
    page = await window.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    pictures.publish({ overview: 'console-overview.png', steps: 'console-steps.png' });
  });

  async function signIn(p: Page): Promise<void> {
    await p.goto(`${server.url}/console`);
    await p.getByLabel('Username').fill('admin');
    await p.getByLabel('Password').fill('admin');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(`${server.url}/console`);
  }

  test('overview with the default-password warning', async () => {
    await signIn(page);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Overview');
    assert.match(await page.getByRole('alert').first().innerText(), /still has the password admin/);
    assert.equal(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
    await pictures.take(page, 'overview');
  });

  test('the application steps page: basic then totp, edited with the keyboard-free form', async () => {
    await page.goto(`${server.url}/console/applications/${appId}`);
    const step2 = page.getByRole('group', { name: 'Step 2' });
    assert.equal(await step2.getByLabel('TOTP').isChecked(), true);
    assert.equal(await page.getByRole('group', { name: 'Step 1' }).getByLabel('Username & Password').isChecked(), true);
    await pictures.take(page, 'steps');
    await page.getByRole('button', { name: 'Add authentication step' }).click();
    assert.equal(await page.getByRole('group', { name: 'Step 3' }).count(), 1);
    await page.getByRole('button', { name: 'Save steps' }).click();
    assert.match(await page.getByRole('alert').last().innerText(), /Step 3 needs 1 to 10 options/);
    await pictures.take(page, 'steps-refused');
    for (const [path, name] of [['/console/users', 'users'], ['/console/totp', 'totp'], ['/console/audit', 'audit']] as const) {
      await page.goto(`${server.url}${path}`);
      await pictures.take(page, name);
    }
  });

  test('on a phone', async () => {
    const phone = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await signIn(p);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (page is ${width}px wide)`);
    await pictures.take(p, 'phone-overview');
    await p.goto(`${server.url}/console/applications/${appId}`);
    await pictures.take(p, 'phone-steps');
    await p.goto(`${server.url}/console/totp`);
    await pictures.take(p, 'phone-totp');
    await phone.close();
  });
});
