// JIT provisioning with "prompt for user name and password" (WSO2's PROMPT_USERNAME_PASSWORD_CONSENT), shared
// by the upstream authenticators (OpenID Connect, SAML 2.0): after the upstream login, a user with no linked account picks a local user name and password; the account is created in
// the provider's JIT user store through the password policy and linked to the upstream account.
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';
import type { FederatedIdentity, IdentityProvider } from '../../identity-providers/identity-provider.ts';
import { isAppError } from '../../errors/app-error.ts';
import type { Failure, FormFields, PageModel, StepContext, StepOutcome } from '../authenticator.ts';

/**
 * What an upstream sign-in ends with: the account, or first the prompt page when the provider provisions on a
 * prompt and the account is linked to nobody yet. Never the prompt while linking from My Account (no user is made then).
 */
export async function federatedOutcome(ctx: StepContext, idp: IdentityProvider, identity: FederatedIdentity, users: FederatedUsers): Promise<StepOutcome> {
  if (idp.settings.provisioning.jit === 'prompt' && !ctx.linking && !(await users.linked(ctx.tenant, identity))) {
    (ctx.state as { prompt?: FederatedIdentity }).prompt = identity;
    return { kind: 'show', view: 'jit_prompt' };
  }
  return { kind: 'federated', identity, amr: ['fed'] };
}

export async function jitPromptSubmit(ctx: StepContext, form: FormFields, users: FederatedUsers, providerOf: (ctx: StepContext) => Promise<IdentityProvider | undefined>): Promise<StepOutcome> {
  const identity = (ctx.state as { prompt?: FederatedIdentity }).prompt;
  if (!identity) return { kind: 'fail', failure: { reason: 'federation.state.mismatch' } };
  const username = (form.jitUsername ?? '').trim().slice(0, 255);
  const password = form.jitPassword ?? '';
  ctx.state.jitUsername = username;
  if (!username || !password || username.includes('/')) return { kind: 'retry', view: 'jit_prompt', failure: { reason: 'federation.jit.invalid' } };
  const idp = await providerOf(ctx);
  if (!idp || idp.id !== identity.idpId) return { kind: 'fail', failure: { reason: 'federation.idp.unavailable' } };
  try {
    const made = await users.provision(ctx.tenant, idp, identity, username, password, { traceId: ctx.traceId, remoteAddress: ctx.remoteAddress, application: ctx.application.name });
    if ('missing' in made) return { kind: 'retry', view: 'jit_prompt', failure: { reason: made.missing } };
    delete ctx.state.prompt;
    delete ctx.state.jitUsername;
    return { kind: 'success', user: made.user, amr: ['fed'] };
  } catch (err) {
    // The name or the password does not meet the store's rules: said plainly, the password is not echoed.
    if (isAppError(err) && err.code.startsWith('USR-400')) return { kind: 'retry', view: 'jit_prompt', failure: { reason: err.code === 'USR-40002' ? 'federation.jit.password' : 'federation.jit.invalid' } };
    throw err;
  }
}

/** The prompt page: the upstream account waiting in the login's state, and the user name typed so far. */
export function jitPromptPage(ctx: StepContext, view: string, failure: Failure | undefined): PageModel {
  const prompt = (ctx.state as { prompt?: FederatedIdentity }).prompt;
  return {
    template: 'federation_prompt',
    title: 'Create your account',
    data: { idpName: prompt?.idpName ?? ctx.idp ?? '', username: typeof ctx.state.jitUsername === 'string' ? ctx.state.jitUsername : (prompt?.username ?? ''), failure, view },
  };
}
