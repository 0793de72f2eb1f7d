// The Response checks on their own (the integration tests in test/federation/saml-*.test.ts post them through
// the login): a correct Response passes and gives the NameID, the attributes and how long to remember the ID;
// each structural fault is refused with its reason.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createSelfSigned, type CertificatePair } from '../../crypto/certificates.ts';
import { forgeResponse, sign } from '../../../test/federation/saml-support.ts';
import { checkResponse, ResponseRefused, UPSTREAM_SKEW_MS, type ExpectedResponse } from './response-check.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
let key: CertificatePair;
let expected: ExpectedResponse;

before(async () => {
  key = await createSelfSigned({ commonName: 'unit IdP' });
  expected = { idpEntityId: 'https://idp.test', spEntityId: 'sp-1', acs: 'https://sp.test/commonauth', requestId: '_req1', certificates: [key.certificatePem], requireSignedAssertion: true, requireSignedResponse: false, now: NOW };
});

const response = (changes: Partial<Parameters<typeof forgeResponse>[0]> = {}) =>
  forgeResponse({ key, issuer: 'https://idp.test', audience: 'sp-1', acs: 'https://sp.test/commonauth', inResponseTo: '_req1', nameId: 'ada', now: NOW, email: 'ada@idp.test', ...changes });
const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

function refusedFor(xml: string, reason: RegExp, options: Partial<ExpectedResponse> = {}): void {
  assert.throws(
    () => checkResponse(b64(xml), { ...expected, ...options }),
    (err) => err instanceof ResponseRefused && reason.test(err.detail),
  );
}

test('a correct Response: NameID, attributes, and the ID remembered until NotOnOrAfter plus the skew', () => {
  const checked = checkResponse(b64(response({ assertionId: '_as1', signResponse: true })), expected);
  assert.equal(checked.nameId, 'ada');
  assert.equal(checked.assertionId, '_as1');
  assert.equal(checked.attributes['http://wso2.org/claims/emailaddress'], 'ada@idp.test');
  assert.equal(checked.rememberUntil, NOW + 5 * 60_000 + UPSTREAM_SKEW_MS);
  // Any of several certificates (a rollover at the upstream).
  assert.equal(checkResponse(b64(response()), { ...expected, certificates: [expected.certificates[0]!.replace('A', 'B'), key.certificatePem] }).nameId, 'ada');
});

test('every AudienceRestriction must name us', () => {
  const two = response().replace('</saml:AudienceRestriction>', '</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>other</saml:Audience></saml:AudienceRestriction>');
  refusedFor(sign(two.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, ''), 'Response', key), /audience/, { requireSignedAssertion: false });
});

test('the bearer confirmation must name our ACS and request, and still be valid', () => {
  refusedFor(response({ acs: 'https://elsewhere.test/acs' }), /Destination|SubjectConfirmation/);
  refusedFor(response({ inResponseTo: '_other' }), /InResponseTo|SubjectConfirmation/);
  refusedFor(response(), /SubjectConfirmation|expired/, { now: NOW + 5 * 60_000 + UPSTREAM_SKEW_MS });
});

test('a signature on another element, a second Assertion, or an unsolicited Response are refused', () => {
  const xml = response();
  const extraSig = xml.replace('<saml:Subject>', '<saml:Subject><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>');
  refusedFor(extraSig, /signature on another element/);
  const m = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
  refusedFor(xml.replace(m, `${m}${m.replace(/ID="[^"]+"/, 'ID="_two"')}`), /exactly one Assertion/);
  refusedFor(xml.replace(/ InResponseTo="_req1"(?=[^>]*Destination|[^>]*>\s*<saml:Issuer>[^<]*<\/saml:Issuer><samlp:Status)/, ''), /InResponseTo/);
});

test('not a Response, not SAML 2.0, or not XML', () => {
  refusedFor('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0"/>', /not a Response/);
  refusedFor(response().replace('Version="2.0" IssueInstant', 'Version="1.1" IssueInstant'), /SAML 2.0|does not verify/);
  assert.throws(() => checkResponse('%%%', expected), (err) => err instanceof ResponseRefused && err.reason === 'federation.upstream.invalid');
});
