// Imports a WSO2 IS server's tenants, JDBC-store users (hashes kept until their first login here), their claims,
// their TOTP secrets (decrypted with WSO2's scheme, re-encrypted with ours by the credentials layer), service
// providers with their authentication steps, and the tenants' TOTP registry settings. Everything goes through the
// same services the server uses (user store, claim service, credentials layer, application service, TOTP settings),
// so the rules that apply to an admin's change apply to an imported one. import_origins remembers what came over.
import { AppError } from '../../errors/app-error.ts';
import { ensureSuperTenant } from '../../provisioning.ts';
import type { Services } from '../../services.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { AdminRequest } from '../../users/user-admin.ts';
import type { Wso2Keys } from './cipher.ts';
import { ImportOrigins } from './origins.ts';
import { importApplications } from './import-applications.ts';
import { importTotpSettings, wso2TotpParameters } from './import-totp-settings.ts';
import { importUsers, type PasswordScheme } from './import-users.ts';
import { readTenants, SUPER_TENANT_DOMAIN, type Wso2Tenant } from './read.ts';
import { ImportReport } from './report.ts';
import type { SourceDb } from './source.ts';

export interface Wso2ImportOptions {
  /** WSO2's shared database (UM_*, REG_*). */
  source: SourceDb;
  /** WSO2's identity database (IDN_*, SP_*, IDP*); the same connection when they are one database. */
  identity: SourceDb;
  /** Names the source in import_origins, so two WSO2 servers imported into one Portcullis do not collide. */
  sourceName: string;
  /** [encryption] key (and old_key) as AES key bytes, and the keystore's private keys. */
  keys: Wso2Keys;
  /** [encryption] totpKey (IS 7.0+): the super tenant's TOTP secrets are encrypted with it instead. */
  totpKeys: Buffer[];
  password: PasswordScheme;
  /** Only these tenant domains (all when absent). */
  tenants?: string[];
}

export interface ImportContext {
  services: Services;
  options: Wso2ImportOptions;
  origins: ImportOrigins;
  report: ImportReport;
}

/** The given database is not a WSO2 one (or not the right one of the two). */
export class Wso2SourceError extends Error {}

/** Who the import acts as in the audit log (totp.imported events). */
export function importRequest(tenant: Tenant): AdminRequest {
  return { tenant, actor: { id: 'wso2-import', storeDomain: 'PRIMARY', username: 'wso2-import' }, via: 'WSO2 import' };
}

export async function importFromWso2(services: Services, options: Wso2ImportOptions): Promise<ImportReport> {
  const ctx: ImportContext = { services, options, origins: new ImportOrigins(services.storage.db, options.sourceName, services.clock), report: new ImportReport() };
  if (!(await options.source.hasTable('UM_USER')) || !(await options.source.hasTable('UM_TENANT'))) {
    throw new Wso2SourceError("the database given as --db has no UM_USER or UM_TENANT table: give WSO2's shared database (the realm's user store tables)");
  }
  for (const table of ['IDN_IDENTITY_USER_DATA', 'SP_APP']) {
    if (!(await options.identity.hasTable(table))) {
      ctx.report.warn(`the identity database has no ${table} table, so ${table === 'SP_APP' ? 'no applications' : 'no TOTP secrets and no identity claims'} can be read: if WSO2 keeps its identity tables in a separate database, give it as --identity-db`);
    }
  }
  await ensureSuperTenant(services);
  const wanted = options.tenants?.map((t) => t.toLowerCase());
  for (const source of await readTenants(options.source)) {
    if (wanted && !wanted.includes(source.domain)) continue;
    const tenant = await importTenant(ctx, source);
    if (!tenant) continue;
    const totp = await wso2TotpParameters(ctx, source);
    await importTotpSettings(ctx, source, tenant, totp.xml);
    await importUsers(ctx, source, tenant, totp.parameters);
    await importApplications(ctx, source, tenant);
  }
  return ctx.report;
}

async function importTenant(ctx: ImportContext, source: Wso2Tenant): Promise<Tenant | undefined> {
  const { services, origins, report } = ctx;
  const existing = await services.tenants.findByDomain(source.domain);
  if (existing) {
    if (source.domain === SUPER_TENANT_DOMAIN || (await origins.find('tenant', '', source.id))) {
      if (source.domain !== SUPER_TENANT_DOMAIN) report.already('tenants');
    } else {
      report.note('tenants', 'a tenant with this domain already existed here (not from this import); its users, applications and settings were imported into it', source.domain);
      await origins.record('tenant', '', source.id, existing.id);
    }
    return existing;
  }
  let tenant: Tenant;
  try {
    tenant = await services.tenants.create(source.domain, source.adminUsername);
  } catch (err) {
    if (err instanceof AppError) {
      report.skipped('tenants', `refused here: ${err.description}`, source.domain);
      return undefined;
    }
    throw err;
  }
  await services.claims.seedDefaults(tenant.id);
  await services.applications.ensureSystemApps(tenant.id);
  if (!source.active) tenant = await services.tenants.setActive(tenant, false);
  await origins.record('tenant', '', source.id, tenant.id);
  report.imported('tenants');
  return tenant;
}
