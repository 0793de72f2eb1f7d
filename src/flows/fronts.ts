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
  /** The authentication context class reached (flows/acr.ts), beside amr. */
  acr: string;
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

/**
 * Each protocol declares the state its logins carry, by merging into this interface from its own folder
 * (`declare module '.../flows/fronts.ts' { interface ProtocolStates { saml: SamlLoginState } }`). A login
 * started for protocol P carries ProtocolStates[P], and P's front receives exactly that type back.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ProtocolStates {}

export type Protocol = keyof ProtocolStates & string;

export interface LoginFront<P extends Protocol = Protocol> {
  readonly protocol: P;
  /**
   * The login succeeded: answer the application. May return participant data for SSO logout. `sso: false`
   * means the front refuses the user (e.g. the console for anyone but the tenant's admin): no SSO session is
   * created, and an existing one is neither extended nor joined.
   */
  complete(result: LoginResult, protocolState: ProtocolStates[P]): Promise<{ response: FrontResponse; participantData?: unknown; sso?: boolean }>;
  /**
   * The login failed or the user gave up. Return the protocol's error answer for the application, or
   * undefined when the protocol has none (the user then stays on our error page).
   */
  fail(failure: Failure, protocolState: ProtocolStates[P], application: Application): Promise<FrontResponse | undefined>;
}

/** A front as the engine calls it, with the state it stored for that front's protocol (see register). */
export interface StoredFront {
  complete(result: LoginResult, protocolState: unknown): ReturnType<LoginFront['complete']>;
  fail(failure: Failure, protocolState: unknown, application: Application): Promise<FrontResponse | undefined>;
}

export class FrontRegistry {
  private readonly fronts = new Map<string, StoredFront>();

  register<P extends Protocol>(front: LoginFront<P>): void {
    // The one place state is untyped: LoginEngine.start stored ProtocolStates[P] under protocol P, and the
    // engine hands it back only to the front registered for P.
    this.fronts.set(front.protocol, front as unknown as StoredFront);
  }

  get(protocol: string): StoredFront {
    const front = this.fronts.get(protocol);
    if (!front) throw new Error(`no login front for protocol ${protocol}`);
    return front;
  }
}
