// prompt=none across fronts: SAML and OIDC share one SSO session, so a session made by a SAML-only login lets a
// later OIDC authorize with prompt=none finish without a page when the OIDC application's steps are satisfied
// by it; a step the session has not done (TOTP) answers interaction_required; no session, login_required. The
// provider's own session counts only while it is the current SSO session's login: one left from an earlier
// SSO session of the same user does not stand in for a step the current session has not done.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR } from '../../src/flows/acr.ts';
import { setMyAccountSteps } from '../support/fixtures.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { idpMetadata, samlApp, samlLogin, serviceProvider, startRedirect, type IdpInfo } from '../saml/support.ts';
import { authorizationUrl, discover, oidcApp, openAuthorization, redeem, REDIRECT, samlThenOidc } from './support.ts';

function answerAt(page: Page): URLSearchParams {
  assert.ok(page.url.startsWith(REDIRECT), `back at the client (got ${page.name} ${page.status} ${page.url})`);
  return new URL(page.url).searchParams;
}

describe('prompt=none with an SSO session from another front', () => {
  let server: TestServer;
  let idp: IdpInfo;

  before(async () => {
    server = await startTestServer();
    idp = await idpMetadata(server);
    // enrolledUser enrols through My Account's login.
    await setMyAccountSteps(server, [['basic'], ['totp']]);
  });
  after(async () => server?.close());


  test('a SAML-only login satisfies an OIDC application with the same steps: prompt=none issues a code', async () => {
    const { config, user, browser } = await samlThenOidc(server, idp);
    const silent = await authorizationUrl(config, { prompt: 'none' });
    const tokens = await redeem(config, await openAuthorization(browser, silent.url), silent);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, user.user.id);
    assert.equal(claims.acr, ACR.singleFactor);
    assert.deepEqual(claims.amr, ['pwd']);
  });

  test('a step the session has not done answers interaction_required; no session answers login_required', async () => {
    const sp = serviceProvider(server, await samlApp(server), idp);
    const rp = await oidcApp(server, { steps: [['basic'], ['totp']] });
    const config = await discover(server, rp);
    const none = await authorizationUrl(config, { prompt: 'none' });
    const stranger = answerAt(await openAuthorization(new LoginBrowser(server.client()), none.url));
    assert.equal(stranger.get('error'), 'login_required');
    assert.equal(stranger.get('state'), none.state);

    const { username, password } = await enrolledUser(server);
    const browser = new LoginBrowser(server.client());
    await samlLogin(browser, sp, { username, password });
    const silent = await authorizationUrl(config, { prompt: 'none' });
    const answer = answerAt(await openAuthorization(browser, silent.url));
    assert.equal(answer.get('error'), 'interaction_required', 'signed in, but TOTP is still to do');
    assert.equal(answer.get('code'), null);
    // The same request without prompt=none asks for the missing step only.
    const interactive = await authorizationUrl(config);
    assert.equal((await openAuthorization(browser, interactive.url)).name, 'totp.do');
  });

  test('acr_values asking for MFA with prompt=none: interaction_required when the session has one factor', async () => {
    const { config, browser } = await samlThenOidc(server, idp);
    const silent = await authorizationUrl(config, { prompt: 'none', acr_values: ACR.multiFactor });
    assert.equal(answerAt(await openAuthorization(browser, silent.url)).get('error'), 'interaction_required');
  });

  test("a provider session left from an earlier SSO session does not stand in for the current session's steps", async () => {
    const samlSp = await samlApp(server);
    const sp = serviceProvider(server, samlSp, idp);
    const rp = await oidcApp(server, { steps: [['basic'], ['totp']] });
    const config = await discover(server, rp);
    const { username, password, totp } = await enrolledUser(server);
    const browser = new LoginBrowser(server.client());
    const first = await authorizationUrl(config);
    const totpPage = await browser.login(await openAuthorization(browser, first.url), username, password);
    assert.equal(totpPage.name, 'totp.do');
    await awayFromStepEdge(totp.period);
    const mfa = await redeem(config, await browser.submit(totpPage, { token: codeAt(totp) }), first);
    assert.equal(mfa.claims()!.acr, ACR.multiFactor);

    // The SSO session ends by SAML logout (the provider's own session is not told), and a password-only
    // SAML login makes a new one for the same user.
    const profile = await samlLogin(browser, sp);
    const out = new URL(await sp.getLogoutUrlAsync(profile, '', {}));
    assert.equal((await browser.open(out.pathname + out.search)).name, 'external');
    assert.equal((await startRedirect(browser, sp)).name, 'login.do', 'the SSO session is gone');
    await samlLogin(browser, sp, { username, password });

    const silent = await authorizationUrl(config, { prompt: 'none' });
    assert.equal(answerAt(await openAuthorization(browser, silent.url)).get('error'), 'interaction_required', 'no code on the old session');
  });
});
