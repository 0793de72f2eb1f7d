// XML and query-string signatures, for both SAML sides: we sign with RSA-SHA256 and exclusive C14N; the IdP
// side verifies requests from applications that require signing, the upstream SAML authenticator verifies the
// Responses and Assertions of an upstream IdP. Verification is hardened against signature wrapping (XSW): the
// signature is a direct child of the element it signs, with exactly one Reference whose URI is `#` + that
// element's ID (an ID no other element of the message carries), only the enveloped and exc-C14N transforms,
// SHA-256/512 only (SHA-1 refused), and the fields are then read from the XML xml-crypto verified
// (getSignedReferences), never from the original DOM.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type * as XmlCrypto from 'xml-crypto';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { lazyRequire } from '../cache/lazy-module.ts';
import { AppError } from '../errors/app-error.ts';
import { systemClock } from '../time/clock.ts';
import { decodeBase64 } from '../encoding/decode.ts';
import { ACCEPTED_DIGEST_ALGORITHMS, ACCEPTED_SIGNATURE_ALGORITHMS, ALGORITHM, NS } from './constants.ts';
import { isElement, parseSamlXml } from './xml.ts';

// Loaded by the first signature made or checked (with xpath and @xmldom/xmldom), not at start.
const xmlCrypto = lazyRequire<typeof XmlCrypto>('xml-crypto');

/** The key material that signs (keys/signing-key.ts's SigningKey has these fields; this folder may not import keys/). */
export interface SigningKey {
  privateKey: KeyObject;
  certificatePem: string;
  /** Base64 DER of the certificate, as KeyInfo carries it. */
  certificateBase64: string;
}

export interface SignatureLocation {
  /** XPath of the element the Signature goes after (its Issuer) or into (prepend). */
  reference: string;
  action: 'after' | 'prepend';
}

/** Signs the element `target` (an XPath) with an enveloped signature carrying our certificate in KeyInfo. */
export function signEnveloped(xml: string, key: SigningKey, target: string, location: SignatureLocation): string {
  const sig = new (xmlCrypto().SignedXml)({
    privateKey: key.privateKey,
    publicCert: key.certificatePem,
    signatureAlgorithm: ALGORITHM.rsaSha256,
    canonicalizationAlgorithm: ALGORITHM.excC14n,
  });
  sig.addReference({ xpath: target, transforms: [ALGORITHM.enveloped, ALGORITHM.excC14n], digestAlgorithm: ALGORITHM.sha256 });
  sig.computeSignature(xml, { prefix: 'ds', location });
  return sig.getSignedXml();
}

/** XPath helpers for signing SAML messages: the Signature follows the Issuer (SAML core 3.2.1, 2.3.3). */
export const xpathOf = {
  root: (name: string) => `/*[local-name(.)='${name}']`,
  rootIssuer: (name: string) => `/*[local-name(.)='${name}']/*[local-name(.)='Issuer']`,
};

function refused(description: string): AppError {
  return new AppError('SAML-40004', { description });
}

function countIds(node: Element, id: string): number {
  let n = ['ID', 'Id', 'id'].some((a) => node.getAttribute(a) === id) ? 1 : 0;
  for (const child of Array.from(node.childNodes)) if (isElement(child)) n += countIds(child, id);
  return n;
}

/**
 * Verifies the enveloped signature of a POST-binding message's root with the application's certificate and
 * returns the root element re-parsed from the verified bytes. Throws SAML-40004 otherwise.
 */
export function verifyPostSignature(xml: string, doc: Document, certificatePem: string): Element {
  const root = doc.documentElement!;
  const signatures = Array.from(doc.getElementsByTagNameNS(NS.dsig, 'Signature'));
  if (signatures.length === 0) throw refused('The message is not signed.');
  if (signatures.length !== 1 || signatures[0]!.parentNode !== root) throw refused('The message must carry exactly one signature, on its root element.');
  return verifySignedElement(xml, doc, root, [certificatePem]);
}

/** The ds:Signature children of an element (its own enveloped signature, if any). */
export function signaturesOf(element: Element): Element[] {
  return Array.from(element.childNodes).filter((n): n is Element => isElement(n) && n.namespaceURI === NS.dsig && n.localName === 'Signature');
}

/**
 * Verifies the enveloped signature that is a direct child of `target` (an element of `doc`, parsed from `xml`)
 * with one of `certificates` (PEM; more than one during a key rollover), and returns `target` re-parsed from
 * the bytes the signature covers: read the message from that, never from `doc`. Throws SAML-40004 otherwise.
 */
export function verifySignedElement(xml: string, doc: Document, target: Element, certificates: readonly string[]): Element {
  const own = signaturesOf(target);
  if (own.length === 0) throw refused(`The ${target.localName} is not signed.`);
  if (own.length !== 1) throw refused(`The ${target.localName} must carry exactly one signature.`);
  const id = target.getAttribute('ID');
  if (!id || countIds(doc.documentElement!, id) !== 1) throw refused('The signed element must have an ID that no other element carries.');
  let failure: AppError = refused('The signature does not verify with the registered certificate.');
  for (const certificatePem of certificates) {
    try {
      return verifyWith(xml, own[0]!, target, id, certificatePem);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      failure = err;
    }
  }
  throw failure;
}

function verifyWith(xml: string, signature: Element, target: Element, id: string, certificatePem: string): Element {
  const sig = new (xmlCrypto().SignedXml)({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
  // Only the algorithms we accept are known to this verifier, so xml-crypto itself refuses the others.
  sig.SignatureAlgorithms = Object.fromEntries(Object.entries(sig.SignatureAlgorithms).filter(([uri]) => uri in ACCEPTED_SIGNATURE_ALGORITHMS));
  sig.HashAlgorithms = Object.fromEntries(Object.entries(sig.HashAlgorithms).filter(([uri]) => ACCEPTED_DIGEST_ALGORITHMS.includes(uri)));
  let valid: boolean;
  try {
    sig.loadSignature(signature);
    if (!sig.signatureAlgorithm || !(sig.signatureAlgorithm in ACCEPTED_SIGNATURE_ALGORITHMS)) throw refused('The signature algorithm is not accepted (RSA-SHA256 or RSA-SHA512).');
    valid = sig.checkSignature(xml);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw refused('The signature does not verify with the registered certificate.');
  }
  // The references checked are those of the now-verified SignedInfo.
  const refs = sig.getReferences();
  const ref = refs[0];
  if (!valid) throw refused('The signature does not verify with the registered certificate (or the signed content was changed).');
  if (refs.length !== 1 || !ref || ref.uri !== `#${id}`) throw refused('The signature must cover the whole message (one Reference to the root ID).');
  if (!ACCEPTED_DIGEST_ALGORITHMS.includes(ref.digestAlgorithm)) throw refused('The digest algorithm is not accepted (SHA-256 or SHA-512).');
  if (ref.transforms.some((t) => t !== ALGORITHM.enveloped && t !== ALGORITHM.excC14n)) throw refused('Only the enveloped-signature and exclusive C14N transforms are accepted.');
  const signed = sig.getSignedReferences();
  if (signed.length !== 1) throw refused('The signature must cover the whole message.');
  const verified = parseSamlXml(signed[0]!).documentElement!;
  if (verified.namespaceURI !== target.namespaceURI || verified.localName !== target.localName || verified.getAttribute('ID') !== id) {
    throw refused('The signed content is not the message.');
  }
  return verified;
}

// A registered certificate is parsed once, not at every signed request (PEM and X.509 parsing was ~3% of a SAML
// login); keyed by the PEM text, so a changed certificate is a new entry, and bounded.
const publicKeys = new BoundedCache<string, KeyObject>({ max: 1000, ttlMs: 60 * 60_000, clock: systemClock });
const publicKeyOf = (certificatePem: string): KeyObject => publicKeys.getSync(certificatePem, () => createPublicKey(certificatePem));

/**
 * HTTP-Redirect signatures (SAML bindings 3.4.4.1): the signature covers the octets
 * `SAMLRequest=v&RelayState=v&SigAlg=v` (or SAMLResponse), each value exactly as URL-encoded on the wire.
 */
export function verifyQuerySignature(signedOctets: string, sigAlg: string | undefined, signatureBase64: string | undefined, certificatePem: string): void {
  if (sigAlg === undefined || signatureBase64 === undefined) throw refused('The message is not signed.');
  const hash = ACCEPTED_SIGNATURE_ALGORITHMS[sigAlg];
  if (!hash) throw refused('The signature algorithm is not accepted (RSA-SHA256 or RSA-SHA512).');
  let ok: boolean;
  try {
    // Strict Base64: Buffer.from would skip junk, so many different strings would carry the same signature.
    ok = verify(hash, Buffer.from(signedOctets, 'utf8'), publicKeyOf(certificatePem), decodeBase64(signatureBase64, { ignoreWhitespace: true }));
  } catch {
    ok = false;
  }
  if (!ok) throw refused('The signature does not verify with the registered certificate.');
}

/** Appends SigAlg and Signature (RSA-SHA256) to an already URL-encoded `SAMLx=..[&RelayState=..]`. */
export function signQuery(encoded: string, key: SigningKey): string {
  const withAlg = `${encoded}&SigAlg=${encodeURIComponent(ALGORITHM.rsaSha256)}`;
  const signature = sign('sha256', Buffer.from(withAlg, 'utf8'), key.privateKey).toString('base64');
  return `${withAlg}&Signature=${encodeURIComponent(signature)}`;
}
