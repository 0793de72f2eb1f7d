// The admin use-cases on a tenant's users, in one place that every front calls (the console, SCIM, later the
// SOAP and REST TOTP APIs): create, update claims, disable, enable, lock, unlock, delete, set a password, reset
// TOTP. Each makes its change through the user, claim and security-state services; ends the user's SSO sessions
// when the change must take effect at once (disabled, locked or deleted, a new password, a removed second
// factor: no browser keeps what the old state let in); and writes one audit event naming the acting admin in
// its own column. Creating, enabling, unlocking and profile edits end nothing: they take nothing away.
//
// Layering: SSO sessions belong to flows/, above users/, so they are ended through the `endSessions` port that
// the composition root wires to SsoSessionStore.removeForUser. claims/ and audit/ import users/ (never
// user-admin.ts), so the imports below from them form no module cycle; users/ and claims/ are one row of the
// layering, as users/ and tenants/ already import each other.
import type { AuditEventName, AuditLog } from '../audit/audit-log.ts';
import type { ClaimValueService } from '../claims/claim-values.ts';
import { CLAIMS } from '../claims/local-claims.ts';
import { AppError } from '../errors/app-error.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import { checkPassword } from './password-policy.ts';
import { PRIMARY_DOMAIN } from './qualified-name.ts';
import type { SecurityStateStore } from './security-state.ts';
import { parseTotpCsv, type TotpImport, type TotpImportReport } from './totp-import.ts';
import type { UserRecord } from './user-store.ts';
import type { UserService } from './user-service.ts';

type UserRef = Pick<UserRecord, 'id' | 'storeDomain' | 'username'>;

/** Who asks for a change, and from where (for the audit event). */
export interface AdminRequest {
  tenant: Tenant;
  actor: UserRef;
  /** The SSO session the admin acts from: kept when admins change their own password or TOTP. */
  sessionId?: string | undefined;
  /** The application or API the change came through ('Console', 'SCIM'). */
  via: string;
  traceId?: string | undefined;
  remoteAddress?: string | undefined;
}

export interface NewUser {
  /** `name` or `DOMAIN/name`. */
  username: string;
  password: string;
  claims?: Record<string, string | null>;
}

/** One request's changes (a SCIM PUT or PATCH); each part is its own use-case with its own audit event. */
export interface UserChanges {
  /** Claim values (null removes). accountDisabled and accountLocked become disable/enable and lock/unlock. */
  claims?: Record<string, string | null>;
  password?: string | undefined;
  active?: boolean | undefined;
  locked?: boolean | undefined;
}

export interface UserAdminDeps {
  users: UserService;
  claimValues: ClaimValueService;
  security: SecurityStateStore;
  audit: Pick<AuditLog, 'record'>;
  /** Ends every SSO session of the user except `keep`. */
  endSessions(userId: string, keep?: string): Promise<void>;
  /** Removes the user's linked upstream accounts (identity-providers/associations.ts), so none outlives the user. */
  removeLinks(user: UserRecord): Promise<void>;
  /**
   * Removes the user's TOTP credential (WSO2's resetTOTP), through the credentials layer (credentials/totp/),
   * which users/ may not import: the composition root passes its reset here.
   */
  resetTotp(user: UserRecord): Promise<void>;
  /** Makes an existing secret the user's active TOTP credential (replacing any), through the credentials layer. */
  importTotp(user: UserRecord, input: TotpImport): Promise<void>;
}

/** Whether the user is the tenant's admin: the tenant's adminUsername in the PRIMARY store. */
export function isTenantAdmin(tenant: Tenant, user: Pick<UserRecord, 'storeDomain' | 'username'>): boolean {
  return user.storeDomain === PRIMARY_DOMAIN && user.username.toLowerCase() === tenant.adminUsername.toLowerCase();
}

/** A boolean claim's new value; null (removed) stays null. */
function flag(uri: string, value: string | null | undefined): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new AppError('CLM-40001', { description: `${uri} must be true or false.` });
}

export class UserAdminService {
  constructor(private readonly deps: UserAdminDeps) {}

  /** A user in the request's tenant, or USR-40401. */
  async require(req: AdminRequest, id: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(req.tenant, id.slice(0, 128));
    if (!user) throw new AppError('USR-40401');
    return user;
  }

  /** Creates the user with its claims; a refused claim leaves no half-made user behind. */
  async create(req: AdminRequest, input: NewUser): Promise<UserRecord> {
    const user = await this.deps.users.create(req.tenant, { username: input.username, password: input.password });
    try {
      const claims = input.claims ?? {};
      if (Object.keys(claims).length > 0) await this.deps.claimValues.set(user, claims, { enforceReadOnly: true });
    } catch (err) {
      await this.deps.users.delete(user);
      throw err;
    }
    await this.audit(req, 'user.created', user);
    return (await this.deps.users.findById(req.tenant, user.id)) ?? user;
  }

  /**
   * Applies a request's changes: everything that can be refused is checked before anything changes (password
   * policy, the protected admin); then claims, password, enabled and locked state, each only when it differs.
   */
  async update(req: AdminRequest, user: UserRecord, changes: UserChanges): Promise<UserRecord> {
    // The two state claims are use-cases of their own (sessions end, own audit event), whoever names them.
    const { [CLAIMS.accountDisabled]: disabledClaim, [CLAIMS.accountLocked]: lockedClaim, ...claims } = changes.claims ?? {};
    const active = changes.active ?? (disabledClaim === undefined ? undefined : flag(CLAIMS.accountDisabled, disabledClaim) !== true);
    const locked = changes.locked ?? flag(CLAIMS.accountLocked, lockedClaim) ?? undefined;
    if (changes.password !== undefined) checkPassword(changes.password, user.username);
    const state = await this.deps.security.get(user);
    const disable = active !== undefined && active === state.accountDisabled ? !active : undefined;
    const lock = locked !== undefined && locked !== state.accountLocked ? locked : undefined;
    if (disable === true || lock === true) this.refuseForAdmin(req, user);

    if (Object.keys(claims).length > 0) {
      await this.deps.claimValues.set(user, claims, { enforceReadOnly: true });
      await this.audit(req, 'user.updated', user, Object.keys(claims).map((uri) => uri.slice(uri.lastIndexOf('/') + 1)).join(' '));
    }
    if (changes.password !== undefined) await this.setPassword(req, user, changes.password);
    if (disable !== undefined) await (disable ? this.disable(req, user) : this.enable(req, user));
    if (lock !== undefined) await (lock ? this.lock(req, user) : this.unlock(req, user));
    return (await this.deps.users.findById(req.tenant, user.id)) ?? user;
  }

  /** The account can no longer be used (accountDisabled); its sessions end. */
  async disable(req: AdminRequest, user: UserRecord): Promise<void> {
    this.refuseForAdmin(req, user);
    await this.deps.claimValues.set(user, { [CLAIMS.accountDisabled]: 'true' });
    await this.endSessions(req, user);
    await this.audit(req, 'account.disabled', user);
  }

  async enable(req: AdminRequest, user: UserRecord): Promise<void> {
    await this.deps.claimValues.set(user, { [CLAIMS.accountDisabled]: null });
    await this.audit(req, 'account.enabled', user);
  }

  /** An admin lock (reason AdminInitiated, no unlock time): only an admin unlocks it. Its sessions end. */
  async lock(req: AdminRequest, user: UserRecord): Promise<void> {
    this.refuseForAdmin(req, user);
    await this.deps.claimValues.set(user, { [CLAIMS.accountLocked]: 'true' });
    await this.endSessions(req, user);
    await this.audit(req, 'account.locked', user, 'AdminInitiated');
  }

  /** Unlocks and clears the failure counters (the accountLocked claim's write does both, as WSO2's handler). */
  async unlock(req: AdminRequest, user: UserRecord): Promise<void> {
    await this.deps.claimValues.set(user, { [CLAIMS.accountLocked]: 'false' });
    await this.audit(req, 'account.unlocked', user);
  }

  /**
   * Deletes the user with its identity data, ends its sessions and removes its linked upstream accounts (a link
   * left behind would name a user id that is gone); the tenant's admin cannot be deleted.
   */
  async delete(req: AdminRequest, user: UserRecord): Promise<void> {
    this.refuseForAdmin(req, user);
    await this.deps.users.delete(user);
    await this.endSessions(req, user);
    await this.deps.removeLinks(user);
    await this.audit(req, 'user.deleted', user);
  }

  /** Sets a new password (policy enforced); every session but the admin's own current one ends. */
  async setPassword(req: AdminRequest, user: UserRecord, password: string): Promise<void> {
    await this.deps.users.setPassword(user, password);
    await this.endSessions(req, user);
    await this.audit(req, 'password.changed', user, req.actor.id === user.id ? 'own password' : undefined);
  }

  /**
   * WSO2's resetTOTP: the secrets and their encoding are removed and totpEnabled is false, so the next TOTP step
   * enrols again (or skips, as configured); the used time step and failed-code counter start over for the new
   * secret. A lock stays (unlocking is its own action). Sessions that passed TOTP with the old secret end.
   */
  async resetTotp(req: AdminRequest, user: UserRecord): Promise<void> {
    await this.deps.resetTotp(user);
    await this.endSessions(req, user);
    await this.audit(req, 'totp.reset', user);
  }

  /**
   * Moving a user over from another server: the secret their authenticator app already holds becomes their
   * active credential, with its own algorithm, digits and period (any credential or pending enrolment is
   * replaced). Their second factor changed, so their sessions end. The audit event names the parameters, never
   * the secret; a refused secret's error names the field, never its text (credentials/totp).
   */
  async importTotp(req: AdminRequest, user: UserRecord, input: TotpImport): Promise<void> {
    await this.deps.importTotp(user, input);
    await this.endSessions(req, user);
    await this.audit(req, 'totp.imported', user, `${input.encoding} ${input.algorithm} ${input.digits} digits ${input.period}s`);
  }

  /**
   * The bulk form: `username,secret[,algorithm,digits,period]` lines (users/totp-import.ts), each imported on its
   * own through importTotp, so each has its own sessions ended and its own audit event; a refused line is
   * reported by its number and never stops the others. User names resolve in the request's tenant (DOMAIN/name).
   */
  async importTotpCsv(req: AdminRequest, csv: string): Promise<TotpImportReport> {
    const lines = parseTotpCsv(csv);
    if (!lines) throw new AppError('PCS-40001', { description: 'The CSV has too many lines (at most 10000).' });
    const report: TotpImportReport = { imported: 0, failed: [] };
    for (const entry of lines) {
      const { line, username } = entry;
      if ('failure' in entry) {
        report.failed.push({ line, username, code: 'PCS-40001', description: entry.failure });
        continue;
      }
      try {
        const user = await this.deps.users.find(req.tenant, username);
        if (!user) throw new AppError('USR-40401', { description: 'No user with this name in this tenant.' });
        await this.importTotp(req, user, entry.input);
        report.imported += 1;
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        report.failed.push({ line, username, code: err.code, description: err.description });
      }
    }
    return report;
  }

  /** Deleting, disabling or locking the tenant's admin would leave nobody to manage the tenant (WSO2 refuses deletion too). */
  private refuseForAdmin(req: AdminRequest, user: UserRecord): void {
    if (isTenantAdmin(req.tenant, user)) throw new AppError('USR-40301');
  }

  private endSessions(req: AdminRequest, user: UserRecord): Promise<void> {
    return this.deps.endSessions(user.id, req.actor.id === user.id ? req.sessionId : undefined);
  }

  private audit(req: AdminRequest, event: AuditEventName, user: UserRef, reason?: string): Promise<void> {
    return this.deps.audit.record({
      tenantId: req.tenant.id,
      event,
      outcome: 'success',
      user,
      actor: req.actor,
      application: req.via,
      reason,
      traceId: req.traceId,
      remoteAddress: req.remoteAddress,
    });
  }
}
