// Our canonical form, written from the tree, must be what a verifier computes from the serialized bytes: checked
// against xml-crypto's own exclusive canonicalizer on the parsed document, for ugly values (markup, quotes,
// \r, \t, \n, characters XML cannot carry, astral ones); and signatures made on the tree verify with xml-crypto.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { SignedXml } from 'xml-crypto';
import { ExclusiveCanonicalization } from 'xml-crypto/lib/exclusive-canonicalization.js';
import { createSelfSigned } from '../../crypto/certificates.ts';
import { el, serialize, type XmlElement } from '../../encoding/xml.ts';
import { signingKeyFromPem, type SigningKey } from '../../keys/signing-key.ts';
import { NS } from '../../saml-core/constants.ts';
import { declaredNamespaces, excC14n } from './exc-c14n.ts';
import { signElement } from './tree-signature.ts';
import { parseSamlXml } from '../../saml-core/xml.ts';

let key: SigningKey;
before(async () => {
  const pair = await createSelfSigned({ commonName: 'c14n' });
  key = signingKeyFromPem(pair.certificatePem, pair.privateKeyPem);
});

const ugly = fc.string({ unit: fc.constantFrom('a', 'Z', '&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', '\u0001', '\uFFFE', 'é', '😀', '\r\n', ']]>') });

function message(text: string, value: string): { root: XmlElement; inner: XmlElement } {
  const inner = el('saml:Assertion', { ID: '_a', Version: '2.0', zeta: value, Alpha: value, 'xsi:type': 'x' }, [
    el('saml:Issuer', {}, ['idp']),
    el('saml:Subject', {}, [el('saml:NameID', { Format: value }, [text]), el('saml:Empty'), el('saml:Blank', {}, [''])]),
    el('samlp:Extension', { 'xmlns:samlp': NS.protocol }, [text]),
  ]);
  const root = el('samlp:Response', { 'xmlns:samlp': NS.protocol, 'xmlns:saml': NS.assertion, 'xmlns:xsi': NS.xsi, ID: '_r', Destination: value }, [el('saml:Issuer', {}, ['idp']), inner]);
  return { root, inner };
}

function theirs(xml: string, local: string): string {
  const doc = parseSamlXml(xml);
  const node = local === 'Response' ? doc.documentElement! : doc.getElementsByTagNameNS(NS.assertion, local)[0]!;
  return new ExclusiveCanonicalization().process(node, {}).toString();
}

test('exc-c14n from the tree equals xml-crypto canonicalizing the parsed document', () => {
  fc.assert(
    fc.property(ugly, ugly, (text, value) => {
      const { root, inner } = message(text, value);
      const xml = serialize(root);
      assert.equal(excC14n(root), theirs(xml, 'Response'));
      assert.equal(excC14n(inner, declaredNamespaces(root)), theirs(xml, 'Assertion'));
    }),
    { numRuns: 300 },
  );
});

test('signatures made on the tree (inner, then outer) verify with xml-crypto, and fail after a change', () => {
  fc.assert(
    fc.property(ugly, ugly, (text, value) => {
      const { root, inner } = message(text, value);
      signElement(inner, declaredNamespaces(root), key);
      signElement(root, {}, key);
      const xml = serialize(root);
      const doc = parseSamlXml(xml);
      for (const signature of Array.from(doc.getElementsByTagNameNS(NS.dsig, 'Signature'))) {
        const verifier = new SignedXml({ publicCert: key.certificatePem, getCertFromKeyInfo: () => null });
        verifier.loadSignature(signature);
        assert.equal(verifier.checkSignature(xml), true);
      }
      const changed = xml.replace('>idp<', '>idq<');
      const verifier = new SignedXml({ publicCert: key.certificatePem, getCertFromKeyInfo: () => null });
      verifier.loadSignature(parseSamlXml(changed).getElementsByTagNameNS(NS.dsig, 'Signature')[0]!);
      assert.equal(verifier.checkSignature(changed), false);
    }),
    { numRuns: 40 },
  );
});
