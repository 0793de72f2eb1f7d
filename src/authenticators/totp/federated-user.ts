// The TOTP step after a federated step (an upstream provider vouched for an account, no local user yet): the
// local user comes from the tenant's `usecase` parameter (identity-providers/federated-users.ts). When none is
// found: with the provider's JIT provisioning on, the account it provisioned earlier (linked) is used, or this
// is the account's first login and it enrols here before it exists (federated-enrolment.ts); with JIT off, the
// login ends on a page that says what is missing (no local user, or no linked account).
import type { TotpParameters } from '../../config/index.ts';
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';
import type { FederatedIdentity, IdentityProvider } from '../../identity-providers/identity-provider.ts';
import type { StepContext, StepOutcome } from '../authenticator.ts';

export type Resolution = { ctx: StepContext } | { outcome: StepOutcome } | { firstLogin: { idp: IdentityProvider; identity: FederatedIdentity } };

export async function resolveFederatedUser(users: FederatedUsers | undefined, ctx: StepContext, params: TotpParameters): Promise<Resolution> {
  const identity = ctx.federated;
  if (ctx.user || !identity || !users) return { ctx };
  const found = await users.byUsecase(ctx.tenant, identity, params);
  if ('user' in found) return { ctx: { ...ctx, user: found.user } };
  const idp = await users.provider(ctx.tenant, identity);
  if (!idp?.enabled) return { outcome: { kind: 'fail', view: 'error', failure: { reason: 'federation.idp.unavailable' } } };
  if (idp.settings.provisioning.jit !== 'on') return { outcome: { kind: 'fail', view: 'error', failure: { reason: found.missing } } };
  const linked = await users.linked(ctx.tenant, identity);
  if (linked) return { ctx: { ...ctx, user: linked } };
  return { firstLogin: { idp, identity } };
}
