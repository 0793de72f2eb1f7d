// The <samlp:Response> of the Web SSO profile (profiles 4.1.4.2): a signed Assertion with a bearer
// SubjectConfirmation for the ACS, Conditions limiting it to the SP (AudienceRestriction) and a short time,
// an AuthnStatement saying when and how the user authenticated, and the requested attributes. The Response
// itself is signed too when the application asks; error responses (no assertion) are always signed, so an
// SP can trust a NoPassive or AuthnFailed status.
import { ASSERTION_LIFETIME_MS, ATTRNAME_FORMAT_URI, AUTHN_CONTEXT, BEARER, NAMEID_FORMAT, NS } from '../../saml-core/constants.ts';
import type { SigningKey } from '../../keys/signing-key.ts';
import type { IssuedNameId } from './name-id.ts';
import { declaredNamespaces } from './exc-c14n.ts';
import { signElement } from './tree-signature.ts';
import { SUCCESS, statusElement, type SamlStatus } from './status.ts';
import { el, instant, newSamlId, serialize, type XmlElement } from '../../saml-core/xml.ts';

/** Conditions start a minute early so an SP whose clock is slightly behind still accepts the assertion. */
const NOT_BEFORE_SKEW_MS = 60_000;

export interface Attribute {
  name: string;
  values: string[];
}

export interface AssertionInput {
  entityId: string;
  acs: string;
  spIssuer: string;
  /** The AuthnRequest ID; absent for IdP-initiated (unsolicited) responses. */
  inResponseTo: string | undefined;
  nameId: IssuedNameId;
  authnInstant: number;
  sessionIndex: string;
  amr: readonly string[];
  attributes: Attribute[];
  now: number;
}

/** TimeSyncToken when a one-time code was part of the login, PasswordProtectedTransport for password only. */
export function authnContextFor(amr: readonly string[]): string {
  if (amr.includes('otp')) return AUTHN_CONTEXT.timeSyncToken;
  if (amr.includes('pwd')) return AUTHN_CONTEXT.password;
  return AUTHN_CONTEXT.unspecified;
}

function issuer(entityId: string): XmlElement {
  return el('saml:Issuer', { Format: NAMEID_FORMAT.entity }, [entityId]);
}

function assertion(input: AssertionInput): XmlElement {
  const { now, nameId } = input;
  const until = instant(now + ASSERTION_LIFETIME_MS);
  const nameIdAttrs = { Format: nameId.format, NameQualifier: nameId.nameQualifier, SPNameQualifier: nameId.spNameQualifier };
  return el('saml:Assertion', { ID: newSamlId(), Version: '2.0', IssueInstant: instant(now) }, [
    issuer(input.entityId),
    el('saml:Subject', {}, [
      el('saml:NameID', nameIdAttrs, [nameId.value]),
      el('saml:SubjectConfirmation', { Method: BEARER }, [
        // Profiles 4.1.4.2: Recipient is the ACS, NotOnOrAfter bounds the bearer use, InResponseTo binds it to the request.
        el('saml:SubjectConfirmationData', { InResponseTo: input.inResponseTo, NotOnOrAfter: until, Recipient: input.acs }),
      ]),
    ]),
    el('saml:Conditions', { NotBefore: instant(now - NOT_BEFORE_SKEW_MS), NotOnOrAfter: until }, [
      el('saml:AudienceRestriction', {}, [el('saml:Audience', {}, [input.spIssuer])]),
    ]),
    el('saml:AuthnStatement', { AuthnInstant: instant(input.authnInstant), SessionIndex: input.sessionIndex }, [
      el('saml:AuthnContext', {}, [el('saml:AuthnContextClassRef', {}, [authnContextFor(input.amr)])]),
    ]),
    input.attributes.length === 0
      ? undefined
      : el(
          'saml:AttributeStatement',
          {},
          input.attributes.map((a) => el('saml:Attribute', { Name: a.name, NameFormat: ATTRNAME_FORMAT_URI }, a.values.map((v) => el('saml:AttributeValue', {}, [v])))),
        ),
  ]);
}

function response(fields: { entityId: string; acs: string; inResponseTo: string | undefined; now: number; status: SamlStatus }, body: XmlElement[]): XmlElement {
  return el(
    'samlp:Response',
    {
      'xmlns:samlp': NS.protocol,
      'xmlns:saml': NS.assertion,
      ID: newSamlId(),
      Version: '2.0',
      IssueInstant: instant(fields.now),
      Destination: fields.acs,
      InResponseTo: fields.inResponseTo,
    },
    [issuer(fields.entityId), statusElement(fields.status), ...body],
  );
}

/** A successful Response: the Assertion is always signed; the Response too when `signResponse`. */
export function buildSuccessResponse(input: AssertionInput, key: SigningKey, signResponse: boolean): string {
  const signedAssertion = assertion(input);
  const root = response({ ...input, status: SUCCESS }, [signedAssertion]);
  signElement(signedAssertion, declaredNamespaces(root), key);
  // Signed after the assertion, so the outer signature covers the inner one (and the enveloped transform
  // removes only the outer signature).
  if (signResponse) signElement(root, {}, key);
  return serialize(root);
}

/** A Response carrying only a status (NoPassive, AuthnFailed, InvalidNameIDPolicy, ...), always signed. */
export function buildErrorResponse(fields: { entityId: string; acs: string; inResponseTo: string | undefined; now: number; status: SamlStatus }, key: SigningKey): string {
  const root = response(fields, []);
  signElement(root, {}, key);
  return serialize(root);
}
