// SCIM list reads a page of users with a fixed number of statements, however many users the page holds: no
// query per user (docs/performance.md). Counted with the storage's statement counter, not timed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { createUser } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADMIN: [string, string] = ['admin', 'admin'];

let server: TestServer;
before(async () => {
  server = await startTestServer({ toml: '[housekeeping]\ninterval = 86400\n' });
});
after(async () => server?.close());

async function listStatements(prefix: string, count: number): Promise<{ statements: number; resources: Record<string, unknown>[] }> {
  const client = server.client();
  // Warm the admin's own caches first, so both lists are counted alike.
  await client.get('/scim2/Users?count=0', { auth: ADMIN });
  const before = server.services.storage.statementCount();
  const res = await client.get(`/scim2/Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}&count=${count}`, { auth: ADMIN });
  const statements = server.services.storage.statementCount() - before;
  assert.equal(res.status, 200, res.text);
  return { statements, resources: res.json<{ Resources: Record<string, unknown>[] }>().Resources };
}

test('SCIM list: the statements for a page of users do not grow with the number of users', async () => {
  for (let i = 0; i < 3; i++) await createUser(server, { prefix: 'few', email: `few${i}@example.com`, givenName: `Few${i}` });
  for (let i = 0; i < 12; i++) await createUser(server, { prefix: 'many', email: `many${i}@example.com`, givenName: `Many${i}` });
  const locked = (await server.services.users.list(await server.services.tenants.requireActive('carbon.super'), { offset: 0, limit: 100 })).users.find((u) => u.username.startsWith('many-'))!;
  await server.services.claimValues.set(locked, { [CLAIMS.accountLocked]: 'true' });

  const few = await listStatements('few-', 100);
  const many = await listStatements('many-', 100);
  assert.equal(few.resources.length, 3);
  assert.equal(many.resources.length, 12);
  // Each resource still carries its own user's values.
  for (const r of many.resources) {
    const n = /^many-/.test(String(r.userName));
    assert.ok(n, String(r.userName));
    const emails = r.emails as { value: string }[];
    assert.match(emails[0]!.value, /^many\d+@example\.com$/);
  }
  const lockedResource = many.resources.find((r) => r.id === locked.id)!;
  assert.equal((lockedResource['urn:scim:wso2:schema'] as Record<string, unknown>).accountLocked, true);
  assert.equal(many.resources.filter((r) => (r['urn:scim:wso2:schema'] as Record<string, unknown> | undefined)?.accountLocked === true).length, 1);
  assert.equal(many.statements, few.statements, `3 users: ${few.statements} statements, 12 users: ${many.statements}`);
});
