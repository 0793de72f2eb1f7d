// What the sample knows about its identity provider comes only from the IdP's published SAML metadata
// (SAML 2.0 Metadata, saml-metadata-2.0-os): its entity id, where to send requests, and every signing
// certificate, so that a key rotation (old and new key both published) keeps working without a restart.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { parseXml } from './xml.ts';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
export const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface IdpMetadata {
  entityId: string;
  /** SingleSignOnService locations by binding URI. */
  sso: Map<string, string>;
  /** SingleLogoutService endpoints by binding URI: requests go to location, responses to responseLocation if set. */
  slo: Map<string, { location: string; responseLocation: string | undefined }>;
  /** Base64 DER of every certificate with use="signing" or no use (which means both, section 2.4.1.1). */
  signingCertificates: string[];
}

const MAX_BYTES = 1024 * 1024;

/** GETs the metadata document; `ca` is the PEM to trust for a self-signed development certificate. */
export function fetchText(url: string, ca: string | undefined): Promise<string> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'GET', headers: { accept: 'application/samlmetadata+xml, application/xml' }, timeout: 10_000, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) req.destroy(new Error('the metadata document is larger than 1 MiB'));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`the metadata URL answered HTTP ${res.statusCode ?? 0}`));
        else resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('the metadata URL did not answer within 10 seconds')));
    req.on('error', reject);
    req.end();
  });
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  const root = parseXml(xml)?.documentElement;
  if (!root) throw new Error('the metadata is not well-formed XML');
  if (root.namespaceURI !== MD || root.localName !== 'EntityDescriptor') throw new Error('the metadata has no EntityDescriptor');
  const entityId = root.getAttribute('entityID') ?? '';
  const idp = childrenNS(root, MD, 'IDPSSODescriptor')[0];
  if (!entityId || !idp) throw new Error('the metadata has no entityID or no IDPSSODescriptor');
  const services = (name: string) => childrenNS(idp, MD, name).map((e) => ({ binding: e.getAttribute('Binding') ?? '', location: e.getAttribute('Location') ?? '', response: e.getAttribute('ResponseLocation') || undefined }));
  const sso = new Map(services('SingleSignOnService').map((s) => [s.binding, s.location]));
  const slo = new Map(services('SingleLogoutService').map((s) => [s.binding, { location: s.location, responseLocation: s.response }]));
  const signingCertificates: string[] = [];
  for (const kd of childrenNS(idp, MD, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of Array.from(kd.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      const b64 = (cert.textContent ?? '').replace(/\s+/g, '');
      if (b64 && !signingCertificates.includes(b64)) signingCertificates.push(b64);
    }
  }
  if (signingCertificates.length === 0) throw new Error('the metadata lists no signing certificate');
  return { entityId, sso, slo, signingCertificates };
}

function childrenNS(parent: Element, ns: string, name: string): Element[] {
  return Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name);
}

export async function loadIdpMetadata(url: string, ca: string | undefined): Promise<IdpMetadata> {
  return parseIdpMetadata(await fetchText(url, ca));
}
