// Drives the console like a browser without JavaScript: reads a page's forms (hidden fields, filled text
// fields and text areas, ticked boxes and radios, selected options), lets the test change fields or press a button, and posts
// the form url-encoded (repeated names kept, as browsers send ticked checkboxes). Built on LoginBrowser, whose
// pages and redirects it shares.
import assert from 'node:assert/strict';
import { LoginBrowser, type Page } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

export type Fields = Record<string, string | string[]>;

interface ParsedForm {
  action: string;
  method: string;
  fields: [string, string][];
  buttons: [string, string][];
}

function unescape(s: string): string {
  return s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) out[m[1]!.toLowerCase()] = unescape(m[2] ?? '');
  return out;
}

export function formsOf(html: string): ParsedForm[] {
  return [...html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)].map((f) => {
    const a = attrs(f[1]!);
    const body = f[2]!;
    const fields: [string, string][] = [];
    for (const m of body.matchAll(/<input([^>]*)>/g)) {
      const i = attrs(m[1]!);
      if (!i.name) continue;
      const type = i.type ?? 'text';
      if ((type === 'checkbox' || type === 'radio') && !('checked' in i)) continue;
      fields.push([i.name, i.value ?? (type === 'checkbox' ? 'on' : '')]);
    }
    for (const m of body.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attrs(m[1]!).name;
      if (name) fields.push([name, unescape(m[2]!)]);
    }
    for (const m of body.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g)) {
      const options = [...m[2]!.matchAll(/<option([^>]*)>/g)].map((o) => attrs(o[1]!));
      const chosen = options.find((o) => 'selected' in o) ?? options[0];
      if (chosen) fields.push([attrs(m[1]!).name!, chosen.value ?? '']);
    }
    const buttons = [...body.matchAll(/<button([^>]*)>/g)].map((b) => attrs(b[1]!)).filter((b) => b.name).map((b): [string, string] => [b.name!, b.value ?? '']);
    return { action: a.action ?? '', method: (a.method ?? 'get').toLowerCase(), fields, buttons };
  });
}

export class ConsoleBrowser extends LoginBrowser {
  constructor(readonly server: TestServer) {
    super(server.client());
  }

  /** Opens the console (or a page of it) and signs in on the login page it leads to. */
  async signIn(username: string, password: string, path = '/console'): Promise<Page> {
    const login = await this.open(path);
    assert.equal(login.name, 'login.do', `expected the login page, got ${login.name} (${login.status})`);
    return this.login(login, username, password);
  }

  /**
   * Posts the form whose action ends with `action` as the page has it filled, with `changes` applied (an
   * empty list unticks a box; a string replaces), pressing `button` if given.
   */
  async post(page: Page, action: string, changes: Fields = {}, button?: [string, string]): Promise<Page> {
    const form = formsOf(page.html).find((f) => f.action.endsWith(action) && f.method === 'post' && (!button || f.buttons.some(([n, v]) => n === button[0] && v === button[1])));
    assert.ok(form, `no form posting to ${action} on ${page.url}`);
    const data = new URLSearchParams();
    for (const [k, v] of form.fields) if (!(k in changes)) data.append(k, v);
    for (const [k, v] of Object.entries(changes)) for (const one of [v].flat()) data.append(k, one);
    if (button) data.append(button[0], button[1]);
    return this.postRaw(form.action, data.toString());
  }

  /** A POST with exactly this url-encoded body (for forged or stripped requests). */
  async postRaw(action: string, body: string): Promise<Page> {
    const res = await this.client.post(action, { body, headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' } });
    return this.follow(res, action);
  }
}

/** The text of the page's one-line notice, if any. */
export function noticeOf(page: Page): string {
  return /<p class="info" role="status">([^<]*)<\/p>/.exec(page.html)?.[1] ?? '';
}

/** The text of the page's problem box (an error beside a form). */
export function problemOf(page: Page): string {
  const m = /<div class="message" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(page.html);
  return m ? unescape(m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()) : '';
}

export function csrfOf(page: Page): string {
  const m = /name="csrf" value="([^"]+)"/.exec(page.html);
  assert.ok(m, `no csrf token on ${page.url}`);
  return m[1]!;
}

/** A test server with the console signed in as its first-start admin (admin/admin). */
export async function adminConsole(): Promise<{ server: TestServer; admin: ConsoleBrowser }> {
  const server = await startTestServer();
  const admin = new ConsoleBrowser(server);
  await admin.signIn('admin', 'admin');
  return { server, admin };
}
