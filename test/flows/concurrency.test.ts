// Atomicity under load, on SQLite and on PostgreSQL: the same valid code fired from 20 login contexts at
// once succeeds exactly once, and 100 concurrent wrong codes move the failure counter by exactly 100.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { claimOf, setMyAccountSteps } from '../support/fixtures.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { skipUnless } from '../support/services.ts';

for (const type of ['sqlite', 'postgres'] as const) {
  const available = await isAvailable(type);
  describe(`concurrency on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    let database: TestDatabase;
    let server: TestServer;

    before(async () => {
      database = await createTestDatabase(type);
      // 120 logins of one user within seconds: lift the rate limits, which are not what this suite is about.
      const toml = '[identity_mgt.account_locking]\nallowed_failed_attempts = 1000\n[rate_limit]\nper_ip_per_minute = 100000\nper_account_per_minute = 100000';
      server = await startTestServer({ database, toml });
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });

    async function codePages(n: number, username: string, password: string): Promise<{ browser: LoginBrowser; page: Page }[]> {
      const out = [];
      for (let i = 0; i < n; i++) {
        const browser = new LoginBrowser(server.client());
        const page = await browser.login(await browser.open('/myaccount'), username, password);
        assert.equal(page.name, 'totp.do');
        out.push({ browser, page });
      }
      return out;
    }

    test('one valid code from 20 concurrent logins succeeds exactly once', async () => {
      const { username, password, totp } = await enrolledUser(server);
      const logins = await codePages(20, username, password);
      await awayFromStepEdge(30, 8);
      const code = codeAt(totp);
      const results = await Promise.all(logins.map(({ browser, page }) => browser.submit(page, { token: code })));
      const successes = results.filter((p) => p.name === 'myaccount').length;
      assert.equal(successes, 1, results.map((p) => p.name).join(','));
      assert.ok(results.filter((p) => p.name === 'totp.do').every((p) => /already used/.test(p.html)));
    });

    test('100 concurrent wrong codes move the counter by exactly 100', async () => {
      const { user, username, password, totp } = await enrolledUser(server);
      const logins = await codePages(100, username, password);
      const wrong = String((Number(codeAt(totp)) + 500_000) % 1_000_000).padStart(6, '0');
      await Promise.all(logins.map(({ browser, page }) => browser.submit(page, { token: wrong })));
      assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '100');
    });
  });
}
