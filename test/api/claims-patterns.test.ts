// Claim patterns through the real server: a tenant admin's regEx runs on RE2 (linear time) with a bounded
// input, so a catastrophic pattern cannot hold the event loop that every tenant shares.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { claimId } from '../../src/claims/claim-metadata.ts';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import type { TestClient } from '../support/http-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];
const BASE = '/api/server/v1/claim-dialects/local/claims';
const title = (regEx: string) => ({
  claimURI: CLAIMS.title,
  displayName: 'Title',
  regEx,
  attributeMapping: [{ mappedAttribute: 'title', userstore: 'PRIMARY' }],
});

describe('claim patterns', () => {
  let server: TestServer;
  let c: TestClient;
  const putTitle = (regEx: string) => c.request(`${BASE}/${claimId(CLAIMS.title)}`, { method: 'PUT', json: title(regEx), auth: ADMIN });
  const createUser = (userName: string, extra: Record<string, unknown>) => c.post('/scim2/Users', { json: { userName, password: 'password-1234', ...extra }, auth: ADMIN });

  before(async () => {
    server = await startTestServer();
    c = server.client();
  });
  after(async () => server?.close());

  test('a catastrophic pattern (a+)+$ is saved, and a long evil value is a quick 4xx; the server keeps serving', async () => {
    const saved = await putTitle('(a+)+$');
    assert.equal(saved.status, 200, saved.text);
    const evil = await createUser('evil1', { title: `${'a'.repeat(5000)}!` });
    assert.equal(evil.status, 400, evil.text);
    assert.equal(evil.json<{ code: string }>().code, 'CLM-40004');
    // Under the length bound, the value is matched, in linear time, and does not match.
    const nearly = await createUser('evil2', { title: `${'a'.repeat(1000)}!` });
    assert.equal(nearly.status, 400, nearly.text);
    assert.equal(nearly.json<{ code: string }>().code, 'CLM-40001');
    assert.equal((await createUser('fine', { title: 'aaaa' })).status, 201);
    assert.equal((await c.get('/health')).status, 200);
  });

  test('patterns RE2 cannot run (backreferences, lookaround, too large) are refused when saved, with the reason', async () => {
    const cases: [string, RegExp][] = [
      ['^(a)\\1$', /backreferences and lookaround/],
      ['^(?=.*\\d).+$', /backreferences and lookaround/],
      ['^[a-z]{1,1000}$', /repetition count/],
      ['\\p{L}{1,100}', /too large/],
    ];
    for (const [regEx, reason] of cases) {
      const r = await putTitle(regEx);
      assert.equal(r.status, 400, regEx);
      const body = r.json<{ code: string; description: string }>();
      assert.equal(body.code, 'CLM-40003', regEx);
      assert.match(body.description, reason, regEx);
    }
    const current = await c.get(`${BASE}/${claimId(CLAIMS.title)}`, { auth: ADMIN });
    assert.equal(current.json<{ regEx?: string }>().regEx, '(a+)+$', 'refused patterns changed nothing');
  });

  test('the shipped email pattern still checks email addresses', async () => {
    assert.equal((await createUser('mailok', { emails: [{ value: 'bob@example.com', primary: true }] })).status, 201);
    const bad = await createUser('mailbad', { emails: [{ value: 'not an email', primary: true }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json<{ code: string }>().code, 'CLM-40001');
  });

  test('a claim id that is not strict base64url names no claim (404, not a decoded near-miss)', async () => {
    const id = claimId(CLAIMS.title);
    assert.equal((await c.get(`${BASE}/${id}`, { auth: ADMIN })).status, 200);
    for (const bad of [`${id}*`, `${id}=`, `${id}%25`, 'A']) {
      const r = await c.get(`${BASE}/${bad}`, { auth: ADMIN });
      assert.equal(r.status, 404, bad);
      assert.equal(r.json<{ code: string }>().code, 'CLM-40401', bad);
    }
  });
});
