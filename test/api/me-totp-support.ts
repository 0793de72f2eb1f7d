// Helpers for the me/totp API tests: a My Account session (cookie and the page's CSRF token), calls to the API
// with it or with HTTP Basic, and the authenticator app a qrCodeUrl describes.
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { Clock } from '../../src/time/clock.ts';
import { decodeWso2QrPayload } from '../../src/totp/index.ts';
import type { Response, TestClient } from '../support/http-client.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';

export const ME_TOTP = '/api/users/v1/me/totp';

export interface ErrorJson {
  code: string;
  message: string;
  description: string;
  traceId: string;
}

/** A caller of the API: a browser with its My Account session, or HTTP Basic credentials. */
export class MeTotpClient {
  constructor(
    readonly client: TestClient,
    readonly options: { csrf?: string; auth?: [string, string]; prefix?: string } = {},
  ) {}

  private headers(): Record<string, string> {
    return { accept: 'application/json', ...(this.options.csrf ? { 'x-csrf-token': this.options.csrf } : {}) };
  }

  private path(sub = ''): string {
    return `${this.options.prefix ?? ''}${ME_TOTP}${sub}`;
  }

  get(sub = ''): Promise<Response> {
    return this.client.request(this.path(sub), { method: 'GET', headers: this.headers(), ...(this.options.auth ? { auth: this.options.auth } : {}) });
  }

  post(json: unknown): Promise<Response> {
    return this.client.request(this.path(), { method: 'POST', headers: this.headers(), json, ...(this.options.auth ? { auth: this.options.auth } : {}) });
  }

  delete(): Promise<Response> {
    return this.client.request(this.path(), { method: 'DELETE', headers: this.headers(), ...(this.options.auth ? { auth: this.options.auth } : {}) });
  }

  /** POST {action}; asserts 200 and returns the qrCodeUrl. */
  async qr(action: 'INIT' | 'REFRESH' | 'VIEW'): Promise<string> {
    const res = await this.post({ action });
    assert.equal(res.status, 200, res.text);
    const { qrCodeUrl } = res.json<{ qrCodeUrl: string }>();
    assert.equal(typeof qrCodeUrl, 'string');
    return qrCodeUrl;
  }

  /** POST {action: VALIDATE}; asserts 200 and returns isValid. */
  async validate(verificationCode: unknown): Promise<boolean> {
    const res = await this.post({ action: 'VALIDATE', verificationCode });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ isValid: boolean }>();
    assert.deepEqual(Object.keys(body), ['isValid']);
    return body.isValid;
  }
}

/** Signs in to My Account (its steps must be the password alone) and returns the API client of that session. */
export async function myAccountSession(server: TestServer, username: string, password: string, tenantPrefix = ''): Promise<MeTotpClient> {
  const browser = new LoginBrowser(server.client());
  const page = await browser.login(await browser.open(`${tenantPrefix}/myaccount`), username, password);
  assert.equal(page.name, 'myaccount', page.html.slice(0, 300));
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1];
  assert.ok(csrf, 'the My Account page carries its CSRF token');
  return new MeTotpClient(browser.client, { csrf, prefix: tenantPrefix });
}

/** The authenticator app a qrCodeUrl sets up (Base64 of the otpauth URI, as WSO2 sends it). */
export function appOf(qrCodeUrl: string): OTPAuth.TOTP {
  const parsed = OTPAuth.URI.parse(decodeWso2QrPayload(qrCodeUrl));
  assert.ok(parsed instanceof OTPAuth.TOTP);
  return parsed;
}

/** The app's code at the server's (manual) clock, `steps` time steps later or earlier. */
export function codeOf(app: OTPAuth.TOTP, clock: Clock, steps = 0): string {
  return app.generate({ timestamp: clock.now() + steps * app.period * 1000 });
}

/** A code that is certainly wrong for this step (and the steps around it). */
export function wrongCode(app: OTPAuth.TOTP, clock: Clock): string {
  const near = new Set([-1, 0, 1].map((s) => codeOf(app, clock, s)));
  for (let n = 0; ; n++) {
    const candidate = String((Number(codeOf(app, clock)) + 500_000 + n) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}
