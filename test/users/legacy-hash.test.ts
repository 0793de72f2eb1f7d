// Legacy password hashes of existing users tables. Vectors come from independent implementations: bcrypt from
// the system's libxcrypt (Python crypt.crypt), PBKDF2 and WSO2's salted SHA-256 from Python's hashlib.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bcryptHash, bcryptVerify } from '../../src/users/jdbc/bcrypt.ts';
import { hashFormat, pbkdf2Sha256, verifyStoredPassword } from '../../src/users/jdbc/legacy-hash.ts';
import { PasswordHasher } from '../../src/users/password-hash.ts';

const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

const BCRYPT_VECTORS: [string, string][] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['a', '$2b$05$m0CrhHm10qJ3lXRY.5zDGOAqUKnMTrSF75QMUJt86UyYZb08DKhIq'],
  ['abc', '$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['pässwörd €', '$2y$04$abcdefghijklmnopqrstuuKnHl.x1yQ06jW2xtQY6ynPSc7M2jr9G'],
  ['x'.repeat(80), '$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i'],
  ['hunter2', '$2b$10$0123456789abcdefghijkeZsnx6.IM7KNbXmuYml9iaemS6IPaAhu'],
];

describe('bcrypt', () => {
  test('verifies libxcrypt vectors ($2a$, $2b$, $2y$; empty, UTF-8, longer than 72 bytes, cost 10)', async () => {
    for (const [password, hash] of BCRYPT_VECTORS) {
      assert.equal(await bcryptVerify(hash, password), true, `${hash} should match`);
      assert.equal(await bcryptVerify(hash, `${password}!`), password.length >= 72, `${hash} should not match a changed password`);
    }
  });

  test('only the first 72 bytes count, as in every bcrypt', async () => {
    assert.equal(await bcryptVerify(BCRYPT_VECTORS[4]![1], 'x'.repeat(72) + 'y'), true);
  });

  test('refuses damaged hashes and costs above 14 without throwing', async () => {
    assert.equal(await bcryptVerify('$2b$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0', 'abc'), false);
    assert.equal(await bcryptVerify('$2b$31$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', 'abc'), false);
    assert.equal(await bcryptVerify('$2x$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', 'abc'), false);
  });

  test('a hash written with bcryptHash verifies', async () => {
    const hash = await bcryptHash('abc', 4);
    assert.match(hash, /^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    assert.equal(await bcryptVerify(hash, 'abc'), true);
    assert.equal(await bcryptVerify(hash, 'abd'), false);
  });
});

describe('legacy hash formats', () => {
  test('PBKDF2-SHA256 in passlib form', async () => {
    const stored = '$pbkdf2-sha256$29000$MDEyMzQ1Njc4OWFiY2RlZg$uHVoxjLD1v3uqpdY8ehNPGUYMiKj8ROQSRwMSE033NY';
    assert.equal(hashFormat(stored), 'pbkdf2-sha256');
    assert.equal(await verifyStoredPassword(hasher, stored, null, 'correct horse'), true);
    assert.equal(await verifyStoredPassword(hasher, stored, null, 'correct horse!'), false);
    assert.equal(await pbkdf2Sha256('correct horse', Buffer.from('0123456789abcdef'), 29000), stored);
    assert.equal(await verifyStoredPassword(hasher, '$pbkdf2-sha256$99999999$MDEy$uHVoxjLD1v3uqpdY8ehNPGUYMiKj8ROQSRwMSE033NY', null, 'x'), false);
  });

  test("WSO2's salted SHA-256: base64(SHA-256(password + salt text)), salt in its own column", async () => {
    const salt = 'c2FsdHNhbHRzYWx0c2FsdA==';
    assert.equal(await verifyStoredPassword(hasher, '2WpmaGj4YkXqsFAIhAnRSiWNZgIxj8WgdDgYLPIRXTI=', salt, 'wso2pass'), true);
    assert.equal(await verifyStoredPassword(hasher, '2WpmaGj4YkXqsFAIhAnRSiWNZgIxj8WgdDgYLPIRXTI=', salt, 'wso2pasS'), false);
    assert.equal(await verifyStoredPassword(hasher, '2WpmaGj4YkXqsFAIhAnRSiWNZgIxj8WgdDgYLPIRXTI=', '', 'wso2pass'), false);
    // Unsalted (StoreSaltedPassword = false): the salt column is empty.
    assert.equal(await verifyStoredPassword(hasher, 'qKGShTfwa12FeYZTfPfMTY7B5wvmHZ2W5tuJJZsDZ8o=', '', 'wso2pass'), true);
    assert.equal(await verifyStoredPassword(hasher, 'plain-text-is-not-accepted', '', 'plain-text-is-not-accepted'), false);
  });

  test('argon2id goes through the PasswordHasher', async () => {
    const stored = await hasher.hash('s3cret-pass');
    assert.equal(await verifyStoredPassword(hasher, stored, null, 's3cret-pass'), true);
    assert.equal(await verifyStoredPassword(hasher, stored, null, 's3cret-pasS'), false);
  });
});
