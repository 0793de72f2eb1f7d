// Graceful overload with injected pressure (app.overload.source) rather than a starved event loop: new logins
// get 503 PCS-50301 with Retry-After (a page for browsers, JSON otherwise), a login already past the password
// step finishes, a browser with an SSO session goes on, /health stays UP while /health/ready says why it is
// DOWN, the refusals are counted; when the pressure ends, logins start again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pressure } from '../../src/http/overload.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { scrape, total } from './scrape.ts';

describe('graceful overload', () => {
  let server: TestServer;
  const lag: Pressure = { reason: 'event_loop_delay', value: 2500, limit: 1000 };

  before(async () => {
    server = await startTestServer({ toml: '[metrics]\nenable = true\nport = 0\n[overload]\nretry_after = 7\n' });
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  test('new logins are refused, logins under way finish, readiness reports the pressure', async () => {
    const real = server.app.overload.source;
    assert.equal(real(), undefined, 'an idle node is not overloaded');
    const { username, password, totp } = await enrolledUser(server);
    // A login past the password step, and a browser already signed in.
    const halfway = new LoginBrowser(server.client());
    const codePage = await halfway.login(await halfway.open('/myaccount'), username, password);
    assert.equal(codePage.name, 'totp.do');
    const signedIn = await enrolledUser(server);
    const signedInBrowser = new LoginBrowser(server.client());
    await awayFromStepEdge(signedIn.totp.period);
    const signedInCode = await signedInBrowser.login(await signedInBrowser.open('/myaccount'), signedIn.username, signedIn.password);
    assert.equal((await signedInBrowser.submit(signedInCode, { token: codeAt(signedIn.totp) })).name, 'myaccount');

    server.app.overload.source = () => lag;
    try {
      const page = await server.client().get('/myaccount', { headers: { accept: 'text/html' } });
      assert.equal(page.status, 503);
      assert.equal(page.headers['retry-after'], '7');
      assert.match(page.text, /Server busy/);
      const saml = await server.client().get('/samlsso');
      assert.equal(saml.status, 503);
      assert.equal(saml.headers['retry-after'], '7');
      assert.equal(saml.json<{ code: string }>().code, 'PCS-50301');
      const commonauth = await server.client().post('/commonauth', { form: { username, password } });
      assert.equal(commonauth.status, 503);
      const oidc = await server.client().get('/oauth2/authorize?client_id=any&response_type=code&scope=openid');
      assert.equal(oidc.status, 503, 'an OIDC authorization request (the provider wildcard route) starts a login');
      const token = await server.client().post('/oauth2/token', { form: { grant_type: 'authorization_code', code: 'x' } });
      assert.notEqual(token.status, 503, 'a token request finishes a login and is not refused');

      assert.equal((await server.client().get('/health')).status, 200, 'liveness stays UP');
      const ready = await server.client().get('/health/ready');
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.json(), { status: 'DOWN', checks: { overload: { status: 'DOWN', reason: 'event_loop_delay', value: 2500, limit: 1000 } } });

      await awayFromStepEdge(totp.period);
      const done = await halfway.submit(codePage, { token: codeAt(totp) });
      assert.equal(done.name, 'myaccount', 'the login past the password step finishes');
      assert.match(done.html, new RegExp(`Signed in as <strong>${username}</strong>`));
      const again = await signedInBrowser.open('/myaccount');
      assert.equal(again.status, 200, 'a browser with an SSO session goes on');
      assert.equal(again.name, 'myaccount');

      const samples = await scrape(server.metricsUrl!);
      assert.equal(total(samples, 'portcullis_overloaded', { reason: 'event_loop_delay' }), 1);
      assert.equal(total(samples, 'portcullis_overload_refusals_total', { front: 'myaccount' }), 1);
      assert.equal(total(samples, 'portcullis_overload_refusals_total', { front: 'saml' }), 1);
      assert.equal(total(samples, 'portcullis_overload_refusals_total', { front: 'commonauth' }), 1);
      assert.equal(total(samples, 'portcullis_overload_refusals_total', { front: 'oidc' }), 1);
    } finally {
      server.app.overload.source = real;
    }
    assert.equal((await server.client().get('/health/ready')).status, 200);
    const fresh = new LoginBrowser(server.client());
    assert.equal((await fresh.open('/myaccount')).name, 'login.do', 'logins start again');
    assert.equal(total(await scrape(server.metricsUrl!), 'portcullis_overloaded'), 0);
  });
});
