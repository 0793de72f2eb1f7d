import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createSelfSigned } from '../../crypto/certificates.ts';
import { AppError } from '../../errors/app-error.ts';
import { signingKeyFromPem, type SigningKey } from '../../keys/signing-key.ts';
import { buildLogoutRequest, signRoot } from './logout-messages.ts';
import { verifyPostSignature } from '../../saml-core/signature.ts';
import { parseSamlXml } from '../../saml-core/xml.ts';

let key: SigningKey;
let other: SigningKey;
let signed: string;

before(async () => {
  const [a, b] = await Promise.all([createSelfSigned({ commonName: 'a' }), createSelfSigned({ commonName: 'b' })]);
  key = signingKeyFromPem(a.certificatePem, a.privateKeyPem);
  other = signingKeyFromPem(b.certificatePem, b.privateKeyPem);
  const { xml } = buildLogoutRequest('https://idp.example/samlsso', 'https://sp.example/slo', { nameId: 'alice', nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', sessionIndex: '_s', spIssuer: 'sp' }, Date.now());
  signed = signRoot(xml, 'LogoutRequest', key);
});

const verify = (xml: string, cert = key.certificatePem) => verifyPostSignature(xml, parseSamlXml(xml), cert);
const refused = (e: unknown) => e instanceof AppError && e.code === 'SAML-40004';

test('a message signed on its root verifies, and the verified root is returned', () => {
  const root = verify(signed);
  assert.equal(root.localName, 'LogoutRequest');
  assert.equal(root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID')[0]!.textContent, 'alice');
  assert.equal(root.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').length, 0, 'the verified bytes (enveloped transform applied)');
});

test('another key, an unsigned message or a changed byte are refused', () => {
  assert.throws(() => verify(signed, other.certificatePem), refused);
  assert.throws(() => verify(signed.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')), (e: unknown) => refused(e) && /not signed/.test((e as AppError).description));
  assert.throws(() => verify(signed.replace('>alice<', '>alicf<')), refused);
});

test('signature wrapping is refused: moved, duplicated, wrapped or with a duplicate ID', () => {
  const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
  const id = /ID="([^"]+)"/.exec(signed)![1]!;
  const unsigned = signed.replace(signature, '');
  const rewrites = {
    moved: unsigned.replace('</samlp:LogoutRequest>', `<samlp:Extensions>${signature}</samlp:Extensions></samlp:LogoutRequest>`),
    twice: signed.replace('</samlp:LogoutRequest>', `${signature}</samlp:LogoutRequest>`),
    wrapped: unsigned.replace(`ID="${id}"`, 'ID="_outer"').replace('>alice<', '>mallory<').replace('</samlp:LogoutRequest>', `<samlp:Extensions>${signed}</samlp:Extensions></samlp:LogoutRequest>`),
    'duplicate ID': signed.replace('>alice<', '>mallory<').replace('</samlp:LogoutRequest>', `<samlp:Extensions><x ID="${id}"/></samlp:Extensions></samlp:LogoutRequest>`),
  };
  for (const [name, xml] of Object.entries(rewrites)) assert.throws(() => verify(xml), refused, name);
});
