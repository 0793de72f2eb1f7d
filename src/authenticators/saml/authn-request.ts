// The AuthnRequest this server sends to an upstream SAML IdP as its service provider (SAML core 3.4.1, profiles
// 4.1.4.1): a fresh ID (kept in the login's state: the Response must answer it), Issuer = our SP entity ID, the
// ACS (this tenant's /commonauth, as WSO2) with the HTTP-POST binding for the answer, and the NameID format asked
// for. Sent by HTTP-Redirect (bindings 3.4), signed over the query (3.4.4.1) when the provider says so.
import { NS, BINDING } from '../../saml-core/constants.ts';
import { redirectUrl } from '../../saml-core/redirect-binding.ts';
import type { SigningKey } from '../../saml-core/signature.ts';
import { el, instant, newSamlId, serialize } from '../../saml-core/xml.ts';
import type { SamlUpstream } from '../../identity-providers/identity-provider.ts';

export interface SentRequest {
  id: string;
  /** Where the browser goes: the upstream's SSO URL with SAMLRequest, RelayState (and SigAlg, Signature). */
  location: string;
}

export function authnRequestXml(id: string, upstream: SamlUpstream, acs: string, now: number): string {
  return serialize(
    el(
      'samlp:AuthnRequest',
      {
        'xmlns:samlp': NS.protocol,
        'xmlns:saml': NS.assertion,
        ID: id,
        Version: '2.0',
        IssueInstant: instant(now),
        Destination: upstream.ssoUrl,
        AssertionConsumerServiceURL: acs,
        ProtocolBinding: BINDING.post,
      },
      [el('saml:Issuer', {}, [upstream.spEntityId]), el('samlp:NameIDPolicy', { Format: upstream.nameIdFormat, AllowCreate: 'true' })],
    ),
  );
}

/** The request and the URL that carries it; `key` signs it when the provider asks for signed requests. */
export function sendAuthnRequest(upstream: SamlUpstream, acs: string, relayState: string, now: number, key: SigningKey | undefined): SentRequest {
  const id = newSamlId();
  const xml = authnRequestXml(id, upstream, acs, now);
  return { id, location: redirectUrl(upstream.ssoUrl, 'SAMLRequest', xml, relayState, upstream.signAuthnRequest ? key : undefined) };
}
