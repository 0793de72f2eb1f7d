// What a login in progress remembers between requests; stored as JSON in auth_contexts.
import type { Failure } from '../authenticators/authenticator.ts';
import type { FederatedIdentity } from '../identity-providers/identity-provider.ts';

export interface StepSnapshot {
  /** Authenticator names, in the order the application lists them. */
  options: string[];
}

export interface CompletedStep {
  step: number;
  authenticator: string;
  amr: string[];
  at: number;
  /** True when an existing SSO session satisfied the step. */
  fromSso?: boolean;
}

export interface FlowState {
  tenantId: string;
  tenantDomain: string;
  /** Whether the login started on a /t/{tenant}/ URL (pages stay tenant-qualified then). */
  tenantQualified: boolean;
  application: { id: string; name: string };
  /** The protocol front that started the login, and its own state (e.g. the SAML AuthnRequest). */
  protocol: string;
  protocolState: unknown;
  /** The sequence as it was when the login started, so an edit mid-login cannot confuse it. */
  steps: StepSnapshot[];
  subjectStep: number;
  stepIndex: number;
  /** The option chosen in the current step (undefined until one is chosen, for multi-option steps). */
  chosen?: string;
  /** The page the user should see now. */
  view?: string;
  notice?: string;
  failure?: Failure;
  /** Set when the login ended in failure; only the error page and "back to application" remain. */
  failed?: boolean;
  user?: { id: string; storeDomain: string; username: string };
  completed: CompletedStep[];
  /** The upstream account a federated step returned, until a local user is known (identity-providers/). */
  federated?: FederatedIdentity;
  /** Per-authenticator private state. */
  authState: Record<string, Record<string, unknown>>;
  forceAuthn: boolean;
  passive: boolean;
  /** OIDC max_age in ms: a step the SSO session passed longer ago than this is done again. */
  maxAgeMs?: number;
  /** OIDC login_hint: the user name the identifying page starts with. */
  loginHint?: string;
  /** WSO2's multiOptionURI, as the request that entered the current step carried it: echoed to external pages. */
  multiOptionURI?: string;
  /** A login that links an upstream account to a signed-in user rather than signing in (flows/link.ts). */
  link?: boolean;
  /** The SSO session (hashed id) this login may reuse, if the browser had one. */
  ssoSessionId?: string;
}
