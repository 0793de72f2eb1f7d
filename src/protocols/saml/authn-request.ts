// The AuthnRequest (SAML core 3.4.1) as the Web SSO profile (profiles 4.1.4.1) uses it: who asks (Issuer),
// where the answer goes (an ACS URL, an index, or the registered default), and how (ForceAuthn, IsPassive,
// NameIDPolicy). Fields are read only from the element the caller trusts (the verified one when signed).
import { BINDING, CLOCK_SKEW_MS, NAMEID_FORMAT, NS, STATUS, SUPPORTED_NAMEID_FORMATS } from '../../saml-core/constants.ts';
import type { SamlSettings } from './settings.ts';
import type { SamlStatus } from './status.ts';
import { AppError } from '../../errors/app-error.ts';
import { attr, boolAttr, dateAttr, idAttr, invalidMessage, optionalChild, requiredChild, textOf } from '../../saml-core/xml.ts';

export interface AuthnRequest {
  id: string;
  version: string;
  issueInstant: number;
  destination: string | undefined;
  issuer: string;
  acsUrl: string | undefined;
  acsIndex: number | undefined;
  protocolBinding: string | undefined;
  forceAuthn: boolean;
  isPassive: boolean;
  nameIdFormat: string | undefined;
}

/** The Issuer of a request or response root; an Issuer with a Format other than entity is not an SP's. */
export function issuerOf(root: Element): string {
  const issuer = requiredChild(root, NS.assertion, 'Issuer');
  const format = attr(issuer, 'Format');
  if (format !== undefined && format !== NAMEID_FORMAT.entity) throw invalidMessage('The Issuer must be an entity identifier.');
  const value = textOf(issuer);
  if (value === '' || value.length > 1024) throw invalidMessage('The Issuer is empty or too long.');
  return value;
}

export function readAuthnRequest(root: Element): AuthnRequest {
  if (root.namespaceURI !== NS.protocol || root.localName !== 'AuthnRequest') throw invalidMessage('The message is not an AuthnRequest.');
  const index = attr(root, 'AssertionConsumerServiceIndex');
  if (index !== undefined && !/^\d{1,5}$/.test(index)) throw invalidMessage('AssertionConsumerServiceIndex must be a small number.');
  const acsUrl = attr(root, 'AssertionConsumerServiceURL');
  // Core 3.4.1: the index and the URL/binding pair are mutually exclusive.
  if (index !== undefined && acsUrl !== undefined) throw invalidMessage('AssertionConsumerServiceIndex and AssertionConsumerServiceURL are mutually exclusive.');
  const policy = optionalChild(root, NS.protocol, 'NameIDPolicy');
  return {
    id: idAttr(root),
    version: attr(root, 'Version') ?? '',
    issueInstant: dateAttr(root, 'IssueInstant', true)!,
    destination: attr(root, 'Destination'),
    issuer: issuerOf(root),
    acsUrl,
    acsIndex: index === undefined ? undefined : Number(index),
    protocolBinding: attr(root, 'ProtocolBinding'),
    forceAuthn: boolAttr(root, 'ForceAuthn'),
    isPassive: boolAttr(root, 'IsPassive'),
    nameIdFormat: policy ? attr(policy, 'Format') : undefined,
  };
}

/**
 * The ACS the response goes to. It must be registered: a URL the request names is compared exactly with the
 * application's list, an index picks from that list (0-based, in the order registered), and without either
 * the registered default is used. Anything else is refused with an error page, never a redirect.
 */
export function resolveAcs(request: Pick<AuthnRequest, 'acsUrl' | 'acsIndex'>, settings: SamlSettings): string {
  if (request.acsUrl !== undefined) {
    if (!settings.assertionConsumerUrls.includes(request.acsUrl)) throw new AppError('SAML-40003');
    return request.acsUrl;
  }
  if (request.acsIndex !== undefined) {
    const url = settings.assertionConsumerUrls[request.acsIndex];
    if (!url) throw new AppError('SAML-40003');
    return url;
  }
  return settings.defaultAssertionConsumerUrl;
}

/**
 * Checks answered with a SAML status at the (now trusted) ACS: version (core 3.2.2.1), freshness, the
 * Destination (bindings 3.4.5.2 / 3.5.5.2), a response binding we can use, and the NameID format.
 */
export function checkAuthnRequest(request: AuthnRequest, now: number, destinations: readonly string[]): SamlStatus | undefined {
  if (request.version !== '2.0') return { code: STATUS.versionMismatch, message: 'Only SAML 2.0 is supported.' };
  if (Math.abs(now - request.issueInstant) > CLOCK_SKEW_MS) return { code: STATUS.requester, message: 'The request is too old or its IssueInstant is in the future.' };
  if (request.destination !== undefined && !destinations.includes(request.destination)) {
    return { code: STATUS.requester, message: 'The request was sent to another destination.' };
  }
  if (request.protocolBinding !== undefined && request.protocolBinding !== BINDING.post) {
    return { code: STATUS.requester, subCode: STATUS.unsupportedBinding, message: 'Responses are sent with the HTTP-POST binding only.' };
  }
  if (request.nameIdFormat !== undefined && !SUPPORTED_NAMEID_FORMATS.includes(request.nameIdFormat)) {
    return { code: STATUS.requester, subCode: STATUS.invalidNameIdPolicy, message: 'The requested NameID format is not supported.' };
  }
  return undefined;
}

/** The NameID format to issue: the requested one unless it is "unspecified", else the application's. */
export function nameIdFormatFor(requested: string | undefined, settings: SamlSettings): string {
  return requested === undefined || requested === NAMEID_FORMAT.unspecified ? settings.singleSignOnProfile.assertion.nameIdFormat : requested;
}
