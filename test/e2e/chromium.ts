// Chromium for end-to-end tests: Debian's /usr/bin/chromium through playwright-core (which never downloads a
// browser), headless, with the flags that keep it off the network (no background requests to Google from a
// machine that has no route out), plus full-page pictures of every page a walkthrough passes.
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM_PATH);

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser with a fresh, temporary profile (playwright makes a new user-data dir for each launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/**
 * A normal (not private) window on its own profile in `userDataDir`, with third-party cookies allowed (the
 * "Allow third-party cookies" setting, Google Chrome's default). Private windows, and this Debian Chromium by
 * default, block them, and so a cross-site script's credentialed request carries no cookie there.
 */
export function launchWindowAllowingThirdPartyCookies(userDataDir: string): Promise<BrowserContext> {
  mkdirSync(join(userDataDir, 'Default'), { recursive: true });
  writeFileSync(join(userDataDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS, ignoreHTTPSErrors: true, viewport: { width: 1000, height: 760 }, locale: 'en-GB' });
}

/**
 * A context like a new private window. ignoreHTTPSErrors only because the IdP's development certificate is
 * self-signed and headless Chromium offers no simple way to trust one CA; the sample itself (node-saml,
 * Node's TLS) does verify that certificate.
 */
export function newWindow(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 760 }, locale: 'en-GB' });
}

const root = new URL('../../', import.meta.url).pathname;

/** Numbered full-page screenshots under test-results/<folder>/ (git-ignored), e.g. 03-totp-enroll.png. */
export class Pictures {
  private count = 0;
  readonly dir: string;
  readonly taken = new Map<string, string>();

  constructor(folder: string) {
    this.dir = join(root, 'test-results', folder);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  async take(page: Page, name: string): Promise<string> {
    this.count += 1;
    const file = join(this.dir, `${String(this.count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.taken.set(name, file);
    return file;
  }

  /** Copies pictures to docs/images/ under stable names (run with PORTCULLIS_UPDATE_DOCS_IMAGES=1). */
  publish(names: Record<string, string>): void {
    if (process.env.PORTCULLIS_UPDATE_DOCS_IMAGES !== '1') return;
    mkdirSync(join(root, 'docs', 'images'), { recursive: true });
    for (const [name, target] of Object.entries(names)) {
      const file = this.taken.get(name);
      if (file) copyFileSync(file, join(root, 'docs', 'images', target));
    }
  }
}
