// What every upstream provider's authenticator (OpenID Connect, SAML 2.0) has in common: it identifies the user
// (at the upstream), proves 'fed', is offered per identity provider, comes back to /commonauth, and may stop at
// the shared JIT prompt before the account exists. Each protocol gives only its own parts: how to send the user
// upstream, how to recognise and check the answer, and any page of its own (SAML's auto-posting form).
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';
import type { IdentityProvider } from '../../identity-providers/identity-provider.ts';
import type { Authenticator, FormFields, PageModel, StepContext, StepOutcome } from '../authenticator.ts';
import { jitPromptPage, jitPromptSubmit } from './jit-prompt.ts';

/** The tenant's identity providers, as the upstream authenticators see them. */
export interface EnabledProviders {
  enabledByName(tenant: StepContext['tenant'], name: string): Promise<IdentityProvider | undefined>;
}

/** The enabled provider the login's option names, if it is of this protocol and has its settings. */
export async function providerNamed(idps: EnabledProviders, ctx: StepContext, type: 'oidc' | 'saml'): Promise<IdentityProvider | undefined> {
  const idp = ctx.idp ? await idps.enabledByName(ctx.tenant, ctx.idp) : undefined;
  return idp?.type === type && idp.settings[type] ? idp : undefined;
}

export interface UpstreamProtocol {
  /** WSO2's authenticator name, e.g. OpenIDConnectAuthenticator. */
  name: string;
  alias: string;
  displayName: string;
  federatedUsers: FederatedUsers;
  /** The enabled provider of this protocol the login's option names. */
  providerOf(ctx: StepContext): Promise<IdentityProvider | undefined>;
  /** Sends the user upstream. */
  begin(ctx: StepContext): Promise<StepOutcome>;
  /** Whether a POST to /commonauth is the upstream's answer (WSO2's canHandle). */
  isAnswer(form: FormFields): boolean;
  /** Checks the answer; ends with federatedOutcome (jit-prompt.ts). */
  answer(ctx: StepContext, form: FormFields): Promise<StepOutcome>;
  /** A page of the protocol's own, or undefined for the JIT prompt. */
  page?(ctx: StepContext, view: string): PageModel | undefined;
}

export function upstreamAuthenticator(p: UpstreamProtocol): Authenticator {
  return {
    name: p.name,
    aliases: [p.alias],
    displayName: p.displayName,
    amr: ['fed'],
    identifiesUser: true,
    federated: true,
    pageType: p.name,
    enabled: () => true,
    begin: (ctx) => p.begin(ctx),
    canHandle: (form) => p.isAnswer(form) || form.jitUsername !== undefined,
    submit: (ctx, form) => (form.jitUsername !== undefined ? jitPromptSubmit(ctx, form, p.federatedUsers, (c) => p.providerOf(c)) : p.answer(ctx, form)),
    describe: async (ctx, view, failure) => p.page?.(ctx, view) ?? jitPromptPage(ctx, view, failure),
    pageUrl: async () => 'authenticationendpoint/login.do',
  };
}
