// The TOTP use-cases outside the login, for every front that offers them: My Account, the me/totp REST API and
// TOTPAdminService (SOAP). The fronts decide who may act (the user on itself, or the tenant's admin); this
// service does the act the same way for all of them: the credentials layer's rules (a secret becomes active only
// when proven, refresh keeps the old secret working until then, window, replay and lock on every code), one audit
// event naming the actor and the front, and for a reset the user's other sessions end (UserAdminService).
import type { AuditEventName, AuditLog } from '../../audit/audit-log.ts';
import type { TotpParameters } from '../../config/index.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';
import { buildOtpauthUri, encodeWso2QrPayload, renderQrPngDataUrl } from '../../totp/index.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { AdminRequest, UserAdminService } from '../../users/user-admin.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { TotpCheck, TotpCredentials, TotpSecret, TotpStatus } from './totp-credentials.ts';
import type { TotpSettings } from './totp-settings.ts';

/** Who acts and through which front; the actor is the user itself for self-service. */
export type TotpRequest = AdminRequest;

/** A secret as an authenticator app takes it. */
export interface TotpQr {
  /** The otpauth URI. It holds the secret: never log it or put it in a URL. */
  uri: string;
  /** WSO2's `qrCodeUrl`: the URI's UTF-8 bytes in Base64. */
  qrCodeUrl: string;
  secret: TotpSecret;
  issuer: string;
  /** The label the app shows (DOMAIN/name unless HideUserStoreFromDisplayInQRUrl). */
  account: string;
}

/** What a caller shows for seeing or changing an enrolled user's second factor. */
export interface FactorProof {
  /** The caller's session proved a current code recently (flows/step-up.ts). */
  session: boolean;
  /** A current code sent with the request. */
  code?: string | number | undefined;
}

export type FactorCheck = { ok: true } | { ok: false; reason: 'needed' | 'invalid' | 'reused' | 'unusable' | 'none'; lockedNow?: boolean };

export interface TotpManagementDeps {
  credentials: TotpCredentials;
  settings: TotpSettings;
  userAdmin: UserAdminService;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
}

export class TotpManagement {
  constructor(private readonly deps: TotpManagementDeps) {}

  status(user: UserRecord): Promise<TotpStatus> {
    return this.deps.credentials.status(user);
  }

  /** The active secret as an app takes it; undefined when the user is not enrolled. Creates nothing. */
  async activeQr(tenant: Tenant, user: UserRecord): Promise<TotpQr | undefined> {
    const secret = await this.deps.credentials.active(user, await this.deps.settings.forTenant(tenant));
    return secret && this.describe(tenant, user, secret);
  }

  /** The pending secret (an enrolment or refresh not yet proven); undefined when there is none. */
  async pendingQr(tenant: Tenant, user: UserRecord): Promise<TotpQr | undefined> {
    const secret = await this.deps.credentials.pending(user, await this.deps.settings.forTenant(tenant));
    return secret && this.describe(tenant, user, secret);
  }

  /**
   * Starts an enrolment (WSO2's INIT, generateSecret): the pending secret the user already has, else a new one.
   * The active secret, if any, keeps working until a code for the new one is entered (confirm).
   */
  async begin(req: TotpRequest, user: UserRecord): Promise<TotpQr> {
    return (await this.pendingQr(req.tenant, user)) ?? this.refresh(req, user);
  }

  /** WSO2's REFRESH: always a new pending secret; the active one keeps working until the new one is proven. */
  async refresh(req: TotpRequest, user: UserRecord): Promise<TotpQr> {
    const params = await this.deps.settings.forTenant(req.tenant);
    const secret = await this.deps.credentials.beginEnrolment(user, params);
    await this.audit(req, 'totp.enrolment_started', user, 'success');
    return this.describe(req.tenant, user, secret);
  }

  /**
   * Drops a pending secret that was never proven (an enrolment or refresh the user gave up on). The active
   * secret, if any, is untouched, so nothing about how the user signs in changes and no event is written.
   */
  async cancel(_req: TotpRequest, user: UserRecord): Promise<void> {
    await this.deps.credentials.cancelEnrolment(user);
  }

  /**
   * Proves the pending secret with a code and makes it the active one (WSO2's VALIDATE, enableTOTP). A wrong code
   * keeps it pending and counts toward locking the account, as a wrong login code does.
   */
  async confirm(req: TotpRequest, user: UserRecord, code: string | number): Promise<TotpCheck> {
    const params = await this.deps.settings.forTenant(req.tenant);
    const result = await this.deps.credentials.confirmEnrolment(user, code, this.deps.clock.now(), params);
    await this.report(req, user, 'totp.enrolled', result);
    return result;
  }

  /** Checks a code against the active secret (WSO2's validateTOTP): window, replay and lock, as at login. */
  async verify(req: TotpRequest, user: UserRecord, code: string | number): Promise<TotpCheck> {
    const params = await this.deps.settings.forTenant(req.tenant);
    const result = await this.deps.credentials.verify(user, code, this.deps.clock.now(), params);
    await this.report(req, user, 'totp.validated', result);
    return result;
  }

  /**
   * A password alone never reveals or replaces a second factor. For a user with an active secret, showing it or a
   * pending one, starting a new one, proving one or removing it needs a session that recently proved a code, or a
   * current code (checked like a login code: window, replay, lockout). A user not enrolled needs nothing more:
   * enrolling is open to whoever passed the password, as it is in the login. Admin fronts do not ask.
   */
  async factorProven(req: TotpRequest, user: UserRecord, proof: FactorProof): Promise<FactorCheck> {
    if (proof.session || !(await this.status(user)).enrolled) return { ok: true };
    if (proof.code === undefined || proof.code === '') return { ok: false, reason: 'needed' };
    const check = await this.verify(req, user, proof.code);
    return check.ok ? check : { ok: false, reason: check.reason, ...(check.lockedNow ? { lockedNow: true } : {}) };
  }

  /** WSO2's resetTOTP and DELETE me/totp: both secrets go; the user's other sessions end (UserAdminService). */
  reset(req: TotpRequest, user: UserRecord): Promise<void> {
    return this.deps.userAdmin.resetTotp(req, user);
  }

  /**
   * The secret as text (WSO2's GET me/totp/secret, retrieveSecretKey): the active one, else the pending one, else
   * a new pending one (which, unlike WSO2's retrieveSecretKey, is not active until a code proves it). Audited:
   * whoever reads it can make codes.
   */
  async secretText(req: TotpRequest, user: UserRecord): Promise<string> {
    const params = await this.deps.settings.forTenant(req.tenant);
    const secret = (await this.deps.credentials.active(user, params)) ?? (await this.deps.credentials.pending(user, params)) ?? (await this.refresh(req, user)).secret;
    await this.audit(req, 'totp.secret_read', user, 'success');
    return secret.text;
  }

  /** The otpauth URI, WSO2's payload and the app's label for a secret of the user. */
  async describe(tenant: Tenant, user: UserRecord, secret: TotpSecret): Promise<TotpQr> {
    const params = await this.deps.settings.forTenant(tenant);
    return otpauthFor(secret, user, await this.deps.settings.issuerFor(tenant), params);
  }

  /** The QR code of `qr` as a PNG data URL, rendered by the server (WSO2 #24088). */
  qrImage(qr: TotpQr): Promise<string> {
    return renderQrPngDataUrl(qr.uri);
  }

  private async report(req: TotpRequest, user: UserRecord, event: AuditEventName, result: TotpCheck): Promise<void> {
    if (result.ok) return this.audit(req, event, user, 'success');
    if (result.reason === 'none') return;
    await this.audit(req, event, user, 'failure', result.reason);
    if (result.lockedNow) await this.audit(req, 'account.locked', user, 'success', 'MAX_TOTP_ATTEMPTS_EXCEEDED');
  }

  private audit(req: TotpRequest, event: AuditEventName, user: UserRecord, outcome: 'success' | 'failure', reason?: string): Promise<void> {
    return this.deps.audit.record({
      tenantId: req.tenant.id,
      event,
      outcome,
      user,
      actor: req.actor,
      application: req.via,
      authenticator: 'totp',
      reason,
      traceId: req.traceId,
      remoteAddress: req.remoteAddress,
    });
  }
}

/** The otpauth URI of a user's secret, with the label and issuer apps show (the login's enrolment page too). */
export function otpauthFor(secret: TotpSecret, user: UserRecord, issuer: string, params: Pick<TotpParameters, 'HideUserStoreFromDisplayInQRUrl'>): TotpQr {
  const account = params.HideUserStoreFromDisplayInQRUrl ? user.username : domainQualified(user.storeDomain, user.username);
  // The credential's own parameters: it keeps them even if the tenant's settings change later.
  const uri = buildOtpauthUri({ issuer, account, key: secret.key, algorithm: secret.algorithm, digits: secret.digits, period: secret.period });
  return { uri, qrCodeUrl: encodeWso2QrPayload(uri), secret, issuer, account };
}
