// What the TOTP authenticator needs from the rest of the server.
import type { AuditLog } from '../../audit/audit-log.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import type { TotpCredentials } from '../../credentials/totp/index.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { LockoutService } from '../../users/lockout.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { EmailCodeStore } from './email-code.ts';
import type { TotpSettings } from '../../credentials/totp/totp-settings.ts';
import type { FederatedUsers } from '../../identity-providers/federated-users.ts';

/** Sends the TOTP email template with `token` to the user's email address. */
export type SendTotpEmail = (tenant: Tenant, user: UserRecord, values: { token: string; 'expiry-minutes': string }) => Promise<unknown>;

export interface TotpDeps {
  settings: TotpSettings;
  claimValues: ClaimValueService;
  /** The user's TOTP credential: enrolment, verification (window, replay, lock) and its secret. */
  credentials: TotpCredentials;
  lockout: LockoutService;
  emailCodes: EmailCodeStore;
  sendEmail: SendTotpEmail;
  audit: AuditLog;
  /** After a federated step: the local user by `usecase`, links and JIT provisioning. */
  federatedUsers?: FederatedUsers;
  /** The keyring, for a federated first login's secret kept in the login's context until it is proven. */
  seal?: { encrypt(plaintext: string, associatedData: string): string; decryptString(ciphertext: string, associatedData: string): string };
}
