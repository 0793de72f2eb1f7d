import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createSelfSigned } from '../../crypto/certificates.ts';
import { AUTHN_CONTEXT, STATUS } from '../../saml-core/constants.ts';
import { signingKeyFromPem, type SigningKey } from '../../keys/signing-key.ts';
import { authnContextFor, buildErrorResponse, buildSuccessResponse } from './response.ts';
import { statusForFailure } from './status.ts';
import { parseSamlXml } from '../../saml-core/xml.ts';

let key: SigningKey;
before(async () => {
  const pair = await createSelfSigned({ commonName: 'unit' });
  key = signingKeyFromPem(pair.certificatePem, pair.privateKeyPem);
});

const input = {
  entityId: 'https://idp.example/samlsso',
  acs: 'https://sp.example/acs',
  spIssuer: 'sp',
  inResponseTo: '_req',
  nameId: { value: 'a<b>&"c', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' },
  authnInstant: Date.parse('2026-05-01T11:59:00Z'),
  sessionIndex: '_s',
  amr: ['pwd', 'otp'],
  attributes: [{ name: 'http://wso2.org/claims/givenname', values: ['</saml:AttributeValue><evil/>'] }],
  now: Date.parse('2026-05-01T12:00:00Z'),
};

test('the authentication context says whether a one-time code was used', () => {
  assert.equal(authnContextFor(['pwd']), AUTHN_CONTEXT.password);
  assert.equal(authnContextFor(['pwd', 'otp']), AUTHN_CONTEXT.timeSyncToken);
  assert.equal(authnContextFor([]), AUTHN_CONTEXT.unspecified);
});

test('a success Response: values are escaped, signatures follow the Issuers, elements in schema order', () => {
  const doc = parseSamlXml(buildSuccessResponse(input, key, true));
  const root = doc.documentElement!;
  const names = (el: Element) => Array.from(el.childNodes).filter((n) => n.nodeType === 1).map((n) => (n as Element).localName);
  assert.deepEqual(names(root), ['Issuer', 'Signature', 'Status', 'Assertion']);
  const assertion = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0]!;
  assert.deepEqual(names(assertion), ['Issuer', 'Signature', 'Subject', 'Conditions', 'AuthnStatement', 'AttributeStatement']);
  assert.equal(root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'NameID')[0]!.textContent, 'a<b>&"c');
  assert.equal(root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'AttributeValue')[0]!.textContent, '</saml:AttributeValue><evil/>');
  assert.equal(root.getElementsByTagName('evil').length, 0);
  const confirmation = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'SubjectConfirmationData')[0]!;
  assert.deepEqual([confirmation.getAttribute('Recipient'), confirmation.getAttribute('InResponseTo'), confirmation.getAttribute('NotOnOrAfter')], ['https://sp.example/acs', '_req', '2026-05-01T12:05:00.000Z']);
  assert.equal(root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'AuthnStatement')[0]!.getAttribute('AuthnInstant'), '2026-05-01T11:59:00.000Z');
  assert.equal(names(parseSamlXml(buildSuccessResponse({ ...input, attributes: [] }, key, false)).documentElement!).join(), 'Issuer,Status,Assertion', 'Response unsigned when not asked');
});

test('an error Response is signed and carries the nested status', () => {
  const xml = buildErrorResponse({ entityId: input.entityId, acs: input.acs, inResponseTo: '_req', now: input.now, status: statusForFailure({ reason: 'login.passive' }) }, key);
  assert.match(xml, /<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:NoPassive"\/>/);
  assert.match(xml, /<ds:Signature/);
  assert.equal(statusForFailure({ reason: 'account.locked' }).subCode, STATUS.requestDenied);
  assert.equal(statusForFailure({ reason: 'login.cancelled' }).subCode, STATUS.authnFailed);
  assert.equal(statusForFailure({ reason: 'totp.not.enrolled' }).subCode, STATUS.authnFailed);
});
