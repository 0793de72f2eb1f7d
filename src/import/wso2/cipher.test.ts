// Decrypting WSO2's stored values, produced by test/import/wso2-crypto.ts from the documented algorithms: AES-GCM
// with 16- and 128-byte IVs and both key readings, a keyId naming the key, RSA-OAEP by certificate thumbprint
// from a PKCS#12 keystore or a PEM key, the legacy raw PKCS#1 v1.5 value; and the refusals, none quoting a value.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { makeKeystore, STOCK_KEY, wso2AesGcm, wso2RsaLegacy, wso2RsaOaep } from '../../../test/import/wso2-crypto.ts';
import { aesKeyFromText, decryptWso2, Wso2CipherError } from './cipher.ts';
import { keysFromPem, keysFromPkcs12, KeystoreError } from './keystore.ts';

const SECRET = 'JBSWY3DPEHPK3PXP';
const stock = aesKeyFromText(STOCK_KEY);
const text = (b: Buffer) => b.toString('utf8');

describe('symmetric (IS 5.11+)', () => {
  test('the stock key is its 32 ASCII bytes, not 16 hex-decoded ones; 64 hex characters are hex (IS 7.1)', () => {
    assert.equal(stock.length, 32);
    assert.deepEqual(stock, Buffer.from(STOCK_KEY, 'utf8'));
    const hex = randomBytes(32).toString('hex');
    assert.deepEqual(aesKeyFromText(hex), Buffer.from(hex, 'hex'));
    assert.throws(() => aesKeyFromText('short'), Wso2CipherError);
  });

  test('AES-GCM with the 16-byte IV of IS 5.11 and the 128-byte IV of IS 6.0+', () => {
    assert.equal(text(decryptWso2(wso2AesGcm(SECRET, STOCK_KEY, { ivLength: 16 }), { aes: [stock], rsa: [] })), SECRET);
    assert.equal(text(decryptWso2(wso2AesGcm(SECRET, STOCK_KEY, { ivLength: 128 }), { aes: [stock], rsa: [] })), SECRET);
  });

  test('with several keys (totpKey, key, old_key) the one that opens the value is used; a keyId picks it first', () => {
    const hex = randomBytes(32).toString('hex');
    const keys = { aes: [aesKeyFromText(hex), stock], rsa: [] };
    assert.equal(text(decryptWso2(wso2AesGcm(SECRET, STOCK_KEY), keys)), SECRET);
    assert.equal(text(decryptWso2(wso2AesGcm(SECRET, hex, { keyId: true }), keys)), SECRET);
  });

  test('the wrong key, a tampered value and a missing key are refused without quoting the value', () => {
    const stored = wso2AesGcm(SECRET, STOCK_KEY);
    assert.throws(() => decryptWso2(stored, { aes: [randomBytes(32)], rsa: [] }), (e: Error) => e instanceof Wso2CipherError && /no given symmetric key/.test(e.message) && !e.message.includes(stored));
    assert.throws(() => decryptWso2(stored, { aes: [], rsa: [] }), /no symmetric key was given/);
    const outer = JSON.parse(Buffer.from(stored, 'base64').toString()) as { c: string };
    const inner = JSON.parse(Buffer.from(outer.c, 'base64').toString()) as { cipher: string };
    const sealed = Buffer.from(inner.cipher, 'base64');
    sealed[0]! ^= 1;
    const tampered = Buffer.from(JSON.stringify({ ...outer, c: Buffer.from(JSON.stringify({ ...inner, cipher: sealed.toString('base64') })).toString('base64') })).toString('base64');
    assert.throws(() => decryptWso2(tampered, { aes: [stock], rsa: [] }), Wso2CipherError);
    assert.throws(() => decryptWso2('not base64 at all!', { aes: [stock], rsa: [] }), Wso2CipherError);
  });
});

describe('asymmetric (up to IS 5.10, or kept on later)', () => {
  const keystore = makeKeystore('s3cret-store');

  test('RSA-OAEP (SHA-1) from a PKCS#12 keystore, found by the certificate thumbprint', () => {
    const keys = keysFromPkcs12(keystore.p12, 's3cret-store');
    assert.deepEqual(keys.map((k) => k.thumbprint), [keystore.thumbprint]);
    const stored = wso2RsaOaep(SECRET, keystore);
    assert.match(Buffer.from(stored, 'base64').toString(), /\\u003d/, "Gson's HTML-safe escaping is in the value");
    assert.equal(text(decryptWso2(stored, { aes: [], rsa: keys })), SECRET);
  });

  test('a wrong keystore password is refused plainly; another certificate is named as the problem', () => {
    assert.throws(() => keysFromPkcs12(keystore.p12, 'wrong'), KeystoreError);
    const other = makeKeystore();
    assert.throws(() => decryptWso2(wso2RsaOaep(SECRET, keystore), { aes: [], rsa: keysFromPkcs12(other.p12, 'wso2carbon') }), /thumbprint does not match/);
  });

  test('a PEM key with its certificate has the thumbprint; without it the key is tried for every value', () => {
    assert.equal(keysFromPem(keystore.privateKeyPem, keystore.certificatePem)[0]!.thumbprint, keystore.thumbprint);
    const bare = keysFromPem(keystore.privateKeyPem);
    assert.equal(bare[0]!.thumbprint, '');
    assert.equal(text(decryptWso2(wso2RsaOaep(SECRET, keystore), { aes: [], rsa: bare })), SECRET);
  });

  test('a legacy value (raw PKCS#1 v1.5, no JSON) decrypts with the keystore key', () => {
    assert.equal(text(decryptWso2(wso2RsaLegacy(SECRET, keystore), { aes: [], rsa: keysFromPkcs12(keystore.p12, 's3cret-store') })), SECRET);
    assert.throws(() => decryptWso2(wso2RsaLegacy(SECRET, keystore), { aes: [stock], rsa: [] }), /no keystore or private key was given/);
  });
});
