import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import { checkAuthnRequest, nameIdFormatFor, readAuthnRequest, resolveAcs, type AuthnRequest } from './authn-request.ts';
import { NAMEID_FORMAT, STATUS } from '../../saml-core/constants.ts';
import { validateSettings } from './settings.ts';
import { parseSamlXml } from '../../saml-core/xml.ts';

const settings = validateSettings({ manualConfiguration: { issuer: 'sp', assertionConsumerUrls: ['https://sp.example/a', 'https://sp.example/b'], defaultAssertionConsumerUrl: 'https://sp.example/b' } });
const now = Date.parse('2026-05-01T12:00:00Z');

function request(attrs: string, inner = ''): AuthnRequest {
  const xml = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-05-01T12:00:00Z" ${attrs}><saml:Issuer>sp</saml:Issuer>${inner}</samlp:AuthnRequest>`;
  return readAuthnRequest(parseSamlXml(xml).documentElement!);
}

test('fields of an AuthnRequest', () => {
  const r = request('ForceAuthn="true" IsPassive="0" AssertionConsumerServiceURL="https://sp.example/a"', '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/>');
  assert.deepEqual([r.id, r.issuer, r.forceAuthn, r.isPassive, r.acsUrl, r.nameIdFormat], ['_r1', 'sp', true, false, 'https://sp.example/a', NAMEID_FORMAT.persistent]);
  assert.throws(() => request('IsPassive="yes"'), (e: unknown) => e instanceof AppError && e.code === 'SAML-40001');
  assert.throws(() => request('AssertionConsumerServiceIndex="0" AssertionConsumerServiceURL="https://sp.example/a"'), /mutually exclusive|Invalid/);
  assert.throws(() => request('', '<saml:Issuer>again</saml:Issuer>'), (e: unknown) => e instanceof AppError && /more than one Issuer/.test(e.description));
});

test('the ACS: a registered URL, an index into the list, or the default; anything else is refused', () => {
  assert.equal(resolveAcs({ acsUrl: 'https://sp.example/a', acsIndex: undefined }, settings), 'https://sp.example/a');
  assert.equal(resolveAcs({ acsUrl: undefined, acsIndex: 0 }, settings), 'https://sp.example/a');
  assert.equal(resolveAcs({ acsUrl: undefined, acsIndex: undefined }, settings), 'https://sp.example/b');
  for (const bad of [{ acsUrl: 'https://sp.example/a/', acsIndex: undefined }, { acsUrl: 'https://evil.example/a', acsIndex: undefined }, { acsUrl: undefined, acsIndex: 2 }]) {
    assert.throws(() => resolveAcs(bad, settings), (e: unknown) => e instanceof AppError && e.code === 'SAML-40003');
  }
});

test('problems answered with a status at the ACS', () => {
  const ok = request('');
  assert.equal(checkAuthnRequest(ok, now, []), undefined);
  assert.equal(checkAuthnRequest({ ...ok, version: '1.1' }, now, [])?.code, STATUS.versionMismatch);
  assert.equal(checkAuthnRequest(ok, now + 6 * 60_000, [])?.code, STATUS.requester);
  assert.equal(checkAuthnRequest(ok, now - 6 * 60_000, [])?.code, STATUS.requester, 'from the future');
  assert.equal(checkAuthnRequest({ ...ok, destination: 'https://a/samlsso' }, now, ['https://b/samlsso'])?.code, STATUS.requester);
  assert.equal(checkAuthnRequest({ ...ok, destination: 'https://b/samlsso' }, now, ['https://b/samlsso']), undefined);
  assert.equal(checkAuthnRequest({ ...ok, protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact' }, now, [])?.subCode, STATUS.unsupportedBinding);
  assert.equal(checkAuthnRequest({ ...ok, nameIdFormat: 'urn:x' }, now, [])?.subCode, STATUS.invalidNameIdPolicy);
});

test('the NameID format: the requested one unless unspecified, else the application setting', () => {
  const email = validateSettings({ manualConfiguration: { issuer: 'sp', assertionConsumerUrls: ['https://sp.example/a'], singleSignOnProfile: { assertion: { nameIdFormat: NAMEID_FORMAT.email } } } });
  assert.equal(nameIdFormatFor(undefined, email), NAMEID_FORMAT.email);
  assert.equal(nameIdFormatFor(NAMEID_FORMAT.unspecified, email), NAMEID_FORMAT.email);
  assert.equal(nameIdFormatFor(NAMEID_FORMAT.persistent, email), NAMEID_FORMAT.persistent);
});
