// The AuthnRequest this server sends to an upstream SAML IdP as its service provider (SAML core 3.4.1, profiles
// 4.1.4.1): a fresh ID (kept in the login's state: the Response must answer it), Issuer = our SP entity ID, the
// ACS (this tenant's /commonauth, as WSO2) with the HTTP-POST binding for the answer, and the NameID format asked
// for. Sent by HTTP-Redirect (bindings 3.4), signed over the query (3.4.4.1), or by HTTP-POST (3.5) in an
// auto-posting page, with an enveloped signature after the Issuer (core 5.4), when the provider says so.
import { NS, BINDING } from '../../saml-core/constants.ts';
import { redirectUrl } from '../../saml-core/redirect-binding.ts';
import { signEnveloped, xpathOf, type SigningKey } from '../../saml-core/signature.ts';
import { el, instant, newSamlId, serialize } from '../../saml-core/xml.ts';
import type { SamlUpstream } from '../../identity-providers/identity-provider.ts';

export type SentRequest =
  /** Where the browser goes: the upstream's SSO URL with SAMLRequest, RelayState (and SigAlg, Signature). */
  | { id: string; binding: 'redirect'; location: string }
  /** What the auto-posting page posts to the upstream's SSO URL. */
  | { id: string; binding: 'post'; action: string; fields: { SAMLRequest: string; RelayState: string } };

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
  const signWith = upstream.signAuthnRequest ? key : undefined;
  if (upstream.requestBinding === 'redirect') return { id, binding: 'redirect', location: redirectUrl(upstream.ssoUrl, 'SAMLRequest', xml, relayState, signWith) };
  const posted = signWith ? signEnveloped(xml, signWith, xpathOf.root('AuthnRequest'), { reference: xpathOf.rootIssuer('AuthnRequest'), action: 'after' }) : xml;
  // Bindings 3.5.4: Base64 of the XML itself, not DEFLATEd.
  return { id, binding: 'post', action: upstream.ssoUrl, fields: { SAMLRequest: Buffer.from(posted, 'utf8').toString('base64'), RelayState: relayState } };
}
