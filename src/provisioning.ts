// Creating tenants with everything they need: the tenant row, the default claim dialect and the admin user.
// The super tenant carbon.super and its admin are made this way on first start.
import { AppError } from './errors/app-error.ts';
import type { Services } from './services.ts';
import type { Tenant } from './tenants/tenant-service.ts';
import { PRIMARY_DOMAIN, SUPER_TENANT_DOMAIN } from './users/qualified-name.ts';

export interface TenantAdminInput {
  username: string;
  password: string;
  claims?: Record<string, string>;
}

export async function createTenant(services: Services, domain: string, admin: TenantAdminInput): Promise<Tenant> {
  const tenant = await services.tenants.create(domain, admin.username);
  try {
    await services.claims.seedDefaults(tenant.id);
    const user = await services.users.create(tenant, { username: admin.username, password: admin.password });
    if (admin.claims && Object.keys(admin.claims).length > 0) await services.claimValues.set(user, admin.claims);
  } catch (err) {
    // Nothing half-made stays behind: a bad admin name or password leaves no tenant.
    for (const store of services.userStores.storesOf(tenant.id)) await store.deleteTenant?.(tenant.id);
    await services.tenants.delete(tenant);
    throw err;
  }
  return tenant;
}

/** Makes sure carbon.super, its claims and (if configured) its admin exist. Safe to run on every start. */
export async function ensureSuperTenant(services: Services): Promise<Tenant> {
  const { username, password, create_admin_account: createAdmin } = services.config.super_admin;
  let tenant = await services.tenants.findByDomain(SUPER_TENANT_DOMAIN);
  if (!tenant) {
    try {
      tenant = await services.tenants.create(SUPER_TENANT_DOMAIN, username);
    } catch (err) {
      // Another node created it first.
      if (!(err instanceof AppError && err.code === 'TNT-40901')) throw err;
      tenant = (await services.tenants.findByDomain(SUPER_TENANT_DOMAIN))!;
    }
  }
  await services.claims.seedDefaults(tenant.id);
  // The admin is made in PRIMARY, so only PRIMARY is asked: a secondary store that is down must not stop the start.
  if (createAdmin && !(await services.users.find(tenant, `${PRIMARY_DOMAIN}/${username}`))) {
    try {
      await services.users.create(tenant, { username, password }, { enforcePolicy: false });
      services.log.warn(`created the super admin "${username}" with the configured password; change it if it is the default`);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'USR-40901')) throw err;
    }
  }
  return tenant;
}
