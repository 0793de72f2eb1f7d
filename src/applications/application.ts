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
