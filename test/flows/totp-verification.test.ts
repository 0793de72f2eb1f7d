// Verification settings over HTTP: encodingMethod Base32/Base64, timeStepSize 30/60 and windowSize 1/3
// (a code of the previous step is accepted with 3, refused with 1), computed from what the pages show.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { claimOf, setMyAccountSteps, setTotpParams } from '../support/fixtures.ts';
import { enrolledUser } from '../support/enrolment.ts';
import { alertText, awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('TOTP verification settings', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
  });
  after(async () => server?.close());

  /** Enrols a fresh user, then starts a new login and stops at the code page. */
  async function enrolAndReturn() {
    const { user, username, password, totp } = await enrolledUser(server);
    const browser = new LoginBrowser(server.client());
    const codePage = await browser.login(await browser.open('/myaccount'), username, password);
    assert.equal(codePage.name, 'totp.do');
    return { user, totp, browser, codePage };
  }

  for (const encodingMethod of ['Base32', 'Base64'] as const) {
    test(`encodingMethod=${encodingMethod}: the secret is stored in that encoding, and the QR carries the same key in Base32`, async () => {
      await setTotpParams(server, { encodingMethod, timeStepSize: 30, windowSize: 3 });
      const { user, totp } = await enrolAndReturn();
      const stored = (await claimOf(server, user, CLAIMS.secretKey))!;
      const bytes = encodingMethod === 'Base64' ? Buffer.from(stored, 'base64') : Buffer.from(OTPAuth.Secret.fromBase32(stored).bytes);
      assert.deepEqual(bytes, Buffer.from(totp.secret.bytes));
      if (encodingMethod === 'Base64') assert.match(stored, /^[A-Za-z0-9+/]+=*$/);
      assert.equal(bytes.length, 20, '160-bit secrets by default');
    });
  }

  for (const timeStepSize of [30, 60]) {
    for (const windowSize of [1, 3]) {
      test(`timeStepSize=${timeStepSize}, windowSize=${windowSize}: the previous step's code is ${windowSize === 3 ? 'accepted' : 'refused'}`, async () => {
        await setTotpParams(server, { encodingMethod: 'Base32', timeStepSize, windowSize });
        const { totp, browser, codePage } = await enrolAndReturn();
        assert.equal(totp.period, timeStepSize, 'the QR carries the period');
        await awayFromStepEdge(timeStepSize);
        const previous = codeAt(totp, -1);
        const page = await browser.submit(codePage, { token: previous });
        if (windowSize === 3) {
          assert.equal(page.name, 'myaccount');
        } else {
          assert.equal(page.name, 'totp.do');
          assert.match(alertText(page), /not correct/);
          const twoAhead = await browser.submit(page, { token: codeAt(totp, 2) });
          assert.equal(twoAhead.name, 'totp.do', 'codes outside the window are refused');
        }
      });
    }
  }

  test('input is checked as exact digits: wrong length, letters and signs are refused (and counted)', async () => {
    await setTotpParams(server, { encodingMethod: 'Base32', timeStepSize: 30, windowSize: 3 });
    const { user, totp, browser, codePage } = await enrolAndReturn();
    await awayFromStepEdge(30);
    const code = codeAt(totp);
    let page = codePage;
    for (const bad of [code.slice(1), `${code}0`, `+${code.slice(1)}`, ` ${code}`]) {
      page = await browser.submit(page, { token: bad });
      assert.equal(page.name, 'totp.do', JSON.stringify(bad));
    }
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '4');
    const done = await browser.submit(page, { token: code });
    assert.equal(done.name, 'myaccount');
    assert.equal(await claimOf(server, user, CLAIMS.failedTotpAttempts), '0', 'a success resets the counter');
  });
});
