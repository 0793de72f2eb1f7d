// What the login engine (engine.ts) takes and gives: the browser as a front describes it, how a front starts a
// login, what the HTTP layer must do afterwards, the engine's dependencies, and a loaded login context.
import type { Failure, StepOutcome } from '../authenticators/authenticator.ts';
import type { AuthenticatorRegistry } from '../authenticators/registry.ts';
import type { Application } from '../applications/application.ts';
import type { ApplicationStore } from '../applications/application-store.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { FederatedIdentity } from '../identity-providers/identity-provider.ts';
import type { Tenant, TenantService } from '../tenants/tenant-service.ts';
import type { AccountState } from '../users/lockout.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { UserService } from '../users/user-service.ts';
import type { ContextStore, StoredContext } from './context-store.ts';
import type { FlowState } from './flow-state.ts';
import type { FrontRegistry, FrontResponse, Protocol, ProtocolStates } from './fronts.ts';
import type { SsoSession, SsoSessionStore } from './sso-session.ts';
import type { SsoReuse } from './sso-reuse.ts';

export interface Browser {
  /** Cookies the browser sent: session nonces by context id, and commonAuthId. */
  nonce(contextId: string): string | undefined;
  ssoCookie: string | undefined;
  remoteAddress: string;
  traceId: string;
}

/** OpenID Connect's prompt values (core 3.1.2.1). */
export type Prompt = 'none' | 'login' | 'consent' | 'select_account';

export interface StartLogin<P extends Protocol = Protocol> {
  tenant: Tenant;
  tenantQualified: boolean;
  application: Application;
  protocol: P;
  protocolState: ProtocolStates[P];
  /** Every step is done again, whatever the SSO session passed (SAML ForceAuthn, OIDC prompt=login). */
  forceAuthn?: boolean;
  /** No page may be shown: the login finishes from the SSO session or fails (SAML IsPassive, OIDC prompt=none). */
  passive?: boolean;
  /** OIDC max_age, in seconds: steps the SSO session passed longer ago are done again (0: all of them). */
  maxAge?: number;
  /** OIDC acr_values: asking for ACR.multiFactor adds a one-time-code step when the sequence has none. */
  acrValues?: readonly string[];
  /** OIDC login_hint: the user name the login page starts with. */
  loginHint?: string;
  /** OIDC prompt: 'none' is passive, 'login' is forceAuthn; consent and account choice are the front's. */
  prompt?: ReadonlySet<Prompt>;
  /** Link an upstream account instead of signing in (flows/link.ts): the one upstream option to sign in at. */
  link?: string;
}

/** What the HTTP layer must do; cookies are described, not written, so the engine stays HTTP-free. */
export interface EngineResponse {
  response: FrontResponse;
  setNonce?: { contextId: string; value: string };
  clearNonce?: string;
  setSso?: string;
  clearSso?: boolean;
  /**
   * What the current step's authenticator answered to a submission it handled (WSO2's canHandle). 'show' means
   * it stays on its step with nothing to report, e.g. "Get a Verification Code" sent the code.
   */
  submitted?: StepOutcome['kind'];
}

export interface EngineDeps {
  contexts: ContextStore;
  sso: SsoSessionStore;
  /** Finds the SSO sessions a login may reuse: only while their account is usable. */
  ssoReuse: SsoReuse;
  authenticators: AuthenticatorRegistry;
  fronts: FrontRegistry;
  applications: ApplicationStore;
  tenants: TenantService;
  users: UserService;
  audit: AuditLog;
  now: () => number;
  /** The local user of an upstream account at the end of a login (link, or JIT provisioning); none: no federation. */
  federation?: FederationFinish;
}

/** Finds (or provisions) the local user of an upstream account; a failure is a page the user can act on. */
export interface FederationFinish {
  userAtFinish(tenant: Tenant, identity: FederatedIdentity, via: { traceId: string; remoteAddress: string; application: string }): Promise<{ user: UserRecord } | { failure: Failure }>;
}

export interface Loaded {
  stored: StoredContext;
  state: FlowState;
  tenant: Tenant;
  application: Application;
  user: UserRecord | undefined;
  sso: SsoSession | undefined;
  /** The account state of `user` a step read in this request (never saved with the context). */
  account?: { userId: string; state: AccountState };
}
