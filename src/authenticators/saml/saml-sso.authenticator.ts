// An upstream SAML 2.0 IdP as an authenticator (WSO2's SAMLSSOAuthenticator): this server is the upstream's
// service provider. Each sequence option names the identity provider, e.g. {idp: "Corp", authenticator:
// "SAMLSSOAuthenticator"}, and the chooser shows "Sign in with Corp". The step sends an AuthnRequest
// (authn-request.ts; by redirect, or by an auto-posting page for HTTP-POST) with RelayState bound to this login (its sessionDataKey plus a random part, single use);
// the upstream posts its Response back to /commonauth (or /t/{tenant}/commonauth, WSO2's ACS), where
// response-check.ts verifies it and the Assertion ID is recorded once in the database (replay refused on every
// node). The NameID is the upstream subject; the attributes are mapped to local claims, and the local user is
// found later (TOTP's `usecase`, the link, or JIT provisioning), or here after the JIT prompt.
import { randomBytes } from 'node:crypto';
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';
import { AUTHENTICATOR_OF_TYPE, federatedIdentityOf } from '../../identity-providers/identity-provider.ts';
import type { SigningKey } from '../../saml-core/signature.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Authenticator, FormFields, StepContext, StepOutcome } from '../authenticator.ts';
import { federatedOutcome } from '../federation/jit-prompt.ts';
import { providerNamed, upstreamAuthenticator, type EnabledProviders } from '../federation/upstream-authenticator.ts';
import { sendAuthnRequest } from './authn-request.ts';
import { checkResponse, ResponseRefused } from './response-check.ts';

export interface SamlFederationDeps {
  idps: EnabledProviders;
  federatedUsers: FederatedUsers;
  /** Assertion IDs accepted once (identity-providers/assertion-ids.ts). */
  assertionIds: { firstUse(tenantId: string, idpId: string, assertionId: string, expiresAt: number): Promise<boolean> };
  /** The tenant's active SAML signing key (the key service, injected by the composition root). */
  signingKey(tenant: Tenant): Promise<SigningKey>;
  /** The absolute /commonauth URL of a tenant: our ACS at the upstream. */
  acsUrl(tenant: Tenant): string;
  /** Where a refusal's detail goes (never to the page). */
  log?: (message: string) => void;
}

interface Pending {
  /** The AuthnRequest's ID: the Response's InResponseTo. */
  requestId?: string;
  relayState?: string;
  prompt?: ReturnType<typeof federatedIdentityOf>;
  /** HTTP-POST binding: what the auto-posting page sends to the upstream. */
  post?: { action: string; fields: Record<string, string> };
}

const fail = (reason: string): StepOutcome => ({ kind: 'fail', failure: { reason } });

export function createSamlFederatedAuthenticator(deps: SamlFederationDeps): Authenticator {
  const providerOf = (ctx: StepContext) => providerNamed(deps.idps, ctx, 'saml');

  async function begin(ctx: StepContext): Promise<StepOutcome> {
    const idp = await providerOf(ctx);
    if (!idp) return fail('federation.idp.unavailable');
    const upstream = idp.settings.saml!;
    const state = ctx.state as Pending;
    delete state.prompt;
    delete state.post;
    // 36 + 1 + 22 characters: within the 80 bytes SAML bindings 3.4.3 allow.
    state.relayState = `${ctx.contextId}.${randomBytes(16).toString('base64url')}`;
    const key = upstream.signAuthnRequest ? await deps.signingKey(ctx.tenant) : undefined;
    const sent = sendAuthnRequest(upstream, deps.acsUrl(ctx.tenant), state.relayState, ctx.now, key);
    state.requestId = sent.id;
    if (sent.binding === 'redirect') return { kind: 'redirect', location: sent.location };
    state.post = { action: sent.action, fields: sent.fields };
    return { kind: 'show', view: 'saml_post' };
  }

  async function callback(ctx: StepContext, form: FormFields): Promise<StepOutcome> {
    const state = ctx.state as Pending;
    const { requestId, relayState } = state;
    // One use: a replayed post finds nothing to answer.
    delete state.requestId;
    delete state.relayState;
    delete state.post;
    if (!requestId || !relayState || form.RelayState !== relayState) return fail('federation.state.mismatch');
    const idp = await providerOf(ctx);
    if (!idp) return fail('federation.idp.unavailable');
    const upstream = idp.settings.saml!;
    let checked;
    try {
      checked = checkResponse(form.SAMLResponse ?? '', {
        idpEntityId: upstream.idpEntityId,
        spEntityId: upstream.spEntityId,
        acs: deps.acsUrl(ctx.tenant),
        requestId,
        certificates: upstream.certificates,
        requireSignedAssertion: upstream.requireSignedAssertion,
        requireSignedResponse: upstream.requireSignedResponse === true,
        now: ctx.now,
      });
    } catch (err) {
      if (!(err instanceof ResponseRefused)) throw err;
      // The detail may quote the upstream (its status code): printable and short in the log.
      deps.log?.(`upstream SAML Response from ${idp.name} refused: ${err.detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)}`);
      return fail(err.reason);
    }
    if (!(await deps.assertionIds.firstUse(ctx.tenant.id, idp.id, checked.assertionId, checked.rememberUntil))) {
      deps.log?.(`upstream SAML Response from ${idp.name} refused: assertion replayed`);
      return fail('federation.upstream.invalid');
    }
    const identity = federatedIdentityOf(idp, checked.nameId, checked.attributes);
    return federatedOutcome(ctx, idp, identity, deps.federatedUsers);
  }

  return upstreamAuthenticator({
    name: AUTHENTICATOR_OF_TYPE.saml,
    alias: 'saml',
    displayName: 'SAML 2.0',
    federatedUsers: deps.federatedUsers,
    providerOf,
    begin,
    isAnswer: (form) => form.SAMLResponse !== undefined,
    answer: callback,
    page(ctx, view) {
      const post = (ctx.state as Pending).post;
      // `postTo` lets the page's policy allow the post to the upstream's origin (ui/authentication-endpoint.ts).
      return view === 'saml_post' && post ? { template: 'saml_post', title: `Continuing to ${ctx.idp ?? 'your identity provider'}`, data: { idpName: ctx.idp ?? '', postTo: post.action, fields: post.fields } } : undefined;
    },
  });
}
