// Access tokens on our APIs: which OAuth scope each admin API asks for (WSO2's internal_* names), and the
// verifier the OIDC front supplies (protocols/oidc implements it; app.ts hands it to the server). The APIs
// (http/admin-auth.ts, api/self-caller.ts) only see this contract, never the provider.
//
// A token's scopes are what its client was authorized for (the application's authorizedScopes) and, for a
// user's token, what the user may hold (admin scopes only for the tenant's admin); both are checked again on
// every call, so removing a scope from an application or a user's admin role takes effect at once.
import type { FastifyRequest } from 'fastify';
import type { UserRecord } from '../users/user-store.ts';

/** WSO2's scope for the self-service APIs (`/api/users/v1/me/...`): any signed-in user. */
export const INTERNAL_LOGIN = 'internal_login';

/** The scopes one admin API asks for, by what a request does. */
export interface ApiScopes {
  view: string;
  /** Listing or searching (SCIM's GET /Users without an id); `view` when absent. */
  list?: string;
  create: string;
  update: string;
  delete: string;
}

const crud = (prefix: string): ApiScopes => ({
  view: `${prefix}_view`,
  create: `${prefix}_create`,
  update: `${prefix}_update`,
  delete: `${prefix}_delete`,
});

/** Each admin API's scopes, named as WSO2 names them where WSO2 has the API. */
export const API_SCOPES = {
  users: { ...crud('internal_user_mgt'), list: 'internal_user_mgt_list' },
  applications: crud('internal_application_mgt'),
  userStores: crud('internal_userstore'),
  claims: crud('internal_claim_meta'),
  identityProviders: crud('internal_idp'),
  emailTemplates: crud('internal_email_mgt'),
  // WSO2's configuration management API (authenticator settings, the TOTP registry resources).
  configs: { view: 'internal_config_mgt_view', create: 'internal_config_mgt_add', update: 'internal_config_mgt_update', delete: 'internal_config_mgt_delete' },
  keys: { view: 'internal_keystore_view', create: 'internal_keystore_update', update: 'internal_keystore_update', delete: 'internal_keystore_update' },
  tenants: { view: 'internal_list_tenants', create: 'internal_modify_tenants', update: 'internal_modify_tenants', delete: 'internal_modify_tenants' },
  audit: { view: 'internal_audit_log_view', create: 'internal_audit_log_view', update: 'internal_audit_log_view', delete: 'internal_audit_log_view' },
} satisfies Record<string, ApiScopes>;

/** Every admin scope, for validating an application's authorizedScopes and the provider's scope list. */
export const ADMIN_SCOPES: readonly string[] = [...new Set(Object.values(API_SCOPES).flatMap((s: ApiScopes) => [s.view, s.list, s.create, s.update, s.delete].filter((x): x is string => !!x)))].sort();

/** How an admin route names the scope a request needs: an API's scopes (by method), or a function of the request. */
export type ScopeRule = ApiScopes | ((request: FastifyRequest) => string);

export function requiredScope(rule: ScopeRule, request: FastifyRequest): string {
  if (typeof rule === 'function') return rule(request);
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return rule.view;
    case 'POST':
      return rule.create;
    case 'PUT':
    case 'PATCH':
      return rule.update;
    case 'DELETE':
      return rule.delete;
    default:
      return rule.update;
  }
}

/** A verified access token of the request's tenant. */
export interface ApiToken {
  clientId: string;
  scopes: ReadonlySet<string>;
  /** The user a user's token (authorization code) acts for; absent for a client's own token (client credentials). */
  user?: UserRecord;
  /** The application a client-credentials token belongs to (it acts as itself, for the audit). */
  application?: { id: string; name: string; authorizedScopes: readonly string[] };
  /** When the token's login last proved a one-time code (epoch ms), if it did. */
  otpProvenAt?: number;
}

export interface ApiTokenVerifier {
  /** The token, when it is live and was issued by the request's tenant; undefined otherwise. */
  verify(request: FastifyRequest, value: string): Promise<ApiToken | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by app.ts from the OIDC provider; absent in servers built without it. */
    apiTokens?: ApiTokenVerifier;
  }
}

/** The bearer token of an Authorization header, or undefined when the header is not a bearer one. */
export function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^\s*bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
