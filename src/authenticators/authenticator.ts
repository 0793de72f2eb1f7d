// The contract between the login engine and an authenticator (basic, totp, ...). The engine owns the
// flow: it loads the context, asks the current step's authenticator what to do, saves the context and moves
// on. Authenticators never write HTML or touch HTTP: they answer with outcomes and describe their pages.
import type { FederatedIdentity } from '../identity-providers/identity-provider.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { AccountState } from '../users/lockout.ts';
import type { UserRecord } from '../users/user-store.ts';

/** Form fields posted to /commonauth (WSO2's names: username, password, token, ENABLE_TOTP, sendToken, ...). */
export type FormFields = Readonly<Record<string, string | undefined>>;

export interface StepContext {
  readonly tenant: Tenant;
  readonly application: { id: string; name: string };
  /** The user an earlier step identified (undefined in the identifying step). */
  readonly user: UserRecord | undefined;
  /** This authenticator's own state in the login, kept between requests. Mutate it; the engine saves it. */
  readonly state: Record<string, unknown>;
  /** The sessionDataKey, e.g. to bind encrypted values to this login. */
  readonly contextId: string;
  readonly now: number;
  readonly remoteAddress: string;
  readonly traceId: string;
  /** Whether this step offers other options the user could choose instead. */
  readonly hasAlternatives: boolean;
  /** For a federated authenticator: the identity provider this option names (the sequence's `idp`). */
  readonly idp?: string | undefined;
  /** The upstream account an earlier federated step returned, when no local user is known yet. */
  readonly federated?: FederatedIdentity | undefined;
  /** The login links an upstream account to a signed-in user (flows/link.ts): find, ask for and provision no local user. */
  readonly linking?: boolean;
  /**
   * `user`'s account state as the previous step read it in this same request (the password step, before its
   * comparison), so the next step's entry check need not read it again; undefined otherwise (read it). The
   * decisive checks stay in the statements that let a user in (acceptTotpStep), so a lock since still wins.
   */
  readonly account?: AccountState | undefined;
}

/** Why a step failed, for pages and audit: an i18n-style key, plus user-safe details. */
export interface Failure {
  reason: string;
  /** Shown only when the authenticator's settings allow it (showAuthFailureReason). */
  details?: { remainingAttempts?: number; unlockTime?: number; lockedReason?: string };
  /** Extra URL parameters for WSO2 compatibility (errorCode, lockedReason, ...). */
  params?: Record<string, string>;
}

export type StepOutcome =
  /** Show one of this authenticator's pages. */
  | { kind: 'show'; view: string; notice?: string }
  /** Wrong input: show the page again with the failure. */
  | { kind: 'retry'; view: string; failure: Failure }
  /**
   * The step is done; `user` is who it proved (the same user as before for non-identifying steps). `account`:
   * the user's account state the step has just read, handed to the next step of the same request only.
   */
  | { kind: 'success'; user: UserRecord; amr: readonly string[]; account?: AccountState }
  /** The step does not apply (e.g. TOTP not enrolled and not mandatory); `user`: the local user it found all the same (after a federated step). */
  | { kind: 'skip'; user?: UserRecord }
  /** The login cannot continue (locked account, enrolment refused); show an error page and end it. */
  | { kind: 'fail'; failure: Failure; view?: string }
  /** Send the browser to an upstream identity provider; it comes back to /commonauth. */
  | { kind: 'redirect'; location: string }
  /**
   * An upstream provider vouched for an account that is not (yet) a local user: a later step (TOTP, by its
   * `usecase`) or the end of the login finds, links or provisions the local user.
   */
  | { kind: 'federated'; identity: FederatedIdentity; amr: readonly string[] };

export interface PageModel {
  /** Template name in src/ui/views (or the theme folder). */
  template: string;
  title: string;
  data: Record<string, unknown>;
}

export interface Authenticator {
  /** WSO2's name, used in application sequences: 'BasicAuthenticator', 'totp'. */
  readonly name: string;
  /** Other names accepted in sequences (e.g. 'basic'). */
  readonly aliases: readonly string[];
  readonly displayName: string;
  /** RFC 8176 methods this authenticator proves, e.g. ['pwd'] or ['otp']. */
  readonly amr: readonly string[];
  /** True when the authenticator finds the user (basic); false when it needs one from an earlier step. */
  readonly identifiesUser: boolean;
  /** True for an upstream provider's authenticator: each sequence option names the identity provider (`idp`). */
  readonly federated?: boolean;
  /** Whether the deployment enables it (e.g. [authentication.authenticator.totp] enable). */
  enabled(): boolean;
  /** First visit to the step. */
  begin(ctx: StepContext): Promise<StepOutcome>;
  /** Whether a /commonauth POST is meant for this authenticator (WSO2's canHandle). */
  canHandle(form: FormFields): boolean;
  submit(ctx: StepContext, form: FormFields): Promise<StepOutcome>;
  /** What a page shows (the engine renders it); `failure` is the last failure, if any. */
  describe(ctx: StepContext, view: string, failure: Failure | undefined): Promise<PageModel>;
  /** URL of a view: relative (served by us, tenant-qualified) or absolute (an external login UI). */
  pageUrl(ctx: StepContext, view: string): Promise<string>;
  /**
   * Extra query parameters for a view served on another host (an absolute pageUrl), e.g. WSO2's `ske` when the
   * deployment allows it. Our own pages read the login's context instead, so they never get these.
   */
  externalPageParams?(ctx: StepContext, view: string): Promise<Record<string, string>>;
  /** WSO2's `authenticators=` and `type=` values for page URLs. */
  readonly pageType: string;
}
