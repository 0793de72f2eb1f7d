// Enveloped XML signatures (RSA-SHA256, exclusive C14N, SHA-256 digest) on messages we build ourselves, signed
// on the element tree before it is serialized: the digest and SignedInfo are canonicalized straight from the
// tree (exc-c14n.ts) instead of serializing, re-parsing and searching the document by XPath for each signature.
// The output has the shape xml-crypto produced for us before (Signature after the Issuer, the certificate in
// KeyInfo), and SPs verify it with their own libraries (test/saml checks with @node-saml/node-saml).
import { createHash, sign } from 'node:crypto';
import { el, type XmlElement } from '../../encoding/xml.ts';
import type { SigningKey } from '../../keys/signing-key.ts';
import { ALGORITHM, NS } from '../../saml-core/constants.ts';
import { excC14n, type Namespaces } from './exc-c14n.ts';

/**
 * Signs `target` (an element with an ID whose first child is its Issuer) and inserts the ds:Signature after
 * that Issuer. `inScope` are the namespace declarations of target's ancestors. Sign inner elements first: a
 * signature covers what is inside its element when it is made.
 */
export function signElement(target: XmlElement, inScope: Namespaces, key: SigningKey): void {
  const id = target.attrs?.ID;
  const children = target.children ?? [];
  const first = children[0];
  if (!id || typeof first !== 'object' || !first.name.endsWith(':Issuer')) throw new Error(`cannot sign ${target.name}: it needs an ID and an Issuer first`);
  const digest = createHash('sha256').update(excC14n(target, inScope)).digest('base64');
  const signedInfo = el('ds:SignedInfo', {}, [
    el('ds:CanonicalizationMethod', { Algorithm: ALGORITHM.excC14n }),
    el('ds:SignatureMethod', { Algorithm: ALGORITHM.rsaSha256 }),
    el('ds:Reference', { URI: `#${id}` }, [
      el('ds:Transforms', {}, [el('ds:Transform', { Algorithm: ALGORITHM.enveloped }), el('ds:Transform', { Algorithm: ALGORITHM.excC14n })]),
      el('ds:DigestMethod', { Algorithm: ALGORITHM.sha256 }),
      el('ds:DigestValue', {}, [digest]),
    ]),
  ]);
  const value = sign('sha256', Buffer.from(excC14n(signedInfo, { ds: NS.dsig }), 'utf8'), key.privateKey).toString('base64');
  const signature = el('ds:Signature', { 'xmlns:ds': NS.dsig }, [
    signedInfo,
    el('ds:SignatureValue', {}, [value]),
    el('ds:KeyInfo', {}, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [key.certificateBase64])])]),
  ]);
  target.children = [first, signature, ...children.slice(1)];
}
