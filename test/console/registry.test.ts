// The console's registry page over HTTP: list a collection, upload a file into it (multipart, with the CSRF
// token), view it (text escaped), create a collection, delete; the TOTP XML uploaded here sets the TOTP
// settings; a form without the session's token is refused (403) and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tenantOf } from '../support/fixtures.ts';
import type { Page } from '../support/login-browser.ts';
import type { TestServer } from '../support/server.ts';
import type { ConsoleBrowser} from './console-browser.ts';
import { adminConsole, csrfOf, noticeOf, problemOf } from './console-browser.ts';

const BOUNDARY = '----portcullis-test-boundary';

function multipart(fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

describe('console: registry', () => {
  let server: TestServer;
  let admin: ConsoleBrowser;

  before(async () => ({ server, admin } = await adminConsole()));
  after(async () => server?.close());

  const upload = async (fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }): Promise<Page> => {
    const res = await admin.client.post('/console/registry/upload', { body: multipart(fields, file), headers: { accept: 'text/html', 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    return admin.follow(res, '/console/registry/upload');
  };

  test('create a collection, upload a file into it, view it (escaped), list, delete', async () => {
    const root = await admin.open('/console/registry');
    assert.equal(root.status, 200);
    assert.match(root.html, /This collection is empty/);
    assert.match(root.html, /href="\/console\/registry"[^>]*>Registry</, 'in the console nav');

    const made = await admin.post(root, '/console/registry/collection', { name: 'docs' });
    assert.equal(noticeOf(made), 'The collection was created.');
    assert.match(made.html, /<h2 id="listing">\/docs<\/h2>/);

    const saved = await upload({ csrf: csrfOf(made), path: '/docs', name: '' }, { name: 'note.html', type: 'text/html', data: Buffer.from('<script>alert(1)</script> hello') });
    assert.equal(noticeOf(saved), 'The resource was saved in the registry.', problemOf(saved));
    assert.match(saved.html, /<h2 id="resource">\/docs\/note\.html<\/h2>/);
    assert.match(saved.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; hello/, 'shown escaped');
    assert.doesNotMatch(saved.html, /<script>alert/);

    const download = await admin.client.get('/console/registry/download?path=%2Fdocs%2Fnote.html');
    assert.equal(download.status, 200);
    assert.match(String(download.headers['content-disposition']), /^attachment/);
    assert.match(String(download.headers['content-security-policy']), /sandbox/);

    const listing = await admin.open('/console/registry?path=%2Fdocs');
    assert.match(listing.html, /<a href="\/console\/registry\?path=%2Fdocs%2Fnote\.html">note\.html<\/a>/);
    const tenant = await tenantOf(server);
    const stored = await server.services.registry.read(tenant, '/docs/note.html');
    assert.equal(stored.kind === 'resource' && stored.content.toString(), '<script>alert(1)</script> hello');

    const notEmpty = await admin.postRaw('/console/registry/delete', new URLSearchParams({ csrf: csrfOf(listing), path: '/docs' }).toString());
    assert.equal(notEmpty.status, 400);
    assert.match(problemOf(notEmpty), /not empty/);
    const gone = await admin.postRaw('/console/registry/delete', new URLSearchParams({ csrf: csrfOf(listing), path: '/docs/note.html' }).toString());
    assert.equal(noticeOf(gone), 'It was deleted from the registry.');
    assert.match(gone.html, /<h2 id="listing">\/docs<\/h2>/);
    await assert.rejects(server.services.registry.read(tenant, '/docs/note.html'));
    const { events } = await server.services.audit.list(tenant.id, { event: 'registry.deleted', offset: 0, limit: 10 });
    assert.equal(events[0]?.actor, 'admin');
    assert.equal(events[0]?.reason, '/docs/note.html');
  });

  test('uploading the TOTP XML sets the TOTP settings; a bad one is refused with the parameter named', async () => {
    const page = await admin.open('/console/registry');
    const xml = '<AuthenticatorConfig name="totp" enabled="true"><Parameter name="windowSize">5</Parameter></AuthenticatorConfig>';
    const saved = await upload({ csrf: csrfOf(page), path: '/_system/governance/totp' }, { name: 'application-authentication.xml', type: 'application/xml', data: Buffer.from(xml) });
    assert.equal(noticeOf(saved), 'The resource was saved in the registry.', problemOf(saved));
    const tenant = await tenantOf(server);
    assert.equal((await server.services.totpSettings.forTenant(tenant)).windowSize, 5);
    const bad = await upload({ csrf: csrfOf(page), path: '/_system/governance/totp' }, { name: 'application-authentication.xml', type: 'application/xml', data: Buffer.from(xml.replace('windowSize', 'windowSise')) });
    assert.equal(bad.status, 400);
    assert.match(problemOf(bad), /windowSise/);
    assert.equal((await server.services.totpSettings.forTenant(tenant)).windowSize, 5, 'unchanged');
    await server.services.totpSettings.clearOverrides(tenant);
  });

  test('CSRF: an upload, a delete or a new collection without the token (or with a wrong one) is refused and changes nothing', async () => {
    const page = await admin.open('/console/registry');
    const token = csrfOf(page);
    const tenant = await tenantOf(server);
    const noToken = await upload({ path: '/' }, { name: 'forged.txt', type: 'text/plain', data: Buffer.from('x') });
    assert.equal(noToken.status, 403);
    const wrong = await upload({ csrf: `${token.slice(0, -2)}xx`, path: '/' }, { name: 'forged.txt', type: 'text/plain', data: Buffer.from('x') });
    assert.equal(wrong.status, 403);
    await assert.rejects(server.services.registry.read(tenant, '/forged.txt'));
    await server.services.registry.createCollection({ tenant, actor: (await server.services.users.find(tenant, 'admin'))!, via: 'test' }, '/keep');
    for (const body of [new URLSearchParams({ path: '/keep' }), new URLSearchParams({ csrf: 'nope', path: '/keep' })]) {
      assert.equal((await admin.postRaw('/console/registry/delete', body.toString())).status, 403);
      assert.equal((await admin.postRaw('/console/registry/collection', new URLSearchParams({ ...Object.fromEntries(body), name: 'forged' }).toString())).status, 403);
    }
    assert.equal((await server.services.registry.read(tenant, '/keep')).kind, 'collection');
    await assert.rejects(server.services.registry.read(tenant, '/forged'));
    const malformed = await admin.client.post('/console/registry/upload', { body: 'not multipart', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    assert.equal(malformed.status, 400);
    const tooBig = await upload({ csrf: token, path: '/' }, { name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(1024 * 1024 + 1) });
    assert.equal(tooBig.status, 413, 'over the registry limit: 413, nothing stored');
    await assert.rejects(server.services.registry.read(tenant, '/big.bin'));
    const twoFiles = Buffer.concat([multipart({ csrf: token, path: '/' }, { name: 'a.txt', type: 'text/plain', data: Buffer.from('a') }).subarray(0, -`--${BOUNDARY}--\r\n`.length), multipart({}, { name: 'b.txt', type: 'text/plain', data: Buffer.from('b') })]);
    const res = await admin.client.post('/console/registry/upload', { body: twoFiles, headers: { accept: 'text/html', 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    assert.equal(res.status, 413, 'one file per upload');
  });
});
