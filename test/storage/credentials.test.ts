// `[database.identity_db] username` and `password` beside a URL without them (WSO2's deployment.toml gives the
// JDBC URL and the user name as separate keys). pg lets the parsed URL's missing user win over a separate one,
// which once made every such PostgreSQL node fail to start with "no PostgreSQL user name specified".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStorage, withCredentials } from '../../src/storage/database.ts';
import { createTestDatabase, isAvailable } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';

test('withCredentials writes the user name and password into the URL, percent-encoded, and leaves it alone otherwise', () => {
  assert.equal(withCredentials('postgres://db.example:5432/ids', undefined, undefined), 'postgres://db.example:5432/ids');
  const url = new URL(withCredentials('postgres://old@db.example:5432/ids', 'wso2 user', 'p@ss:/word'));
  assert.equal(decodeURIComponent(url.username), 'wso2 user');
  assert.equal(decodeURIComponent(url.password), 'p@ss:/word');
  assert.equal(url.pathname, '/ids');
});

for (const type of ['postgres', 'mysql'] as const) {
  const available = await isAvailable(type);
  describe(`a separate user name on ${type}`, { skip: skipUnless(available, `${type} is not reachable`) }, () => {
    test('connects as that user when the URL names none, and is refused for a user that does not exist', async () => {
      const database = await createTestDatabase(type);
      try {
        const bare = new URL(database.url);
        const user = bare.username;
        bare.username = '';
        const storage = await openStorage({ type, path: '', url: bare.toString(), username: user, poolSize: 2 });
        try {
          const { rows } = await (type === 'postgres' ? sql<{ u: string }>`select current_user as u` : sql<{ u: string }>`select current_user() as u`).execute(storage.db);
          assert.match(rows[0]!.u, new RegExp(`^${user}(@|$)`));
        } finally {
          await storage.close();
        }
        await assert.rejects(openStorage({ type, path: '', url: bare.toString(), username: 'pcs_no_such_user', poolSize: 1 }), (e: Error) => /pcs_no_such_user/.test(String((e.cause as Error | undefined)?.message ?? e.message)));
      } finally {
        await database.drop();
      }
    });
  });
}
