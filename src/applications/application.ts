// An application (WSO2: service provider) of a tenant: how it talks to us (SAML, OIDC) and how its users
// log in (an authentication sequence of steps, each a set of alternative authenticators).

export interface SequenceOption {
  /** Always 'LOCAL' today; federated identity providers are not supported yet. */
  idp: string;
  authenticator: string;
}

export interface SequenceStep {
  id: number;
  options: SequenceOption[];
}

export interface AuthenticationSequence {
  /** DEFAULT: the basic authenticator only. USER_DEFINED: `steps`. */
  type: 'DEFAULT' | 'USER_DEFINED';
  steps: SequenceStep[];
  /** The step whose user becomes the subject (WSO2: subjectStepId). */
  subjectStepId: number;
  /** The step whose user's attributes are sent (WSO2: attributeStepId). */
  attributeStepId: number;
}

export interface RequestedClaim {
  claim: { uri: string };
  mandatory: boolean;
}

export interface ClaimConfiguration {
  requestedClaims: RequestedClaim[];
  subject?: { claim?: { uri: string }; includeUserDomain?: boolean; includeTenantDomain?: boolean };
}

export interface Application {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  /** Where the application's users start (used for "back to the application" links). */
  accessUrl: string;
  /** 'system' applications (My Account) are built in: they can be configured but not deleted. */
  kind: 'custom' | 'system';
  authenticationSequence: AuthenticationSequence;
  claimConfiguration: ClaimConfiguration;
  /** Protocol settings by protocol name ('saml', 'oidc'); each front validates and reads its own. */
  inboundProtocols: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export const DEFAULT_SEQUENCE: AuthenticationSequence = {
  type: 'DEFAULT',
  steps: [{ id: 1, options: [{ idp: 'LOCAL', authenticator: 'BasicAuthenticator' }] }],
  subjectStepId: 1,
  attributeStepId: 1,
};

export const MY_ACCOUNT_APP = 'My Account';
export const CONSOLE_APP = 'Console';

/** A built-in application every tenant has, created on first use with the default sequence (basic only). */
export interface SystemApplication {
  name: string;
  description: string;
  accessUrl: string;
}

export const SYSTEM_APPLICATIONS = {
  myAccount: { name: MY_ACCOUNT_APP, description: 'The self-service account page (/myaccount).', accessUrl: '/myaccount' },
  console: { name: CONSOLE_APP, description: 'The management console (/console); only the tenant admin gets in.', accessUrl: '/console' },
} as const satisfies Record<string, SystemApplication>;

/** True when `name` is taken by a built-in application (names compare case-insensitively). */
export function isSystemApplicationName(name: string): boolean {
  return Object.values(SYSTEM_APPLICATIONS).some((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** A user-defined sequence from authenticator names per step, e.g. [['BasicAuthenticator'], ['totp']]. */
export function sequenceOf(steps: readonly (readonly string[])[]): AuthenticationSequence {
  return {
    type: 'USER_DEFINED',
    // "OpenIDConnectAuthenticator:Corp" names a federated authenticator and its identity provider.
    steps: steps.map((options, i) => ({ id: i + 1, options: options.map((o) => (o.includes(':') ? { idp: o.slice(o.indexOf(':') + 1), authenticator: o.slice(0, o.indexOf(':')) } : { idp: 'LOCAL', authenticator: o })) })),
    subjectStepId: 1,
    attributeStepId: 1,
  };
}
