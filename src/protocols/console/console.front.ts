// The management console (/console) is a built-in application of every tenant, like My Account: its users
// log in through the login engine with the Console application's own (editable) sequence, and its session is
// the SSO session with the console as a participant. Only the tenant's admin gets in: anyone else is sent to
// the 403 page, and their login neither creates nor extends an SSO session (sso: false).
import type { AuditLog } from '../../audit/audit-log.ts';
import type { FrontResponse, LoginFront, LoginResult } from '../../flows/fronts.ts';
import { isTenantAdmin } from '../../users/user-admin.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';

export const CONSOLE_PROTOCOL = 'console';
export const CONSOLE_HOME = '/console';
export const CONSOLE_FORBIDDEN = '/console/forbidden';

export interface ConsoleLoginState {
  tenantDomain: string;
  /** The console page the admin asked for before logging in (a /console path, checked by isConsolePath). */
  returnTo: string;
}

/** A console page (path and query) that is safe to redirect to after login: never another site or path. */
export function isConsolePath(path: string): boolean {
  return /^\/console(?:[/?][^\s\\]*)?$/.test(path) && !path.includes('//') && path.length <= 512;
}

declare module '../../flows/fronts.ts' {
  interface ProtocolStates {
    console: ConsoleLoginState;
  }
}

export function createConsoleFront(audit: AuditLog): LoginFront<typeof CONSOLE_PROTOCOL> {
  return {
    protocol: CONSOLE_PROTOCOL,
    async complete(result: LoginResult, { tenantDomain, returnTo }) {
      if (!isTenantAdmin(result.tenant, result.user)) {
        await audit.record({ tenantId: result.tenant.id, event: 'access.denied', outcome: 'failure', user: result.user, application: result.application.name, reason: 'not the tenant admin' });
        return { response: { kind: 'redirect', location: tenantQualifiedPath(tenantDomain, CONSOLE_FORBIDDEN) }, sso: false };
      }
      const target = isConsolePath(returnTo) ? returnTo : CONSOLE_HOME;
      return { response: { kind: 'redirect', location: tenantQualifiedPath(tenantDomain, target) } };
    },
    async fail(): Promise<FrontResponse | undefined> {
      return undefined;
    },
  };
}
