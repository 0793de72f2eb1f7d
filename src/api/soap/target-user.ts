// Whom a TOTPAdminService call acts on, and whether the caller may. The `username` parameter is WSO2's
// `[DOMAIN/]name[@tenant]` (a bare name is in the request's tenant), read by the one parser of names. A tenant's
// admin may act on any user of its own tenant; any other user only on itself, and only with
// `[admin_services.totp] self_operations = true`; nobody crosses tenants. Every refusal reads the same as WSO2's
// "not authorized", so a caller cannot tell a user of another tenant, or a missing user, from a forbidden one.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import type { Caller } from '../../http/admin-auth.ts';
import { parseQualifiedName } from '../../users/qualified-name.ts';
import type { UserService } from '../../users/user-service.ts';
import type { UserRecord } from '../../users/user-store.ts';

/** WSO2's text, word for word (TOTPAdminService.isAuthorized). */
export const NOT_AUTHORIZED = 'User is not authorized perform the operation';

/** Longer than any `DOMAIN/name@tenant` we accept (names are at most 255 characters, domains 253). */
const MAX_USERNAME = 600;

function refused(): AppError {
  return new AppError('PCS-40300', { description: NOT_AUTHORIZED });
}

export async function targetUser(users: UserService, request: FastifyRequest, caller: Caller, username: string, selfOperations: boolean): Promise<UserRecord> {
  const name = username.trim();
  if (name === '' || name.length > MAX_USERNAME) throw new AppError('USR-40001');
  const tenant = request.tenant;
  // Before any lookup: another tenant's name, or a non-admin without self operations, learns nothing more.
  if ((parseQualifiedName(name).tenantDomain ?? tenant.domain) !== tenant.domain) throw refused();
  if (caller.isAdmin) {
    const user = await users.find(tenant, name);
    if (!user) throw new AppError('USR-40401');
    return user;
  }
  if (!selfOperations) throw refused();
  let user: UserRecord | undefined;
  try {
    user = await users.find(tenant, name);
  } catch (err) {
    // An unknown user store domain (USR-40003) reads as any other refusal.
    if (err instanceof AppError) throw refused();
    throw err;
  }
  if (!user || user.id !== caller.user?.id) throw refused();
  return user;
}
