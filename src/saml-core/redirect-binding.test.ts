import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { before, test } from 'node:test';
import { createSelfSigned } from '../crypto/certificates.ts';
import { AppError } from '../errors/app-error.ts';
import { signingKeyFromPem, type SigningKey } from '../keys/signing-key.ts';
import { decodeMessage, parseRedirectQuery, redirectUrl, signedOctets } from './redirect-binding.ts';
import { verifyQuerySignature } from './signature.ts';

let key: SigningKey;
before(async () => {
  const pair = await createSelfSigned({ commonName: 'unit' });
  key = signingKeyFromPem(pair.certificatePem, pair.privateKeyPem);
});

test('the query is split without normalising: signed octets are rebuilt exactly as received', () => {
  const url = '/samlsso?foo=1&SAMLRequest=ab%2Bc%2f%3D&RelayState=a+b%20c&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature=c2ln';
  const params = parseRedirectQuery(url);
  assert.equal(params.get('SAMLRequest')!.value, 'ab+c/=');
  assert.equal(params.get('RelayState')!.value, 'a b c');
  assert.equal(params.get('SigAlg')!.value, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  assert.equal(signedOctets(params, 'SAMLRequest'), 'SAMLRequest=ab%2Bc%2f%3D&RelayState=a+b%20c&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256');
  assert.equal(parseRedirectQuery('/samlsso?SAMLRequest=a+b').get('SAMLRequest')!.value, 'a+b', "a Base64 '+' left unencoded stays '+'");
  assert.throws(() => parseRedirectQuery('/x?SAMLRequest=a&SAMLRequest=b'), (e: unknown) => e instanceof AppError && /repeats/.test(e.description));
  assert.throws(() => parseRedirectQuery('/x?RelayState=%E0%A4%A'), (e: unknown) => e instanceof AppError && e.code === 'SAML-40001');
});

test('our Redirect URLs carry a signature over exactly what they send, which verifies', () => {
  const url = redirectUrl('https://sp.example/slo?x=1', 'SAMLResponse', '<r/>', 'state with spaces & more', key);
  assert.match(url, /^https:\/\/sp\.example\/slo\?x=1&SAMLResponse=/);
  const params = parseRedirectQuery(url);
  assert.equal(params.get('RelayState')!.value, 'state with spaces & more');
  assert.equal(decodeMessage(params.get('SAMLResponse')!.value), '<r/>');
  verifyQuerySignature(signedOctets(params, 'SAMLResponse'), params.get('SigAlg')!.value, params.get('Signature')!.value, key.certificatePem);
  const tampered = parseRedirectQuery(url.replace('RelayState=state', 'RelayState=statf'));
  assert.throws(() => verifyQuerySignature(signedOctets(tampered, 'SAMLResponse'), params.get('SigAlg')!.value, params.get('Signature')!.value, key.certificatePem), (e: unknown) => e instanceof AppError && e.code === 'SAML-40004');
  assert.throws(() => verifyQuerySignature('x', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'AAAA', key.certificatePem), (e: unknown) => e instanceof AppError && /algorithm/.test(e.description));
});

test('decoding bounds the inflated size and accepts plain XML as well as DEFLATE', () => {
  const bomb = deflateRawSync(Buffer.alloc(10_000_000, 32)).toString('base64');
  assert.throws(() => decodeMessage(bomb), (e: unknown) => e instanceof AppError && e.code === 'SAML-41301');
  assert.equal(decodeMessage(Buffer.from('<a/>').toString('base64')), '<a/>');
  assert.equal(decodeMessage(deflateRawSync(Buffer.from('<a/>')).toString('base64')), '<a/>');
  assert.throws(() => decodeMessage('***'), (e: unknown) => e instanceof AppError && /Base64/.test(e.description));
  assert.throws(() => decodeMessage(Buffer.from('not deflate').toString('base64')), (e: unknown) => e instanceof AppError && /DEFLATE/.test(e.description));
});
