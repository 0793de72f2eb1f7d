// Migration 009 moves secrets written as WSO2 claims (identity_claims rows secretkey / verifySecretkey /
// encoding, encrypted with the claim binding) into totp_credentials without decrypting them: a user enrolled
// before the migration still logs in with the same authenticator app afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestDatabase, isAvailable, type TestDatabase } from '../support/databases.ts';
import { skipUnless } from '../support/services.ts';
import * as OTPAuth from 'otpauth';
import { sql } from 'kysely';
import { CLAIMS } from '../../src/claims/local-claims.ts';
import { secretAad } from '../../src/claims/secret-claims.ts';
import { claimOf, createUser, setMyAccountSteps } from '../support/fixtures.ts';
import { awayFromStepEdge, codeAt, LoginBrowser } from '../support/login-browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

for (const type of ['sqlite', 'postgres'] as const) {
  const available = await isAvailable(type);
  test(`${type}: a user enrolled as claims before migration 009 logs in after it with the same app`, { skip: skipUnless(available, `${type} is not reachable`) }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pcs-m009-'));
    const database: TestDatabase | undefined = type === 'sqlite' ? undefined : await createTestDatabase(type);
    let server: TestServer | undefined;
    try {
      server = await startTestServer({ dataDir, ...(database ? { database } : {}) });
      await setMyAccountSteps(server, [['BasicAuthenticator'], ['totp']]);
      const { user, username, password } = await createUser(server);
      const pendingUser = await createUser(server);
      const app = new OTPAuth.TOTP({ secret: new OTPAuth.Secret({ size: 20 }) });
      const { db } = server.services.storage;
      const keyring = server.services.keyring;
      // The database as a server before 009 left it: the secrets as encrypted claim rows, bound to user and claim.
      // Later migrations are undone too (they run again after 009, in order): 010 made the registry's table, 011
      // the user store definitions, 012 a column of totp_credentials (dropped with it), 014 the OIDC models, 015 the identity providers, 016 the import origins, 017 the SAML assertion IDs.
      await db.schema.dropTable('totp_credentials').execute();
      await db.schema.dropTable('registry_resources').ifExists().execute();
      await db.schema.dropTable('user_store_definitions').ifExists().execute();
      await db.schema.dropTable('oidc_models').ifExists().execute();
      await db.schema.dropTable('import_origins').ifExists().execute();
      await db.schema.dropTable('identity_providers').ifExists().execute();
      await db.schema.dropTable('federated_associations').ifExists().execute();
      await db.schema.dropTable('saml_assertion_ids').ifExists().execute();
      await sql`DELETE FROM portcullis_migrations WHERE name >= '009-totp-credentials'`.execute(db);
      const legacy = (u: typeof user, uri: string, value: string) => ({ tenant_id: u.tenantId, user_id: u.id, claim_uri: uri, value });
      await db
        .insertInto('identity_claims')
        .values([
          legacy(user, CLAIMS.secretKey, keyring.encrypt(app.secret.base32, secretAad(user, CLAIMS.secretKey))),
          legacy(user, CLAIMS.encoding, 'Base32'),
          legacy(user, CLAIMS.totpEnabled, 'true'),
          legacy(pendingUser.user, CLAIMS.verifySecretKey, keyring.encrypt('KRSXG5CTMVRXEZLU', secretAad(pendingUser.user, CLAIMS.verifySecretKey))),
        ])
        .execute();
      await server.close();
      server = undefined;

      server = await startTestServer({ dataDir, ...(database ? { database } : {}) });
      const rows = await server.services.storage.db.selectFrom('totp_credentials').selectAll().orderBy('status').execute();
      const num = (v: unknown) => (v === null ? null : Number(v));
      assert.deepEqual(
        rows.map((r) => [r.user_id, r.status, r.encoding, r.algorithm, num(r.digits), num(r.period)]),
        [
          [user.id, 'active', 'Base32', null, null, null],
          [pendingUser.user.id, 'pending', null, null, null, null],
        ],
        'moved with no stored parameters: the tenant settings apply, as before',
      );
      const left = await server.services.storage.db.selectFrom('identity_claims').select('claim_uri').where('user_id', '=', user.id).execute();
      assert.deepEqual(left.map((r) => r.claim_uri), [CLAIMS.totpEnabled], 'the secret and encoding rows moved; totpEnabled stays a claim');
      assert.equal(await claimOf(server, user, CLAIMS.secretKey), app.secret.base32, 'still readable as the secretkey claim');
      assert.equal(await claimOf(server, user, CLAIMS.encoding), 'Base32');
      assert.equal(await claimOf(server, pendingUser.user, CLAIMS.verifySecretKey), 'KRSXG5CTMVRXEZLU');

      const browser = new LoginBrowser(server.client());
      const codePage = await browser.login(await browser.open('/myaccount'), username, password);
      assert.equal(codePage.name, 'totp.do', 'enrolled: the code page, not enrolment');
      await awayFromStepEdge(30);
      assert.equal((await browser.submit(codePage, { token: codeAt(app) })).name, 'myaccount');
    } finally {
      await server?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
