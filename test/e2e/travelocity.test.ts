// The travelocity sample without a browser: SP-initiated SSO through the IdP's pages (LoginBrowser), the
// sample's own checks of the signed Response (node-saml, independent of our code), SLO, an error Status
// on the sample's error page, and its registration on first start (once, kept on the next start).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTravelocity } from '../../samples/travelocity/index.ts';
import { sampleApplication } from '../../src/sample-app.ts';
import { TestClient, type Response } from '../support/http-client.ts';
import { alertText, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { autoPostForm, createScimUser, loginThrough, pathOf, startSampleLogin, startWithSample } from './sample-support.ts';

const ACS = '/travelocity.com/home.jsp';

describe('the travelocity sample (HTTP)', () => {
  let server: TestServer & { sampleUrl: string };
  before(async () => {
    server = await startWithSample();
  });
  after(async () => server?.close());

  const startLogin = (sample: TestClient, idp: LoginBrowser) => startSampleLogin(server.url, sample, idp);

  test('the home page offers the SAML login; the POST binding is offered too', async () => {
    const sample = new TestClient(server.sampleUrl);
    const home = await sample.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Log in with SAML from Portcullis/);
    assert.match(String(home.headers['content-security-policy']), /default-src 'none'/);
    const post = await sample.get('/travelocity.com/samlsso?SAML2.HTTPBinding=HTTP-POST');
    assert.equal(post.status, 200);
    assert.match(post.text, new RegExp(`action="${server.url}/samlsso"`));
    const form = autoPostForm({ url: '/', status: 200, html: post.text, name: 'samlsso' });
    assert.match(Buffer.from(form.fields.SAMLRequest!, 'base64').toString('utf8'), /^(<\?xml[^>]*>)?<samlp:AuthnRequest /, 'plain base64 XML, not DEFLATE');
    const idp = new LoginBrowser(server.client());
    const login = await idp.follow(await idp.client.post('/samlsso', { form: form.fields, headers: { accept: 'text/html' } }), '/samlsso');
    assert.equal(login.name, 'login.do', 'the IdP accepts the POST-binding AuthnRequest');
  });

  test('login: a signed Response is accepted once; a tampered one and a replay are refused; SLO ends both sessions', async () => {
    const user = await createScimUser(server, 'traveller', { givenName: 'Tess', familyName: 'Traveller' });
    const idp = new LoginBrowser(server.client());
    const first = await loginThrough(await startLogin(new TestClient(server.sampleUrl), idp), idp, user);
    assert.equal(first.post.action, `${server.sampleUrl}${ACS}`);

    // The same Response with another subject: node-saml in the sample must refuse the broken signature.
    const xml = Buffer.from(first.post.fields.SAMLResponse!, 'base64').toString('utf8');
    const forged = xml.replace(/(<(?:\w+:)?NameID\b[^>]*>)[^<]*</, '$1admin<');
    assert.notEqual(forged, xml);
    const attacker = new TestClient(server.sampleUrl);
    const refused = await attacker.post(ACS, { form: { SAMLResponse: Buffer.from(forged).toString('base64') } });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Login failed/);
    assert.match(refused.text, /signature/i);
    assert.equal(attacker.cookies.size, 0, 'no session for a forged Response');

    // A fresh login (the IdP session makes it immediate) whose genuine Response is accepted exactly once.
    const sample = new TestClient(server.sampleUrl);
    const sso = autoPostForm(await startLogin(sample, idp));
    const accepted = await sample.post(ACS, { form: sso.fields });
    assert.equal(accepted.status, 303);
    assert.equal(accepted.location, ACS);
    const cookie = String(accepted.headers['set-cookie']);
    assert.match(cookie, /travelocity_session=[^;]+;.*HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    const home = await sample.get(ACS);
    assert.equal(home.status, 200);
    assert.match(home.text, new RegExp(`You are logged in as <strong>${user.username}</strong>`));
    assert.ok(home.text.includes(user.email), 'the emailaddress attribute is shown');
    assert.match(home.text, /Tess/);
    assert.match(home.text, /urn:oasis:names:tc:SAML:2\.0:ac:classes:TimeSyncToken/);
    const replay = await new TestClient(server.sampleUrl).post(ACS, { form: sso.fields });
    assert.equal(replay.status, 400, 'InResponseTo is single use');
    assert.match(replay.text, /InResponseTo/);

    // SLO: the sample redirects to the IdP, which ends its session and answers at the logout URL.
    const logout = await sample.get('/travelocity.com/logout');
    assert.equal(logout.status, 302);
    assert.ok(logout.location?.startsWith(`${server.url}/samlsso?SAMLRequest=`));
    const answer = await idp.open(pathOf(logout.location!));
    assert.equal(answer.name, 'external');
    assert.ok(answer.url.startsWith(`${server.sampleUrl}/travelocity.com/logout?SAMLResponse=`), answer.url);
    const done = await sample.get(pathOf(answer.url));
    assert.equal(done.status, 303, done.text);
    assert.equal(done.location, '/?logged_out');
    assert.match((await sample.get('/?logged_out')).text, /You have been logged out/);
    assert.equal((await sample.get(ACS)).status, 302, 'the sample session is gone');
    assert.equal((await startLogin(sample, idp)).name, 'login.do', 'the IdP asks for the password again');
  });

  /** Follows a redirect chain across origins (IdP and SPs), each hop with the client given for its origin. */
  async function chase(location: string, clients: Record<string, TestClient>): Promise<{ url: URL; res: Response }> {
    let url = new URL(location);
    for (let hop = 0; hop < 12; hop++) {
      const client = clients[url.origin];
      assert.ok(client, `unexpected hop to ${url.origin}`);
      const res = await client.get(url.pathname + url.search);
      if (res.status < 300 || res.status >= 400 || !res.location) return { url, res };
      url = new URL(res.location, url);
    }
    throw new Error('too many redirects');
  }

  test('logout at another application: the IdP sends travelocity a signed LogoutRequest, which ends its session', async () => {
    const user = await createScimUser(server, 'twoapps', { givenName: 'Tom', familyName: 'Two' });
    const idp = new LoginBrowser(server.client());
    const travelocity = new TestClient(server.sampleUrl);
    const { post } = await loginThrough(await startLogin(travelocity, idp), idp, user);
    assert.equal((await travelocity.post(ACS, { form: post.fields })).status, 303);
    assert.equal((await travelocity.get(ACS)).status, 200);

    // A second service provider in the same SSO session (the same sample code under another issuer).
    const avis = await startTravelocity({ port: 0, hostname: 'localhost', idpMetadataUrl: `${server.url}/identity/metadata/saml2`, idpTlsCa: server.certificate, issuer: 'avis.com' });
    try {
      const tenant = await server.services.tenants.requireActive('carbon.super');
      await server.services.applicationService.create(tenant, sampleApplication(avis.url, 'avis.com'));
      const other = new TestClient(avis.url);
      const sso = autoPostForm(await idp.open(pathOf((await other.get('/travelocity.com/samlsso')).location!)));
      assert.equal((await other.post(ACS, { form: sso.fields })).status, 303, 'logged in by the SSO session, no page shown');

      // Logging out of avis.com: the IdP passes through travelocity's logout URL (a fresh client there, so
      // the session must end on the server, not only by a cleared cookie), then answers avis.com.
      const start = await other.get('/travelocity.com/logout');
      const end = await chase(start.location!, { [new URL(server.url).origin]: idp.client, [new URL(server.sampleUrl).origin]: new TestClient(server.sampleUrl), [new URL(avis.url).origin]: other });
      assert.equal(end.url.toString(), `${avis.url}/?logged_out`);
      assert.match(end.res.text, /You have been logged out/);
      const after = await travelocity.get(ACS);
      assert.equal(after.status, 302, 'the travelocity session ended on the IdP\'s LogoutRequest');
      assert.equal(after.location, '/');
    } finally {
      await avis.close();
    }
  });

  test('an unsigned LogoutRequest is refused', async () => {
    const forged = Buffer.from(
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Issuer>${server.url}/samlsso</saml:Issuer><saml:NameID>admin</saml:NameID></samlp:LogoutRequest>`,
    );
    const { deflateRawSync } = await import('node:zlib');
    const res = await new TestClient(server.sampleUrl).get(`/travelocity.com/logout?SAMLRequest=${encodeURIComponent(deflateRawSync(forged).toString('base64'))}`);
    assert.equal(res.status, 400);
    assert.match(res.text, /not signed/);
  });

  test('an error Status from the IdP is shown on the sample error page', async () => {
    const user = await createScimUser(server, 'nocode', { givenName: 'Nora', familyName: 'Code' });
    const idp = new LoginBrowser(server.client());
    const enrol = await idp.login(await startLogin(new TestClient(server.sampleUrl), idp), user.username, user.password);
    assert.equal(enrol.name, 'totp_enroll.do');
    const error = await idp.submit(enrol, {}, ['ENABLE_TOTP', 'false']);
    assert.equal(error.name, 'totp_error.do');
    assert.match(alertText(error), /Enable TOTP/);
    const post = autoPostForm(await idp.submit(error, {}, ['abort', 'true']));
    assert.equal(post.action, `${server.sampleUrl}${ACS}`);
    const sample = new TestClient(server.sampleUrl);
    const shown = await sample.post(ACS, { form: post.fields });
    assert.equal(shown.status, 400);
    assert.match(shown.text, /Login failed/);
    assert.match(shown.text, /urn:oasis:names:tc:SAML:2\.0:status:(Responder|Requester)/);
    assert.equal(sample.cookies.size, 0);
  });
});

describe('registering the sample on first start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcs-sample-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function travelocityApps(server: TestServer) {
    const tenant = await server.services.tenants.requireActive('carbon.super');
    const { applications } = await server.services.applications.list(tenant.id, 0, 100);
    return { tenant, apps: applications.filter((a) => a.name === 'travelocity.com') };
  }

  test('the first start registers travelocity.com with basic then totp; the second start keeps it', async () => {
    const first = await startWithSample({ dataDir });
    let id: string;
    try {
      const { tenant, apps } = await travelocityApps(first);
      assert.equal(apps.length, 1);
      const app = (await first.services.applications.findByIdentifier(tenant.id, 'saml', 'travelocity.com'))!;
      id = app.id;
      assert.deepEqual(
        app.authenticationSequence.steps.map((s) => s.options.map((o) => o.authenticator)),
        [['BasicAuthenticator'], ['totp']],
      );
      assert.deepEqual(
        app.claimConfiguration.requestedClaims.map((c) => c.claim.uri),
        ['emailaddress', 'givenname', 'lastname'].map((c) => `http://wso2.org/claims/${c}`),
      );
      assert.match(JSON.stringify(app.inboundProtocols), new RegExp(`"${first.sampleUrl}/travelocity.com/home.jsp"`));
    } finally {
      await first.close();
    }
    const second = await startWithSample({ dataDir });
    try {
      const { apps } = await travelocityApps(second);
      assert.equal(apps.length, 1, 'registered exactly once');
      assert.equal(apps[0]!.id, id, 'the existing application is kept');
    } finally {
      await second.close();
    }
  });
});

test('a taken sample port does not stop the identity server; the log says why', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const lines: string[] = [];
  const port = (blocker.address() as AddressInfo).port;
  const server = await startTestServer({ toml: `[logging]\nlevel = "warn"\n[sample_app]\nenabled = true\nport = ${port}\n`, logStream: { write: (l) => void lines.push(l) } });
  try {
    assert.equal(server.sampleUrl, undefined);
    assert.equal((await server.client().get('/health/ready')).status, 200);
    assert.match(lines.join(''), /the travelocity sample did not start: .*EADDRINUSE/);
  } finally {
    await server.close();
    blocker.close();
  }
});

describe('when the sample reads the IdP metadata', () => {
  /** A metadata URL that answers 404 and counts its requests. */
  async function countingMetadata(): Promise<{ url: string; hits: () => number; close: () => void }> {
    let hits = 0;
    const http = createHttpServer((_req, res) => {
      hits++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/metadata`, hits: () => hits, close: () => http.close() };
  }

  test('standalone: at start, so a wrong metadata URL is reported at once; a later login reads it again', async () => {
    const metadata = await countingMetadata();
    const warnings: string[] = [];
    const sample = await startTravelocity({ port: 0, hostname: 'localhost', idpMetadataUrl: metadata.url, warn: (m) => void warnings.push(m) });
    try {
      assert.equal(metadata.hits(), 1);
      assert.match(warnings.join('\n'), /cannot read the IdP metadata yet \(the metadata URL answered HTTP 404\)/);
      const login = await new TestClient(sample.url).get('/travelocity.com/samlsso');
      assert.match(login.text, /metadata could not be read/);
      assert.equal(metadata.hits(), 2);
    } finally {
      await sample.close();
      metadata.close();
    }
  });

  test('readMetadataAtStart false (the sample inside the IdP): not at start, by the first login', async () => {
    const metadata = await countingMetadata();
    const warnings: string[] = [];
    const sample = await startTravelocity({ port: 0, hostname: 'localhost', idpMetadataUrl: metadata.url, readMetadataAtStart: false, warn: (m) => void warnings.push(m) });
    try {
      assert.equal(metadata.hits(), 0, 'nothing read at start');
      assert.deepEqual(warnings, []);
      const login = await new TestClient(sample.url).get('/travelocity.com/samlsso');
      assert.match(login.text, /metadata could not be read/);
      assert.equal(metadata.hits(), 1, 'read by the first login');
    } finally {
      await sample.close();
      metadata.close();
    }
  });

  test('beside the server (npm start): the IdP serves its metadata to the sample only when a login starts', async () => {
    const lines: string[] = [];
    const server = await startWithSample({ toml: '[logging]\nlevel = "info"\n', logStream: { write: (l) => void lines.push(l) } });
    try {
      const metadataRequests = () => lines.filter((l) => l.includes('/identity/metadata/saml2')).length;
      assert.equal(metadataRequests(), 0, 'not read while the server starts');
      const start = await new TestClient(server.sampleUrl).get('/travelocity.com/samlsso');
      assert.equal(start.status, 302);
      assert.ok(start.location?.startsWith(`${server.url}/samlsso?SAMLRequest=`), start.location);
      assert.ok(metadataRequests() > 0, 'read by the first login');
    } finally {
      await server.close();
    }
  });
});
