// This tenant's service-provider metadata for one upstream SAML IdP (SAML metadata 2.4.4): what the upstream's
// admin registers. The entity ID is the provider's SPEntityId, the Assertion Consumer Service is this tenant's
// /commonauth (HTTP-POST binding, as WSO2), the signing certificates are the tenant's published SAML keys (the
// active one signs AuthnRequests; retired ones stay listed through their grace period), and the NameID format
// is the one asked for. Not signed: the upstream's admin fetches it over HTTPS with the tenant admin's credentials.
import { BINDING, NS } from '../../saml-core/constants.ts';
import { el, serialize } from '../../saml-core/xml.ts';
import type { SamlUpstream } from '../../identity-providers/identity-provider.ts';

export function buildSpMetadata(upstream: SamlUpstream, acs: string, certificatesBase64: readonly string[]): string {
  const keys = certificatesBase64.map((c) =>
    el('md:KeyDescriptor', { use: 'signing' }, [el('ds:KeyInfo', { 'xmlns:ds': NS.dsig }, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [c])])])]),
  );
  // Schema order: KeyDescriptor, NameIDFormat (SSODescriptorType), then AssertionConsumerService.
  const doc = el('md:EntityDescriptor', { 'xmlns:md': NS.metadata, entityID: upstream.spEntityId }, [
    el('md:SPSSODescriptor', { AuthnRequestsSigned: String(upstream.signAuthnRequest), WantAssertionsSigned: String(upstream.requireSignedAssertion), protocolSupportEnumeration: NS.protocol }, [
      ...keys,
      el('md:NameIDFormat', {}, [upstream.nameIdFormat]),
      el('md:AssertionConsumerService', { Binding: BINDING.post, Location: acs, index: '0', isDefault: 'true' }),
    ]),
  ]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(doc)}`;
}
