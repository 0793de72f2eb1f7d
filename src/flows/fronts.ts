// Protocol fronts (SAML, OIDC, My Account) start logins and answer the application when a login ends.
// The engine knows them only through this interface, so flows/ never imports a protocol.
import type { Failure } from '../authenticators/authenticator.ts';
import type { Application } from '../applications/application.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { UserRecord } from '../users/user-store.ts';
import type { CompletedStep } from './flow-state.ts';

export interface LoginResult {
  tenant: Tenant;
  application: Application;
  user: UserRecord;
  /** RFC 8176 methods proven, in step order without repeats (e.g. ['pwd', 'otp']). */
  amr: string[];
  /** When the user last actively authenticated (seconds are what protocols send; this is ms). */
  authTime: number;
  steps: CompletedStep[];
  /** Hashed id of the SSO session the login created or extended. */
  ssoSessionId: string;
}

/** What the browser should receive: a redirect, or a page (e.g. SAML's auto-posting form). */
export type FrontResponse =
  | { kind: 'redirect'; location: string }
  | { kind: 'html'; body: string; /** A Content-Security-Policy the page needs (e.g. form-action to an ACS). */ csp?: string };

export interface LoginFront {
  readonly protocol: string;
  /**
   * The login succeeded: answer the application. May return participant data for SSO logout. `sso: false`
   * means the front refuses the user (e.g. the console for anyone but the tenant's admin): no SSO session is
   * created, and an existing one is neither extended nor joined.
   */
  complete(result: LoginResult, protocolState: unknown): Promise<{ response: FrontResponse; participantData?: unknown; sso?: boolean }>;
  /**
   * The login failed or the user gave up. Return the protocol's error answer for the application, or
   * undefined when the protocol has none (the user then stays on our error page).
   */
  fail(failure: Failure, protocolState: unknown, application: Application): Promise<FrontResponse | undefined>;
}

export class FrontRegistry {
  private readonly fronts = new Map<string, LoginFront>();

  register(front: LoginFront): void {
    this.fronts.set(front.protocol, front);
  }

  get(protocol: string): LoginFront {
    const front = this.fronts.get(protocol);
    if (!front) throw new Error(`no login front for protocol ${protocol}`);
    return front;
  }
}
