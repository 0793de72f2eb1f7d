// Promises made inside a request's scope, counted (not timed) per request: while the request scope's
// AsyncLocalStorage is on (src/http/request-scope.ts), every promise a request makes costs it about 2,000
// instructions (docs/performance.md, "Eighth pass"), so a hook or lookup that starts making promises on every
// request shows up here as a failed budget. The server's clock stands still, so the caches stay warm between steps.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { promiseHooks } from 'node:v8';
import { enrolledUser } from '../support/enrolment.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import type { Response } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { requestScope } from '../../src/http/request-scope.ts';
import { ManualClock } from '../../src/time/clock.ts';

/** Measured: 4, and 50, 20, 119, 46 and 116 for the steps of a direct login; a fifth more is allowed. */
const BUDGET = { health: 5, start: 60, loginPage: 24, password: 143, totpPage: 55, code: 140 };

describe('promises per request, inside the request scope', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.now());
  let made = 0;
  let stop: ReturnType<typeof promiseHooks.onInit> | undefined;

  before(async () => {
    server = await startTestServer({ toml: '[housekeeping]\ninterval = 86400\n', clock });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
    stop = promiseHooks.onInit(() => {
      if (requestScope.getStore()) made++;
    });
  });
  after(async () => {
    stop?.();
    await server?.close();
  });

  async function counted(send: () => Promise<Response>): Promise<{ res: Response; promises: number }> {
    const before = made;
    const res = await send();
    return { res, promises: made - before };
  }

  test('GET /health and each step of a direct password + TOTP login stay within their budgets', async () => {
    const html = { headers: { accept: 'text/html' } };
    // Twice, a user and a browser each time, counted the second time: the first fills every cache the steps read
    // and compiles every route's validator.
    for (let round = 0; round < 2; round++) {
      const user = await enrolledUser(server);
      const client = server.client();
      const health = await counted(() => client.get('/health'));
      const start = await counted(() => client.get('/myaccount', html));
      const key = new URL(start.res.location!, server.url).searchParams.get('sessionDataKey')!;
      const loginPage = await counted(() => client.get(start.res.location!, html));
      const password = await counted(() => client.post('/commonauth', { form: { sessionDataKey: key, username: user.username, password: user.password }, ...html }));
      const totpPage = await counted(() => client.get(password.res.location!, html));
      const code = await counted(() => client.post('/commonauth', { form: { sessionDataKey: key, token: user.totp.generate({ timestamp: clock.now() }) }, ...html }));
      assert.equal(code.res.location, '/myaccount');
      if (round === 0) continue;
      const steps = { health, start, loginPage, password, totpPage, code };
      const report = Object.entries(steps).map(([k, s]) => `${k}=${s.promises}`).join(' ');
      for (const [name, step] of Object.entries(steps)) assert.ok(step.promises <= BUDGET[name as keyof typeof BUDGET], `${name}: ${report}`);
    }
  });
});
