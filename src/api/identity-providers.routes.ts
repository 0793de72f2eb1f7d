// Federated identity providers over REST, in the shape of WSO2 Identity Server's /api/server/v1/identity-providers
// (and /t/{tenant}/...), for the tenant's admin only, always within the request's tenant:
//   GET    /identity-providers          [{id, name, description, isEnabled, self}]
//   POST   /identity-providers          WSO2's body (below): 201 with Location
//   GET    /identity-providers/{id}     one provider; the client secret is never returned
//   PUT    /identity-providers/{id}     replaces it; a ClientSecret left out (or empty) keeps its value
//   DELETE /identity-providers/{id}     204; the accounts linked through it are unlinked
//   GET    /identity-providers/{id}/saml-metadata   a SAML IdP's view of us: this tenant's SP metadata for it
// And linked accounts of a user (WSO2's /api/users/v1/{user-id}/federated-associations, plus POST):
//   GET    /api/users/v1/{user-id}/federated-associations
//   POST   /api/users/v1/{user-id}/federated-associations   {idp: {id}, federatedUserId}
//   DELETE /api/users/v1/{user-id}/federated-associations/{id}
// An OpenID Connect provider is WSO2's OpenIDConnectAuthenticator with the properties ClientId, ClientSecret,
// Issuer (discovery) and Scopes; a SAML 2.0 IdP is WSO2's SAMLSSOAuthenticator with IdPEntityId, SPEntityId,
// SSOUrl, ISAuthnReqSigned, isAssertionSigned, IsAuthnRespSigned, RequestMethod and NameIDType (WSO2's
// IdentityApplicationConstants.Authenticator.SAML2SSO keys), its certificates in WSO2's
// certificate.certificates (each the Base64 of a PEM). Claims map upstream names (idpClaim) to local claim URIs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { buildSpMetadata } from '../authenticators/saml/sp-metadata.ts';
import { AppError } from '../errors/app-error.ts';
import { adminRequestOf, requireAdmin } from '../http/admin-auth.ts';
import { API_SCOPES, requiredScope } from '../http/api-scopes.ts';
import { tenantResourceUrl } from '../http/public-url.ts';
import { AUTHENTICATOR_OF_TYPE, type IdentityProvider, type IdpType, type JitMode } from '../identity-providers/identity-provider.ts';
import { certificateInfo, type IdpInput } from '../identity-providers/idp-service.ts';
import type { Services } from '../services.ts';

const BASE = '/api/server/v1/identity-providers';
const VIA = 'Identity providers API';
/** WSO2's authenticator ids: the base64url of the authenticator name. */
const idOf = (type: IdpType) => Buffer.from(AUTHENTICATOR_OF_TYPE[type]).toString('base64url');
const OIDC_ID = idOf('oidc');
const SAML_ID = idOf('saml');
const JIT_SCHEMES: Record<string, JitMode> = { PROVISION_SILENTLY: 'on', PROMPT_USERNAME_PASSWORD_CONSENT: 'prompt' };

const str = (max: number) => ({ type: 'string', maxLength: max }) as const;
const property = { type: 'object', required: ['key'], properties: { key: str(128), value: str(4096) } } as const;
const body = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str(128),
    description: str(1024),
    isEnabled: { type: 'boolean' },
    claims: {
      type: 'object',
      properties: {
        userIdClaim: { type: 'object', properties: { uri: str(255) } },
        mappings: { type: 'array', maxItems: 100, items: { type: 'object', required: ['idpClaim', 'localClaim'], properties: { idpClaim: str(255), localClaim: { type: 'object', required: ['uri'], properties: { uri: str(255) } } } } },
      },
    },
    federatedAuthenticators: {
      type: 'object',
      properties: {
        defaultAuthenticatorId: str(200),
        authenticators: { type: 'array', maxItems: 4, items: { type: 'object', required: ['authenticatorId'], properties: { authenticatorId: str(200), isEnabled: { type: 'boolean' }, properties: { type: 'array', maxItems: 50, items: property } } } },
      },
    },
    certificate: { type: 'object', properties: { certificates: { type: 'array', maxItems: 10, items: str(16384) } } },
    provisioning: { type: 'object', properties: { jit: { type: 'object', properties: { isEnabled: { type: 'boolean' }, scheme: str(64), userstore: str(64) } } } },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

interface Body {
  name: string;
  description?: string;
  isEnabled?: boolean;
  claims?: { userIdClaim?: { uri?: string }; mappings?: { idpClaim: string; localClaim: { uri: string } }[] };
  federatedAuthenticators?: { defaultAuthenticatorId?: string; authenticators?: { authenticatorId: string; isEnabled?: boolean; properties?: { key: string; value?: string }[] }[] };
  certificate?: { certificates?: string[] };
  provisioning?: { jit?: { isEnabled?: boolean; scheme?: string; userstore?: string } };
}

const SAML_BINDINGS: Record<string, 'redirect' | 'post'> = { redirect: 'redirect', post: 'post' };
const UNSPECIFIED_NAMEID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/** WSO2 keeps an IdP certificate as the Base64 of its PEM; a PEM or a bare Base64 DER is taken too. */
function pemOf(value: string): string {
  const text = value.includes('-----BEGIN') ? value : Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (text.includes('-----BEGIN')) return text.trim();
  return `-----BEGIN CERTIFICATE-----\n${value.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`;
}

/** The SAMLSSOAuthenticator's properties as settings; flags are WSO2's "true"/"false" strings. */
function samlOf(props: Map<string, string>, b: Body): NonNullable<IdpInput['settings']['saml']> {
  const flag = (key: string) => (props.get(key) ?? '').toLowerCase() === 'true';
  if (flag('IsAssertionEncrypted')) throw new AppError('IDP-40001', { description: 'IsAssertionEncrypted: encrypted assertions are not supported; use signed ones.' });
  const method = (props.get('RequestMethod') || 'redirect').toLowerCase();
  const requestBinding = SAML_BINDINGS[method];
  if (!requestBinding) throw new AppError('IDP-40001', { description: 'RequestMethod: redirect or post.' });
  return {
    idpEntityId: props.get('IdPEntityId') ?? '',
    spEntityId: props.get('SPEntityId') ?? '',
    ssoUrl: props.get('SSOUrl') ?? '',
    requestBinding,
    signAuthnRequest: flag('ISAuthnReqSigned') || flag('IsAuthnReqSigned'),
    requireSignedAssertion: flag('isAssertionSigned') || flag('IsAssertionSigned'),
    requireSignedResponse: flag('IsAuthnRespSigned'),
    nameIdFormat: props.get('NameIDType') || UNSPECIFIED_NAMEID,
    certificates: (b.certificate?.certificates ?? []).map(pemOf),
  };
}

/** WSO2's body as a provider; the authenticator id decides the type. */
export function idpInputOf(b: Body): IdpInput {
  const auths = b.federatedAuthenticators?.authenticators ?? [];
  const chosen = auths.find((a) => a.authenticatorId === b.federatedAuthenticators?.defaultAuthenticatorId) ?? auths[0];
  if (!chosen) throw new AppError('IDP-40001', { description: `federatedAuthenticators: one authenticator, ${OIDC_ID} (OpenIDConnectAuthenticator) or ${SAML_ID} (SAMLSSOAuthenticator).` });
  const type: IdpType | undefined = chosen.authenticatorId === OIDC_ID ? 'oidc' : chosen.authenticatorId === SAML_ID ? 'saml' : undefined;
  if (!type) throw new AppError('IDP-40001', { description: `federatedAuthenticators: unknown authenticatorId; use ${OIDC_ID} (OpenIDConnectAuthenticator) or ${SAML_ID} (SAMLSSOAuthenticator).` });
  const props = new Map((chosen.properties ?? []).map((p) => [p.key, (p.value ?? '').trim()]));
  const jit = b.provisioning?.jit;
  const mode: JitMode = jit?.isEnabled ? (JIT_SCHEMES[jit.scheme ?? 'PROVISION_SILENTLY'] ?? 'off') : 'off';
  if (jit?.isEnabled && mode === 'off') throw new AppError('IDP-40001', { description: `provisioning.jit.scheme: one of ${Object.keys(JIT_SCHEMES).join(', ')}.` });
  const clientSecret = props.get('ClientSecret');
  return {
    name: b.name,
    type,
    description: b.description ?? '',
    enabled: b.isEnabled ?? true,
    settings: {
      ...(type === 'saml' ? { saml: samlOf(props, b) } : {}),
      ...(type === 'oidc' ? { oidc: { issuer: props.get('Issuer') ?? '', clientId: props.get('ClientId') ?? '', scopes: (props.get('Scopes') || 'openid email profile').split(/\s+/).filter(Boolean) } } : {}),
      claimMappings: (b.claims?.mappings ?? []).map((m) => ({ remote: m.idpClaim, local: m.localClaim.uri })),
      userIdClaim: b.claims?.userIdClaim?.uri ?? '',
      provisioning: { jit: mode, userstore: jit?.userstore || 'PRIMARY' },
    },
    secrets: clientSecret ? { clientSecret } : {},
  };
}

export async function registerIdentityProviderRoutes(app: FastifyInstance, services: Services): Promise<void> {
  // A token needs WSO2's identity-provider scopes, or its user-management ones for a user's linked accounts.
  app.addHook(
    'preHandler',
    requireAdmin(services.passwords, (request) => requiredScope((request.routeOptions.url ?? '').includes('/federated-associations') ? API_SCOPES.users : API_SCOPES.identityProviders, request)),
  );
  const idps = services.identityProviders;
  const self = (request: FastifyRequest, id: string) => tenantResourceUrl(services.config, request, `${BASE}/${id}`);
  const callback = (request: FastifyRequest) => tenantResourceUrl(services.config, request, '/commonauth');

  const summary = (request: FastifyRequest, i: IdentityProvider) => ({ id: i.id, name: i.name, description: i.description, isEnabled: i.enabled, type: i.type, self: self(request, i.id) });
  const detail = (request: FastifyRequest, i: IdentityProvider) => {
    const s = i.settings;
    const id = idOf(i.type);
    const properties = s.oidc
      ? [
          { key: 'ClientId', value: s.oidc.clientId },
          { key: 'Issuer', value: s.oidc.issuer },
          { key: 'Scopes', value: s.oidc.scopes.join(' ') },
          { key: 'callbackUrl', value: callback(request) },
        ]
      : s.saml
        ? [
            { key: 'IdPEntityId', value: s.saml.idpEntityId },
            { key: 'SPEntityId', value: s.saml.spEntityId },
            { key: 'SSOUrl', value: s.saml.ssoUrl },
            { key: 'ISAuthnReqSigned', value: String(s.saml.signAuthnRequest) },
            { key: 'isAssertionSigned', value: String(s.saml.requireSignedAssertion) },
            { key: 'IsAuthnRespSigned', value: String(s.saml.requireSignedResponse === true) },
            { key: 'RequestMethod', value: s.saml.requestBinding },
            { key: 'NameIDType', value: s.saml.nameIdFormat },
            // WSO2 uses /commonauth as the ACS: register this at the upstream IdP.
            { key: 'callbackUrl', value: callback(request) },
          ]
        : [];
    const certificates = s.saml?.certificates ?? [];
    return {
      ...summary(request, i),
      claims: { userIdClaim: { uri: s.userIdClaim }, mappings: s.claimMappings.map((m) => ({ idpClaim: m.remote, localClaim: { uri: m.local } })) },
      ...(i.type === 'saml'
        ? {
            certificate: { certificates: certificates.map((pem) => Buffer.from(pem, 'utf8').toString('base64')) },
            // Not in WSO2's shape: what each certificate is, so an admin sees a rollover coming.
            certificateInfo: certificates.map((pem) => certificateInfo(pem) ?? { subject: '', validTo: '' }),
          }
        : {}),
      federatedAuthenticators: { defaultAuthenticatorId: id, authenticators: [{ authenticatorId: id, name: AUTHENTICATOR_OF_TYPE[i.type], isEnabled: true, properties }] },
      provisioning: { jit: { isEnabled: s.provisioning.jit !== 'off', scheme: s.provisioning.jit === 'prompt' ? 'PROMPT_USERNAME_PASSWORD_CONSENT' : 'PROVISION_SILENTLY', userstore: s.provisioning.userstore } },
    };
  };

  app.get(BASE, async (request) => {
    const all = await idps.list(request.tenant);
    return { totalResults: all.length, identityProviders: all.map((i) => summary(request, i)) };
  });

  app.post<{ Body: Body }>(BASE, { schema: { body } }, async (request, reply) => {
    const created = await idps.create(adminRequestOf(request, VIA), idpInputOf(request.body));
    return reply.code(201).header('location', self(request, created.id)).send(detail(request, created));
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request) => detail(request, await idps.get(request.tenant, request.params.id)));

  app.put<{ Params: { id: string }; Body: Body }>(`${BASE}/:id`, { schema: { params: idParams, body } }, async (request) =>
    detail(request, await idps.update(adminRequestOf(request, VIA), request.params.id, idpInputOf(request.body))),
  );

  app.delete<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { params: idParams } }, async (request, reply) => {
    await idps.remove(adminRequestOf(request, VIA), request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id/saml-metadata`, { schema: { params: idParams } }, async (request, reply) => {
    const idp = await idps.get(request.tenant, request.params.id);
    if (!idp.settings.saml) throw new AppError('IDP-40401');
    const keys = await services.keys.keys(request.tenant, 'saml');
    return reply.type('application/samlmetadata+xml').send(buildSpMetadata(idp.settings.saml, callback(request), keys.published.map((k) => k.certificateBase64)));
  });

  const USER_LINKS = '/api/users/v1/:userId/federated-associations';
  const userParams = { type: 'object', required: ['userId'], properties: { userId: { type: 'string', minLength: 1, maxLength: 200 }, id: { type: 'string', maxLength: 64 } } } as const;
  const linkBody = { type: 'object', required: ['idp', 'federatedUserId'], properties: { idp: { type: 'object', required: ['id'], properties: { id: str(64) } }, federatedUserId: str(255) } } as const;
  const userOf = async (request: FastifyRequest, id: string) => services.userAdmin.require(adminRequestOf(request, VIA), id);
  const linkJson = (a: { id: string; idpId: string; idpName: string; idpUserId: string }) => ({ id: a.id, idp: { id: a.idpId, name: a.idpName }, federatedUserId: a.idpUserId });

  app.get<{ Params: { userId: string } }>(USER_LINKS, { schema: { params: userParams } }, async (request) => {
    const user = await userOf(request, request.params.userId);
    return (await idps.associationsOf(request.tenant, user)).map(linkJson);
  });

  app.post<{ Params: { userId: string }; Body: { idp: { id: string }; federatedUserId: string } }>(USER_LINKS, { schema: { params: userParams, body: linkBody } }, async (request, reply) => {
    const user = await userOf(request, request.params.userId);
    const made = await idps.link(adminRequestOf(request, VIA), user, request.body.idp.id, request.body.federatedUserId);
    const idp = await idps.get(request.tenant, made.idpId);
    return reply.code(201).send(linkJson({ ...made, idpName: idp.name }));
  });

  app.delete<{ Params: { userId: string; id: string } }>(`${USER_LINKS}/:id`, { schema: { params: userParams } }, async (request, reply) => {
    const user = await userOf(request, request.params.userId);
    await idps.unlink(adminRequestOf(request, VIA), user, request.params.id);
    return reply.code(204).send();
  });
}
