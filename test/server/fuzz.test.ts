// Issue 8's "done when": every registered route (read from Fastify's route tree, plain and under /t/{tenant})
// is driven with malformed paths, percent-encodings, headers, cookies, bodies and SAML messages; no response
// is a 5xx, and the server answers /health afterwards. First each route gets each malformed input on its own
// (a fixed list, so a regression names the route and the input), then fast-check combines them at random
// with a fixed seed and a bounded number of runs, so CI sees the same requests every time.
// FUZZ_RUNS and FUZZ_SEED override the defaults for a longer or different exploration.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { claimId } from '../../src/claims/claim-metadata.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { ConsoleBrowser } from '../console/console-browser.ts';
import { samlApp } from '../saml/support.ts';
import { LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { provisionTenant } from '../support/tenants.ts';
import * as input from './fuzz-inputs.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_808);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const ADMIN = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

describe('fuzz: no request gets a 5xx', () => {
  let server: TestServer;
  let agent: Agent;
  let routes: input.Route[];
  const errorLogs: string[] = [];
  /** A real console session (cookie and CSRF token) and a login in progress, so fuzzed input reaches past the door. */
  const live = { cookie: '', csrf: '', loginKey: '', loginCookie: '', issuer: '', acs: '' };
  /** Ids that exist (a user, applications, a claim, a tenant, a template type), so id routes reach their handlers. */
  const knownIds: string[] = [];
  const statuses = new Map<number, number>();

  before(async () => {
    server = await startTestServer({
      // trust_proxy on, so the forwarded headers the fuzz sends are parsed too (off by default in deployments).
      toml: '[logging]\nlevel = "error"\n[server]\nmax_body_size = 65536\ntrust_proxy = true',
      logStream: { write: (line) => void errorLogs.push(line) },
    });
    agent = new Agent({ keepAlive: true, ca: server.certificate, maxSockets: 4 });
    routes = input.routesOf(server.app.printRoutes({ commonPrefix: false }));
    await provisionTenant(server, 'other.example');
    const console = new ConsoleBrowser(server);
    const overview = await console.signIn('admin', 'admin');
    live.cookie = `commonAuthId=${console.client.cookies.get('commonAuthId')}`;
    live.csrf = /name="csrf" value="([^"]+)"/.exec(overview.html)?.[1] ?? '';
    const browser = new LoginBrowser(server.client());
    const login = await browser.open('/myaccount');
    live.loginKey = /name="sessionDataKey" value="([^"]+)"/.exec(login.html)?.[1] ?? '';
    live.loginCookie = `sessionNonceCookie-${live.loginKey}=${browser.client.cookies.get(`sessionNonceCookie-${live.loginKey}`) ?? ''}`;
    assert.ok(live.cookie.length > 20 && live.csrf && live.loginKey, 'a live session and a login in progress');
    const tenant = (await server.services.tenants.findByDomain('carbon.super'))!;
    const admin = (await server.services.users.find(tenant, 'admin'))!;
    const apps = (await server.services.applications.list(tenant.id, 0, 10)).applications;
    const sp = await samlApp(server, { manual: { idpInitiatedSingleSignOn: { enabled: true } } });
    Object.assign(live, { issuer: sp.issuer, acs: sp.acs });
    knownIds.push(admin.id, tenant.id, ...apps.map((a) => a.id), claimId(CLAIMS.email), 'AccountLockNotification', 'en_US', 'totp');
  });
  after(async () => {
    agent?.destroy();
    await server?.close();
  });

  /**
   * One request on a kept-alive connection. A server may close an idle kept-alive socket just as the next
   * request goes out on it; Node's documented answer is to retry on a reused socket. A fresh socket that is
   * reset (a server that died or dropped the request) still fails the test.
   */
  function send(req: Req, retry = true): Promise<number> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const r = request({ host: url.hostname, servername: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          resolve(status);
        });
        res.on('error', reject);
      });
      // Not a timing assertion: a request the server never answers (a hung handler) fails with its description.
      r.setTimeout(30_000, () => r.destroy(new Error('no answer')));
      r.on('error', (err: NodeJS.ErrnoException) => {
        if (retry && r.reusedSocket && err.code === 'ECONNRESET') send(req, false).then(resolve, reject);
        else reject(new Error(`${err.message} for ${describeReq(req)}`));
      });
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  const fill = (template: string, value: (i: number) => string) => {
    let i = 0;
    return template.replace(/:[A-Za-z]+/g, () => value(i++));
  };
  const describeReq = (req: Req) => `${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers).slice(0, 300)} body=${String(req.body ?? '').slice(0, 120)}`;

  async function expectNo5xx(requests: Req[]): Promise<void> {
    const failures: string[] = [];
    for (const req of requests) {
      const status = await send(req);
      if (status >= 500) failures.push(`${status} ${describeReq(req)}`);
    }
    assert.deepEqual(failures, [], `5xx answers:\n${failures.join('\n')}\nserver errors:\n${errorLogs.slice(-10).join('')}`);
  }

  test('the route tree is read: every front is there, under /t/{tenant} too', () => {
    const templates = new Set(routes.map((r) => r.template));
    for (const path of ['/health', '/samlsso', '/commonauth', '/oauth2/interaction/:uid', '/oidc/logout', '/console/users/:id', '/myaccount/logout', '/scim2/Users/:id', '/api/server/v1/claim-dialects/local/claims/:id']) {
      assert.ok(templates.has(path), path);
    }
    assert.ok(routes.length > 50, `${routes.length} routes`);
  });

  test('each route with each malformed input on its own', async () => {
    const requests: Req[] = [];
    const withBody = (method: string) => method !== 'GET';
    for (const { method, template } of routes) {
      const plain = fill(template, () => 'x1');
      const base = { method, headers: { authorization: ADMIN, accept: 'application/json' } };
      for (const bad of input.BAD_ESCAPES) requests.push({ ...base, path: template.includes(':') ? fill(template, () => bad) : `${plain}/${bad}` });
      for (const prefix of input.TENANT_PREFIXES) requests.push({ ...base, path: `${prefix}${plain}` });
      requests.push({ ...base, path: `${plain}?${input.BAD_ESCAPES.map((e, i) => `q${i}=${e}&${e}=v`).join('&')}` });
      for (const authorization of input.BAD_AUTHORIZATION) requests.push({ ...base, path: plain, headers: { authorization, accept: 'text/html' } });
      for (const cookie of input.BAD_COOKIES) requests.push({ ...base, path: plain, headers: { ...base.headers, cookie } });
      if (!withBody(method)) continue;
      for (const [type, body] of input.BAD_BODIES) {
        requests.push({ ...base, path: plain, headers: { ...base.headers, 'content-type': type, cookie: live.cookie }, body });
      }
    }
    for (const value of input.SAML_VALUES) {
      const encoded = encodeURIComponent(value);
      for (const prefix of ['', '/t/other.example']) {
        requests.push({ method: 'GET', path: `${prefix}/samlsso?SAMLRequest=${encoded}&RelayState=%E0`, headers: { accept: 'text/html' } });
        requests.push({ method: 'GET', path: `${prefix}/samlsso?SAMLResponse=${value.replace(/[^A-Za-z0-9+/=%]/g, '')}&SigAlg=x&Signature=!!`, headers: {} });
        requests.push({ method: 'POST', path: `${prefix}/samlsso`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: live.cookie }, body: `SAMLRequest=${encoded}&RelayState=${'r'.repeat(100)}` });
        requests.push({ method: 'POST', path: `${prefix}/samlsso`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `SAMLResponse=${encoded}&SAMLResponse=x` });
      }
    }
    for (const spEntityID of input.BAD_ESCAPES) requests.push({ method: 'GET', path: `/samlsso?spEntityID=${spEntityID}&RelayState=x`, headers: { cookie: live.cookie } });
    await expectNo5xx(requests);
  });

  test(`random combinations (seed ${SEED}, ${RUNS} runs)`, async () => {
    const request = fc.record({
      route: fc.constantFrom(...routes),
      method: fc.option(fc.constantFrom('HEAD', 'OPTIONS', 'PATCH', 'PUT', 'PROPFIND'), { freq: 8, nil: undefined }),
      tenant: fc.oneof({ arbitrary: fc.constantFrom('', '/t/carbon.super', '/t/other.example'), weight: 4 }, { arbitrary: fc.constantFrom(...input.TENANT_PREFIXES), weight: 1 }),
      params: fc.array(fc.oneof(input.component, fc.constantFrom(...knownIds)), { minLength: 3, maxLength: 3 }),
      query: input.query,
      authorization: fc.oneof(input.authorization, fc.constant(ADMIN)),
      cookie: fc.oneof(input.cookieHeader, fc.constant(live.cookie), input.cookieHeader.map((c) => `${live.cookie}; ${c ?? ''}`)),
      contentType: fc.option(fc.constantFrom(...input.CONTENT_TYPES), { nil: undefined }),
      body: input.body,
      extra: fc.constantFrom('', 'csrf', 'login'),
      accept: fc.constantFrom('text/html', 'application/json', '*/*', ''),
      extraHeaders: input.extraHeaders,
    });
    await fc.assert(
      fc.asyncProperty(request, async (c) => {
        const headers: Record<string, string> = { ...c.extraHeaders };
        if (c.authorization) headers.authorization = c.authorization;
        if (c.cookie) headers.cookie = c.cookie;
        if (c.accept) headers.accept = c.accept;
        let body = c.body?.[1];
        const type = c.contentType ?? c.body?.[0];
        if (type) headers['content-type'] = type;
        // Valid pieces beside the junk: the console's CSRF token, or a login in progress for /commonauth.
        if (c.extra === 'csrf' && typeof body === 'string') body = `csrf=${live.csrf}&${body}`;
        if (c.extra === 'login' && typeof body === 'string') {
          body = `sessionDataKey=${live.loginKey}&username=admin&${body}`;
          headers.cookie = `${live.loginCookie}; ${headers.cookie ?? ''}`;
        }
        const path = `${c.tenant}${fill(c.route.template, (i) => c.params[i] ?? 'x')}${c.query ? `?${c.query}` : ''}`;
        const method = c.method ?? c.route.method;
        // A HEAD request with a body leaves the client unable to tell where the response ends.
        const req: Req = { method, path, headers, ...(body !== undefined && method !== 'HEAD' ? { body } : {}) };
        const status = await send(req);
        assert.ok(status < 500, `${status} for ${describeReq(req)}\n${errorLogs.slice(-5).join('')}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  test(`SAML messages for a registered application, both bindings (seed ${SEED}, ${RUNS} runs)`, async () => {
    const message = fc.record({
      xml: input.samlMessage(live.issuer, live.acs),
      encode: input.samlEncoding,
      binding: fc.constantFrom('redirect', 'post', 'idp-initiated'),
      kind: fc.constantFrom('SAMLRequest', 'SAMLResponse'),
      relayState: fc.option(input.component, { nil: undefined }),
      signature: fc.option(fc.tuple(fc.constantFrom('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'x', '%E0'), input.component), { nil: undefined }),
      tenant: fc.constantFrom('', '/t/carbon.super', '/t/other.example'),
      signedIn: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const encoded = encodeURIComponent(m.encode(m.xml));
        const extra = `${m.relayState === undefined ? '' : `&RelayState=${m.relayState}`}${m.signature ? `&SigAlg=${m.signature[0]}&Signature=${m.signature[1]}` : ''}`;
        const headers: Record<string, string> = { accept: 'text/html', ...(m.signedIn ? { cookie: live.cookie } : {}) };
        const req: Req =
          m.binding === 'post'
            ? { method: 'POST', path: `${m.tenant}/samlsso`, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: `${m.kind}=${encoded}${extra}` }
            : m.binding === 'redirect'
              ? { method: 'GET', path: `${m.tenant}/samlsso?${m.kind}=${encoded}${extra}`, headers }
              : { method: 'GET', path: `${m.tenant}/samlsso?spEntityID=${encodeURIComponent(live.issuer)}${extra}`, headers };
        const status = await send(req);
        assert.ok(status < 500, `${status} for ${describeReq(req)}\n${m.xml}\n${errorLogs.slice(-5).join('')}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  test('the server still answers /health', async () => {
    // How deep the requests got (a fuzz that only ever hits the first 400 tests little).
    console.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    assert.equal(await send({ method: 'GET', path: '/health', headers: {} }), 200);
    assert.equal(await send({ method: 'GET', path: '/health/ready', headers: {} }), 200);
  });
});
