// The checks on a <samlp:Response> an upstream IdP posts back (SAML core 3.2.2, 2.3.3-2.7; profiles 4.1.4.2-4.1.4.5),
// with the XSW hardening of our own IdP side (saml-core/signature.ts): no DTD (saml-core/xml.ts), exactly one
// Assertion, a direct child of the Response; every signature a direct child of the Response or of that
// Assertion; the values are read from the bytes a signature covered, never from the posted DOM. The Response is
// refused unless: its status is Success, Destination is our ACS, InResponseTo is the request this login sent
// (unsolicited ones are refused), the Response (when signed) and the Assertion are issued by the configured
// entity ID, a configured certificate signed the Response and/or the Assertion (the Assertion itself when the
// provider requires it; the Response too when it requires that), the Conditions hold now (with a small skew), an AudienceRestriction names our SP
// entity ID, and a bearer SubjectConfirmation names our ACS, this request and a time still to come.
// EncryptedAssertion and EncryptedID are refused (not supported: docs/federation.md).
import { isAppError } from '../../errors/app-error.ts';
import { BEARER, NS, STATUS } from '../../saml-core/constants.ts';
import { decodeMessage } from '../../saml-core/redirect-binding.ts';
import { signaturesOf, verifySignedElement } from '../../saml-core/signature.ts';
import { attr, childrenNS, dateAttr, idAttr, optionalChild, parseSamlXml, requiredChild, textOf } from '../../saml-core/xml.ts';

/** How far the upstream's clock may be from ours when checking NotBefore and NotOnOrAfter. */
export const UPSTREAM_SKEW_MS = 60_000;

export interface ExpectedResponse {
  idpEntityId: string;
  spEntityId: string;
  /** Our ACS: this tenant's /commonauth. */
  acs: string;
  /** The ID of the AuthnRequest this login sent. */
  requestId: string;
  /** PEM certificates of the upstream (more than one during its key rollover). */
  certificates: readonly string[];
  requireSignedAssertion: boolean;
  requireSignedResponse: boolean;
  now: number;
}

export interface CheckedAssertion {
  assertionId: string;
  nameId: string;
  /** Attribute name -> value (several values joined with ","), strings only. */
  attributes: Record<string, string>;
  /** Until when the assertion could be used (the later of Conditions and SubjectConfirmationData NotOnOrAfter), plus the skew. */
  rememberUntil: number;
}

/**
 * Why a Response was refused: `reason` is the page's message key (federation.upstream.refused when the IdP
 * answered with an error status, else federation.upstream.invalid); `detail` is for the audit log only.
 */
export class ResponseRefused extends Error {
  constructor(
    readonly reason: 'federation.upstream.refused' | 'federation.upstream.invalid',
    readonly detail: string,
  ) {
    super(detail);
  }
}

const invalid = (detail: string) => new ResponseRefused('federation.upstream.invalid', detail);

export function checkResponse(samlResponse: string, expected: ExpectedResponse): CheckedAssertion {
  let xml: string;
  let doc: Document;
  try {
    xml = decodeMessage(samlResponse);
    doc = parseSamlXml(xml);
  } catch (err) {
    if (isAppError(err)) throw invalid(`malformed: ${err.description}`);
    throw err;
  }
  try {
    return checkDocument(xml, doc, expected);
  } catch (err) {
    // The shared readers and the signature checks throw AppErrors (SAML-40001, SAML-40004).
    if (isAppError(err)) throw invalid(err.description);
    throw err;
  }
}

function checkDocument(xml: string, doc: Document, expected: ExpectedResponse): CheckedAssertion {
  const posted = doc.documentElement!;
  if (posted.namespaceURI !== NS.protocol || posted.localName !== 'Response') throw invalid('not a Response');
  if (posted.getAttribute('Version') !== '2.0') throw invalid('not SAML 2.0');
  if (doc.getElementsByTagNameNS(NS.assertion, 'EncryptedAssertion').length > 0) throw invalid('EncryptedAssertion is not supported');
  const assertions = Array.from(doc.getElementsByTagNameNS(NS.assertion, 'Assertion'));
  const status = statusOf(posted);
  if (status !== STATUS.success) {
    // An error status carries no assertion; what the upstream said is for the log.
    if (assertions.length === 0) throw new ResponseRefused('federation.upstream.refused', `status ${status}`);
    throw invalid('an error status with an assertion');
  }
  // XSW: one Assertion in the whole message, where the profile puts it; signatures only where we look for them.
  if (assertions.length !== 1 || assertions[0]!.parentNode !== posted) throw invalid('exactly one Assertion, a child of the Response');
  const postedAssertion = assertions[0]!;
  const signatures = Array.from(doc.getElementsByTagNameNS(NS.dsig, 'Signature'));
  if (signatures.some((s) => s.parentNode !== posted && s.parentNode !== postedAssertion)) throw invalid('a signature on another element');
  const responseSigned = signaturesOf(posted).length > 0;
  const assertionSigned = signaturesOf(postedAssertion).length > 0;
  if (!responseSigned && !assertionSigned) throw invalid('neither the Response nor the Assertion is signed');
  if (expected.requireSignedAssertion && !assertionSigned) throw invalid('the Assertion is not signed');
  if (expected.requireSignedResponse && !responseSigned) throw invalid('the Response is not signed');

  // Read from what the signatures cover: the signed Response (and its one Assertion), and/or the signed Assertion.
  const response = responseSigned ? verifySignedElement(xml, doc, posted, expected.certificates) : posted;
  let assertion = childrenNS(response, NS.assertion, 'Assertion')[0];
  if (!assertion) throw invalid('the signed Response has no Assertion');
  if (assertionSigned) assertion = verifySignedElement(xml, doc, postedAssertion, expected.certificates);

  if (attr(response, 'Destination') !== expected.acs) throw invalid('Destination is not our ACS');
  if (attr(response, 'InResponseTo') !== expected.requestId) throw invalid('InResponseTo is not our request');
  const responseIssuer = optionalChild(response, NS.assertion, 'Issuer');
  if (responseIssuer && textOf(responseIssuer) !== expected.idpEntityId) throw invalid('Response Issuer');
  if (statusOf(response) !== STATUS.success) throw invalid('the signed status is not Success');
  return checkAssertion(assertion, expected);
}

function statusOf(response: Element): string {
  const code = requiredChild(requiredChild(response, NS.protocol, 'Status'), NS.protocol, 'StatusCode');
  return attr(code, 'Value') ?? '';
}

function checkAssertion(assertion: Element, expected: ExpectedResponse): CheckedAssertion {
  const { now } = expected;
  const assertionId = idAttr(assertion);
  if (textOf(requiredChild(assertion, NS.assertion, 'Issuer')) !== expected.idpEntityId) throw invalid('Assertion Issuer');
  const subject = requiredChild(assertion, NS.assertion, 'Subject');
  if (optionalChild(subject, NS.assertion, 'EncryptedID')) throw invalid('EncryptedID is not supported');
  const nameId = textOf(requiredChild(subject, NS.assertion, 'NameID'));
  if (!nameId || nameId.length > 255) throw invalid('NameID: 1 to 255 characters');

  // Profiles 4.1.4.2: a bearer confirmation for our ACS, this request, and a time still to come.
  let confirmedUntil: number | undefined;
  for (const confirmation of childrenNS(subject, NS.assertion, 'SubjectConfirmation')) {
    if (attr(confirmation, 'Method') !== BEARER) continue;
    const data = optionalChild(confirmation, NS.assertion, 'SubjectConfirmationData');
    if (!data || attr(data, 'Recipient') !== expected.acs || attr(data, 'InResponseTo') !== expected.requestId) continue;
    const until = dateAttr(data, 'NotOnOrAfter', true)!;
    const from = dateAttr(data, 'NotBefore', false);
    if (now >= until + UPSTREAM_SKEW_MS || (from !== undefined && now + UPSTREAM_SKEW_MS < from)) continue;
    confirmedUntil = Math.max(confirmedUntil ?? 0, until);
  }
  if (confirmedUntil === undefined) throw invalid('no bearer SubjectConfirmation for our ACS and request, or it has expired');

  // Core 2.5.1: the Conditions hold now, and every AudienceRestriction names us (there must be one).
  const conditions = requiredChild(assertion, NS.assertion, 'Conditions');
  const notBefore = dateAttr(conditions, 'NotBefore', false);
  const notOnOrAfter = dateAttr(conditions, 'NotOnOrAfter', false);
  if (notBefore !== undefined && now + UPSTREAM_SKEW_MS < notBefore) throw invalid('the assertion is not valid yet');
  if (notOnOrAfter !== undefined && now >= notOnOrAfter + UPSTREAM_SKEW_MS) throw invalid('the assertion has expired');
  const restrictions = childrenNS(conditions, NS.assertion, 'AudienceRestriction');
  if (restrictions.length === 0) throw invalid('no AudienceRestriction');
  for (const r of restrictions) {
    if (!childrenNS(r, NS.assertion, 'Audience').some((a) => textOf(a) === expected.spEntityId)) throw invalid('the audience is not our SP entity ID');
  }

  return { assertionId, nameId, attributes: attributesOf(assertion), rememberUntil: Math.max(confirmedUntil, notOnOrAfter ?? 0) + UPSTREAM_SKEW_MS };
}

/** Attribute values as text; a value with markup inside (not a simple type) is skipped. */
function attributesOf(assertion: Element): Record<string, string> {
  const out: Record<string, string> = {};
  for (const statement of childrenNS(assertion, NS.assertion, 'AttributeStatement')) {
    for (const a of childrenNS(statement, NS.assertion, 'Attribute')) {
      const name = attr(a, 'Name');
      if (!name) continue;
      const values: string[] = [];
      for (const v of childrenNS(a, NS.assertion, 'AttributeValue')) {
        try {
          values.push(textOf(v));
        } catch {
          // A structured value: not a claim we can map.
        }
      }
      if (values.length > 0) out[name] = values.join(',');
    }
  }
  return out;
}
