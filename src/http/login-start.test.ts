import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { newLoginFront } from './login-start.ts';

function request(route: string | undefined, extra: { method?: string; body?: unknown; query?: unknown; cookies?: Record<string, string>; params?: Record<string, string> } = {}): FastifyRequest {
  return { routeOptions: { url: route }, method: extra.method ?? 'GET', body: extra.body, query: extra.query ?? {}, params: extra.params ?? {}, cookies: extra.cookies ?? {} } as unknown as FastifyRequest;
}

test('SAML and OIDC authorization requests always start a login', () => {
  assert.equal(newLoginFront(request('/samlsso')), 'saml');
  assert.equal(newLoginFront(request('/samlsso', { method: 'POST', cookies: { commonAuthId: 'x' } })), 'saml');
  assert.equal(newLoginFront(request('/oauth2/authorize')), 'oidc');
  assert.equal(newLoginFront(request('/oauth2/*', { params: { '*': 'authorize' } })), 'oidc', "the provider's wildcard route");
  assert.equal(newLoginFront(request('/oauth2/*', { method: 'POST', params: { '*': 'token' } })), undefined, 'a token request finishes a login');
});

test('/commonauth starts a login only without a sessionDataKey', () => {
  assert.equal(newLoginFront(request('/commonauth', { method: 'POST', body: {} })), 'commonauth');
  assert.equal(newLoginFront(request('/commonauth', { method: 'POST', body: { sessionDataKey: '' } })), 'commonauth');
  assert.equal(newLoginFront(request('/commonauth', { method: 'POST', body: { sessionDataKey: 'abc' } })), undefined);
  assert.equal(newLoginFront(request('/commonauth', { query: { sessionDataKey: 'abc', sendToken: 'true' } })), undefined);
  // An upstream IdP coming back: a SAML Response with its RelayState, an OpenID Connect callback with its state.
  assert.equal(newLoginFront(request('/commonauth', { method: 'POST', body: { SAMLResponse: 'x', RelayState: 'abc.def' } })), undefined);
  assert.equal(newLoginFront(request('/commonauth', { query: { code: 'c', state: 'abc.def' } })), undefined);
});

test('console and My Account pages start a login only for a browser without an SSO session', () => {
  assert.equal(newLoginFront(request('/myaccount')), 'myaccount');
  assert.equal(newLoginFront(request('/console/users')), 'console');
  assert.equal(newLoginFront(request('/myaccount', { cookies: { commonAuthId: 'x' } })), undefined);
  assert.equal(newLoginFront(request('/myaccount/logout', { method: 'POST' })), undefined);
});

test('pages of a login in progress, APIs, health and unmatched URLs are not login starts', () => {
  for (const route of ['/authenticationendpoint/totp.do', '/api/users/v1/me/totp', '/health/ready', '/myaccountx', undefined]) {
    assert.equal(newLoginFront(request(route)), undefined, String(route));
  }
});
