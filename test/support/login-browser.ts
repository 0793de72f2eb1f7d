// Drives the login pages over HTTPS the way a browser without JavaScript does: follows redirects, reads
// forms from the HTML, posts them back with the fields a user would fill or the button they would press.
// Codes are computed with otpauth from what the pages show (the QR image decoded with jsqr).
import * as OTPAuth from 'otpauth';
import { readQrPng } from '../../src/totp/testing.ts';
import type { Response, TestClient } from './http-client.ts';

export interface Page {
  url: string;
  status: number;
  html: string;
  /** The last path segment of the page URL, e.g. 'login.do', 'totp.do', 'myaccount'. */
  name: string;
}

const MAX_REDIRECTS = 10;

function unescape(s: string): string {
  return s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export class LoginBrowser {
  constructor(readonly client: TestClient) {}

  /** Follows redirects from a response to the page it lands on (stops at other origins). */
  async follow(res: Response, url: string): Promise<Page> {
    let current = res;
    let at = url;
    for (let i = 0; i < MAX_REDIRECTS && current.status >= 300 && current.status < 400 && current.location; i++) {
      const next = new URL(current.location, new URL(at, this.client.baseUrl));
      if (next.origin !== new URL(this.client.baseUrl).origin) return { url: next.toString(), status: current.status, html: '', name: 'external' };
      at = next.pathname + next.search;
      current = await this.client.get(at, { headers: { accept: 'text/html' } });
    }
    const path = new URL(at, this.client.baseUrl).pathname;
    return { url: at, status: current.status, html: current.text, name: path.split('/').pop() ?? '' };
  }

  async open(path: string): Promise<Page> {
    return this.follow(await this.client.get(path, { headers: { accept: 'text/html' } }), path);
  }

  /** Posts the page's form that has `button` (name=value) or, without one, the first form with the given fields. */
  async submit(page: Page, fields: Record<string, string>, button?: [string, string]): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => (button ? new RegExp(`name="${button[0]}" value="${button[1]}"`).test(f[2]!) : Object.keys(fields).every((k) => f[2]!.includes(`name="${k}"`)))) ?? forms[0];
    if (!form) throw new Error(`no form on ${page.name}:\n${page.html}`);
    const data: Record<string, string> = {};
    for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) data[m[1]!] = unescape(m[2]!);
    Object.assign(data, fields);
    if (button) data[button[0]] = button[1];
    const action = unescape(form[1]!);
    return this.follow(await this.client.post(action, { form: data, headers: { accept: 'text/html' } }), action);
  }

  async login(page: Page, username: string, password: string): Promise<Page> {
    return this.submit(page, { username, password });
  }
}

export function sessionDataKey(page: Page): string {
  const m = /name="sessionDataKey" value="([^"]+)"/.exec(page.html);
  if (!m) throw new Error(`no sessionDataKey on ${page.name}`);
  return m[1]!;
}

/** The text of the page's alert (failure) box, tags stripped. */
export function alertText(page: Page): string {
  const m = /<div class="message" role="alert">([\s\S]*?)<\/div>/.exec(page.html) ?? /<p class="message" role="alert">([\s\S]*?)<\/p>/.exec(page.html);
  return m ? unescape(m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()) : '';
}

/** Reads the enrolment page's QR image the way a phone would, and returns the TOTP it describes. */
export function totpFromQr(page: Page): OTPAuth.TOTP {
  const m = /<img class="qr" src="data:image\/png;base64,([^"]+)"/.exec(page.html);
  if (!m) throw new Error(`no QR image on ${page.name}`);
  const { text } = readQrPng(Buffer.from(m[1]!, 'base64'));
  if (!text) throw new Error('QR did not decode');
  const parsed = OTPAuth.URI.parse(text);
  if (!(parsed instanceof OTPAuth.TOTP)) throw new Error('not a TOTP URI');
  return parsed;
}

/** The manual-entry key shown beside the QR (spaces removed). */
export function manualKey(page: Page): string {
  const m = /<p class="secret" id="secret">([\s\S]*?)<\/p>/.exec(page.html);
  if (!m) throw new Error('no key on the page');
  return m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, '');
}

/**
 * Waits until at least `margin` seconds remain in the current time step, so a code computed now is still
 * current when the server checks it (the test must not depend on hitting a step boundary).
 */
export async function awayFromStepEdge(period: number, margin = 3): Promise<void> {
  const left = period - ((Date.now() / 1000) % period);
  if (left < margin) await new Promise((r) => setTimeout(r, left * 1000 + 150));
}

export function codeAt(totp: OTPAuth.TOTP, offsetSteps = 0): string {
  return totp.generate({ timestamp: Date.now() + offsetSteps * totp.period * 1000 });
}
