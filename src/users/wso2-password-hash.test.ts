// WSO2 JDBC store hashes as kept after an import. Vectors are independent of this code: Python's hashlib
// (sha256/sha512 of password + salt text, pbkdf2_hmac with the salt text's bytes), as crypto-formats.md section 5
// describes WSO2's PasswordHashProcessor and PBKDF2HashProvider.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasswordHasher } from './password-hash.ts';
import { verifyWso2Hash, wso2DigestHash, wso2Pbkdf2Hash } from './wso2-password-hash.ts';

const SALT = 'c2FsdHNhbHRzYWx0c2FsdA==';
const SHA256 = '2WpmaGj4YkXqsFAIhAnRSiWNZgIxj8WgdDgYLPIRXTI=';
const PBKDF2_SHA256 = 'LHR5i+DlqqPqDoX3Bk3ZnhCUFaMPogSjMCIh3qO2hH4=';
const SHA512_UTF8 = 'dPhe2yi5Bx3h9wAFURS5Ru5G7S1ICXgX77qDQyPeLk81og0rJHzy19Xky2KSq2ES8YRslf0fKudWKtYu1+qlUw==';
const PBKDF2_SHA512_UTF8 = 'gAA4f4S8jQNhQzeMSwD6xNqdRUCJJPK3v1qs2cBfpZUTbuln3PZGAt6pv5AkFlQMbmIg3QxfCl7acAebWEB4dw==';

test('SHA-256 of password then salt text verifies; a wrong password or salt does not', async () => {
  assert.equal(await verifyWso2Hash(wso2DigestHash('SHA-256', SALT, SHA256), 'wso2pass'), true);
  assert.equal(await verifyWso2Hash(wso2DigestHash('SHA-256', SALT, SHA256), 'wso2pasS'), false);
  assert.equal(await verifyWso2Hash(wso2DigestHash('SHA-256', 'other', SHA256), 'wso2pass'), false);
});

test('PBKDF2-HMAC-SHA256 with the salt text as bytes, 10000 rounds, 256 bits (the provider defaults)', async () => {
  const stored = wso2Pbkdf2Hash('PBKDF2WithHmacSHA256', 10000, 32, SALT, PBKDF2_SHA256);
  assert.equal(await verifyWso2Hash(stored, 'wso2pass'), true);
  assert.equal(await verifyWso2Hash(stored, 'wso2pas'), false);
  assert.equal(await verifyWso2Hash(wso2Pbkdf2Hash('PBKDF2WithHmacSHA256', 9999, 32, SALT, PBKDF2_SHA256), 'wso2pass'), false);
});

test('non-ASCII passwords are UTF-8; a salt with "$" and "/" survives the format', async () => {
  assert.equal(await verifyWso2Hash(wso2DigestHash('SHA-512', 'XyZ+/==', SHA512_UTF8), 'pässwörd'), true);
  assert.equal(await verifyWso2Hash(wso2Pbkdf2Hash('PBKDF2WithHmacSHA512', 1000, 64, 'XyZ+/==', PBKDF2_SHA512_UTF8), 'pässwörd'), true);
  const dollar = wso2DigestHash('SHA-256', 'a$b', SHA256);
  assert.equal(dollar.split('$').length, 5);
  assert.equal(await verifyWso2Hash(dollar, 'wso2pass'), false);
});

test('damaged values and out-of-range parameters are false, never a throw', async () => {
  for (const stored of ['$wso2-digest$SHA-256$x', '$wso2-digest$SHA-3$YQ$AAAA', '$wso2-pbkdf2$PBKDF2WithHmacSHA256$0$32$YQ$AAAA', '$wso2-pbkdf2$PBKDF2WithHmacSHA256$99999999$32$YQ$AAAA', '$wso2-pbkdf2$Nope$10$32$YQ$AAAA', `$wso2-digest$SHA-256$${Buffer.from(SALT).toString('base64url')}$${SHA256.slice(0, 20)}`]) {
    assert.equal(await verifyWso2Hash(stored, 'wso2pass'), false, stored);
  }
  assert.throws(() => wso2DigestHash('SHA-3', SALT, SHA256));
});

test('PasswordHasher verifies an imported hash and wants it replaced (argon2id at the next login)', async () => {
  const hasher = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  const stored = wso2DigestHash('SHA-256', SALT, SHA256);
  assert.equal(await hasher.verify(stored, 'wso2pass'), true);
  assert.equal(await hasher.verify(stored, 'nope'), false);
  assert.equal(hasher.needsRehash(stored), true);
});
