// Linking an upstream account to a user who is already signed in (My Account's "Link your account at X"). The
// front starts a login whose one step is the chosen provider's option (StartLogin.link): the same authenticator
// as a normal login, so the upstream sign-in and its checks are the same, but it ends differently. When the
// upstream step returns its account ({kind: 'federated'}), the engine hands that account to the front instead of
// finishing a login: no local user is found, chosen or provisioned (no JIT, no "prompt" page: StepContext.linking),
// the SSO session is neither created nor changed, so who is signed in stays the same. The front decides (in the
// browser's own session) whether to link.
import type { FederatedIdentity } from '../identity-providers/identity-provider.ts';
import type { AuthenticatorRegistry } from '../authenticators/registry.ts';
import { AppError } from '../errors/app-error.ts';
import type { Browser, EngineDeps, EngineResponse, Loaded } from './engine-types.ts';
import type { FlowState } from './flow-state.ts';
import type { FrontResponse, LoginFront, Protocol, ProtocolStates } from './fronts.ts';

/** The browser the upstream sent back, for the front to check it is the session that started the link. */
export type LinkBrowser = Pick<Browser, 'ssoCookie' | 'remoteAddress' | 'traceId'>;

/** A front whose logins link an account rather than sign anyone in. `complete` is never called for them. */
export interface LinkFront<P extends Protocol = Protocol> extends LoginFront<P> {
  linked(identity: FederatedIdentity, protocolState: ProtocolStates[P], browser: LinkBrowser): Promise<FrontResponse>;
}

/** The one step of a linking login: the upstream option ("<authenticator>:<provider>"), if it is a federated authenticator. */
export function linkSteps(authenticators: AuthenticatorRegistry, option: string): FlowState['steps'] {
  const auth = authenticators.find(option);
  if (!auth?.federated || !auth.enabled() || !option.includes(':')) throw new AppError('FLW-40001', { description: 'Not an upstream identity provider that can be linked.' });
  return [{ options: [option] }];
}

/** The end of a linking login: the context goes, the front gets the upstream account; nothing else changes. */
export async function finishLink(deps: EngineDeps, loaded: Loaded, browser: Browser): Promise<EngineResponse> {
  const { state } = loaded;
  await deps.contexts.remove(loaded.stored);
  const front = deps.fronts.get(state.protocol) as Partial<Pick<LinkFront, 'linked'>>;
  if (!state.federated || !front.linked) throw new AppError('FLW-40002', { description: 'This sign-in did not return an upstream account to link.' });
  const response = await front.linked(state.federated, state.protocolState as never, { ssoCookie: browser.ssoCookie, remoteAddress: browser.remoteAddress, traceId: browser.traceId });
  return { response, clearNonce: loaded.stored.id };
}
