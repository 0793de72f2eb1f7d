// Page URLs: our pages get the short query, pages on another host WSO2's full one; multiOptionURI is kept only
// when it is a plausible link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowState } from './flow-state.ts';
import { acceptedMultiOptionUri, isExternalPage, pageUrl } from './pages.ts';

const state = (extra: Partial<FlowState> = {}): FlowState => ({
  tenantId: 't1',
  tenantDomain: 'example.com',
  tenantQualified: true,
  application: { id: 'a1', name: 'Travel & Co' },
  protocol: 'saml',
  protocolState: {},
  steps: [{ options: ['BasicAuthenticator'] }, { options: ['totp'] }],
  subjectStep: 0,
  stepIndex: 1,
  completed: [],
  authState: {},
  forceAuthn: false,
  passive: false,
  user: { id: 'u1', storeDomain: 'LDAP', username: 'bob' },
  ...extra,
});

test('our own page: tenant-qualified, short query, no user name', () => {
  const url = new URL(pageUrl(state(), 'authenticationendpoint/totp.do', { authenticators: 'totp', type: 'totp' }, 'k1'), 'https://x');
  assert.equal(url.pathname, '/t/example.com/authenticationendpoint/totp.do');
  assert.deepEqual([...url.searchParams.keys()], ['sessionDataKey', 't', 'sp', 'authenticators', 'type']);
});

test("a page on another host: WSO2's order, username as name@tenant without the store domain, encoded values", () => {
  const s = state({ multiOptionURI: '/authenticationendpoint/login.do?type=multi' });
  const params = { authenticators: 'totp', type: 'totp', authFailure: 'true', authFailureMsg: 'login.fail.message', errorCode: '17002' };
  const raw = pageUrl(s, 'https://login.example.net/totp.do?theme=dark', params, 'k1', { ske: 'a+b/c=' });
  const url = new URL(raw);
  assert.deepEqual([...url.searchParams.keys()], ['theme', 't', 'sessionDataKey', 'authenticators', 'type', 'authFailure', 'authFailureMsg', 'username', 'sp', 'errorCode', 'ske', 'multiOptionURI']);
  assert.equal(url.searchParams.get('username'), 'bob@example.com');
  assert.equal(url.searchParams.get('sp'), 'Travel & Co');
  assert.equal(url.searchParams.get('ske'), 'a+b/c=', 'a + survives the round trip');
  assert.equal(url.searchParams.get('multiOptionURI'), '/authenticationendpoint/login.do?type=multi');
});

test('extra parameters (ske) never reach our own pages', () => {
  assert.doesNotMatch(pageUrl(state(), 'authenticationendpoint/totp_enroll.do', {}, 'k1', { ske: 'secret' }), /ske|secret/);
});

test('isExternalPage and acceptedMultiOptionUri', () => {
  assert.equal(isExternalPage('https://login.example.net/x'), true);
  assert.equal(isExternalPage('authenticationendpoint/login.do'), false);
  assert.equal(acceptedMultiOptionUri('/authenticationendpoint/login.do?x=1'), '/authenticationendpoint/login.do?x=1');
  assert.equal(acceptedMultiOptionUri('https://login.example.net/login.do'), 'https://login.example.net/login.do');
  for (const bad of ['javascript:alert(1)', '//evil.example/x', 'data:text/html,x', '', 'x'.repeat(3000), undefined]) assert.equal(acceptedMultiOptionUri(bad), undefined, String(bad).slice(0, 30));
});
