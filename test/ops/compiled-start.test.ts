// `npm start` runs the compiled bundle (dist/bundle/, made by `npm run build`, which `npm ci` runs as `prepare`),
// not the TypeScript sources through a loader: on a fresh data directory it provisions (admin, TLS pair made with
// the lazily loaded @peculiar/x509), serves a whole login through the pages (password, then TOTP enrolment from
// the QR, which loads qrcode on first use, then the code), and the parts that live outside the bundle or read
// files beside their modules all work from it: views and assets (dist/src/ui/), the API reference page's own
// static files (found in node_modules through the rewritten __dirname), oidc-provider (loaded on the first OIDC
// request), signed SAML metadata, and the travelocity sample (its own chunk). It runs from a copy of dist/ with
// package.json and node_modules and no sources, as a node image would hold it. No process of it loads tsx.
// dist/ is rebuilt first unless it is newer than every source file, so the test never passes on a stale build.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ensureBuilt } from '../support/build.ts';
import { TestClient } from '../support/http-client.ts';
import { awayFromStepEdge, codeAt, LoginBrowser, totpFromQr } from '../support/login-browser.ts';
import { waitFor } from '../support/process.ts';
import { freePort } from '../support/free-port.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Every process below `pid` (Linux /proc), with its command line. */
function descendants(pid: number): { pid: number; cmdline: string }[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      // Ended meanwhile.
    }
    return [{ pid: c, cmdline }, ...descendants(c)];
  });
}


const dir = mkdtempSync(join(tmpdir(), 'pcs-compiled-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * An installation as a node image has it: dist/, package.json and the production node_modules, and no sources,
 * so that the build cannot lean on src/ (the views and assets must be found in dist/).
 */
function installation(): string {
  const app = join(dir, 'app');
  cpSync(join(root, 'dist'), join(app, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
  return app;
}

test('npm start serves a login from the compiled bundle, without tsx or the sources', { timeout: 600_000 }, async () => {
  ensureBuilt();
  const app = installation();
  assert.ok(!existsSync(join(app, 'src')));
  const config = join(dir, 'deployment.toml');
  writeFileSync(config, `[server]\nport = 0\ndata_dir = "${dir}/data"\n[sample_app]\nport = ${await freePort()}\n`);
  // Its own process group, so that stopping npm stops the server under it too.
  const npm = spawn('npm', ['start'], { cwd: app, env: { ...process.env, PORTCULLIS_CONFIG: config }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => npm.once('exit', r));
  try {
    const url = await waitFor(() => /Portcullis is serving (https:\/\/[^ ]+) /.exec(out)?.[1] ?? (npm.exitCode === null ? undefined : 'exited'), 120_000);
    assert.notEqual(url, 'exited', `the server started:\n${out}`);
    // The self-signed pair the first start made: trusted explicitly, verification stays on.
    const client = new TestClient(url, readFileSync(join(dir, 'data/tls/server.crt'), 'utf8'));

    const ready = await client.get('/health/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.json<{ status: string }>().status, 'UP');

    const sampleUrl = /the travelocity sample is on (http:\/\/[^ "]+?)\/?"/.exec(out)?.[1];
    assert.ok(sampleUrl, `the sample started:\n${out}`);
    const sample = new TestClient(sampleUrl);
    assert.match((await sample.get('/')).text, /travelocity/i);

    // A whole login into the sample as the first-start admin, with the steps first start registered for it:
    // the password page (views, and the stylesheet it links), the enrolment page's QR, the code, and the
    // signed SAML Response posted back to the sample, which shows who signed in.
    const toIdp = await sample.get('/travelocity.com/samlsso');
    assert.equal(toIdp.status, 302);
    const idpPath = new URL(toIdp.location!);
    assert.equal(idpPath.origin, new URL(url).origin);
    const browser = new LoginBrowser(client);
    const login = await browser.open(idpPath.pathname + idpPath.search);
    assert.equal(login.name, 'login.do');
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(login.html)?.[1];
    assert.ok(css, 'the page links its stylesheet');
    assert.equal((await client.get(css)).status, 200);
    const enrol = await browser.login(login, 'admin', 'admin');
    assert.equal(enrol.name, 'totp_enroll.do', enrol.html);
    const totp = totpFromQr(enrol);
    const codePage = await browser.submit(enrol, {}, ['ENABLE_TOTP', 'true']);
    assert.equal(codePage.name, 'totp.do');
    await awayFromStepEdge(totp.period);
    const autoPost = await browser.submit(codePage, { token: codeAt(totp) });
    const response = /name="SAMLResponse" value="([^"]+)"/.exec(autoPost.html)?.[1];
    assert.ok(response, `the IdP answers with a SAML Response:\n${autoPost.html}`);
    const back = await sample.post('/travelocity.com/home.jsp', { form: { SAMLResponse: response } });
    assert.equal(back.status, 303, back.text);
    assert.match((await sample.get('/travelocity.com/home.jsp')).text, /You are logged in as <strong>admin<\/strong>/);

    const discovery = await client.get('/oauth2/token/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    assert.equal(discovery.json<{ issuer: string }>().issuer, `${url}/oauth2/token`);
    const metadata = await client.get('/identity/metadata/saml2');
    assert.equal(metadata.status, 200);
    assert.match(metadata.text, /<ds:SignatureValue>[A-Za-z0-9+/=\s]{100,}<\/ds:SignatureValue>/);
    const docs = await client.get('/api/docs/static/swagger-ui-bundle.js');
    assert.equal(docs.status, 200);
    assert.ok(docs.text.length > 100_000, 'Swagger UI\'s own script, served from its package');


    const processes = descendants(npm.pid!);
    assert.ok(processes.some((p) => p.cmdline.includes('dist/bundle/start.cjs')), `the server runs dist/bundle/start.cjs (which loads main.js): ${JSON.stringify(processes)}`);
    assert.ok(!processes.some((p) => /tsx|esbuild/.test(p.cmdline)), `no TypeScript loader: ${JSON.stringify(processes)}`);
  } finally {
    process.kill(-npm.pid!, 'SIGTERM');
    await exited;
  }
});

test('npm run import:wso2 runs the compiled command', { timeout: 600_000 }, () => {
  ensureBuilt();
  const r = spawnSync('npm', ['run', '--silent', 'import:wso2', '--', '--no-such-option'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr + r.stdout, /Unknown option '--no-such-option'[\s\S]*Usage: npm run import:wso2/);
  assert.doesNotMatch(readFileSync(join(root, 'package.json'), 'utf8'), /"import:wso2": "[^"]*tsx/);
});
