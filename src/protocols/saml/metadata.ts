// The identity provider's metadata (SAML metadata 2.3.2, 2.4.3): entity id, signing certificates (the active
// key first, then retired keys still in their grace period, so an SP that refreshes metadata accepts both
// during a rotation), the SSO and SLO endpoints for both bindings, and the NameID formats we issue. The
// document is signed with the active key (metadata 3; consumers may ignore it).
import { BINDING, NS, SUPPORTED_NAMEID_FORMATS } from '../../saml-core/constants.ts';
import type { IdpEndpoints } from './endpoints.ts';
import type { TenantKeys } from '../../keys/signing-key.ts';
import { signEnveloped, xpathOf } from '../../saml-core/signature.ts';
import { el, newSamlId, serialize } from '../../saml-core/xml.ts';

export function buildMetadata(endpoints: IdpEndpoints, keys: TenantKeys, wantAuthnRequestsSigned = false): string {
  const keyDescriptors = keys.published.map((k) =>
    el('md:KeyDescriptor', { use: 'signing' }, [
      el('ds:KeyInfo', { 'xmlns:ds': NS.dsig }, [el('ds:X509Data', {}, [el('ds:X509Certificate', {}, [k.certificateBase64])])]),
    ]),
  );
  const services = (name: string) => [BINDING.redirect, BINDING.post].map((binding) => el(`md:${name}`, { Binding: binding, Location: endpoints.ssoUrl }));
  // Element order follows the schema: KeyDescriptor (RoleDescriptorType), SingleLogoutService and NameIDFormat
  // (SSODescriptorType), then SingleSignOnService (IDPSSODescriptorType).
  const doc = el('md:EntityDescriptor', { 'xmlns:md': NS.metadata, ID: newSamlId(), entityID: endpoints.entityId }, [
    el(
      'md:IDPSSODescriptor',
      { WantAuthnRequestsSigned: String(wantAuthnRequestsSigned), protocolSupportEnumeration: NS.protocol },
      [...keyDescriptors, ...services('SingleLogoutService'), ...SUPPORTED_NAMEID_FORMATS.map((f) => el('md:NameIDFormat', {}, [f])), ...services('SingleSignOnService')],
    ),
  ]);
  return signEnveloped(serialize(doc), keys.active, xpathOf.root('EntityDescriptor'), { reference: xpathOf.root('EntityDescriptor'), action: 'prepend' });
}
