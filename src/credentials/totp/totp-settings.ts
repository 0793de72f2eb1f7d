// The TOTP parameters in force for a tenant: the file's [authentication.authenticator.totp.parameters],
// overridden parameter by parameter by the tenant's own settings (WSO2 keeps those in the tenant registry
// and replaces the file wholesale; a partial tenant document is normal here).
import { BoundedCache } from '../../cache/bounded-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import { totpParameters, validateSection, type Config, type TotpParameters } from '../../config/index.ts';
import type { TenantConfigStore } from '../../tenants/tenant-config.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';
import { SUPER_TENANT_DOMAIN } from '../../users/qualified-name.ts';

export const TOTP_RESOURCE = 'authenticator.totp';

export class TotpSettings {
  // Every TOTP step reads its tenant's parameters; edits here clear them at once, other nodes within the TTL.
  private readonly cache: BoundedCache<string, TotpParameters>;

  constructor(
    private readonly config: Config,
    private readonly store: TenantConfigStore,
    clock: Clock,
    options: { ttlMs?: number; max?: number } = {},
  ) {
    this.cache = new BoundedCache({ ttlMs: options.ttlMs ?? 5000, max: options.max ?? 1000, clock });
  }

  /** [authentication.authenticator.totp] enable: false removes TOTP everywhere. */
  enabled(): boolean {
    return this.config.authentication.authenticator.totp.enable;
  }

  /** [authentication.authenticator.totp] allow_secret_in_enrolment_url: WSO2's `ske` for enrolment pages on another host. */
  secretInEnrolmentUrl(): boolean {
    return this.config.authentication.authenticator.totp.allow_secret_in_enrolment_url;
  }

  get fileParameters(): TotpParameters {
    return this.config.authentication.authenticator.totp.parameters;
  }

  /** The cache's promise handed on (cache/bounded-cache.ts says why). */
  forTenant(tenant: Tenant): Promise<TotpParameters> {
    return this.cache.get(tenant.id, async () => {
      const overrides = await this.store.get(tenant.id, TOTP_RESOURCE);
      return overrides ? validateSection(totpParameters, overrides, 'tenant.totp', { defaults: this.fileParameters }).value : this.fileParameters;
    });
  }

  async overrides(tenant: Tenant): Promise<Record<string, unknown>> {
    return (await this.storedOverrides(tenant)) ?? {};
  }

  /** The tenant's overrides, or undefined when it has none stored (the registry view's resource then does not exist). */
  async storedOverrides(tenant: Tenant): Promise<Record<string, unknown> | undefined> {
    return this.store.get(tenant.id, TOTP_RESOURCE);
  }

  /** Replaces the tenant's overrides after validating them like the file; refuses with every problem listed. */
  async setOverrides(tenant: Tenant, values: Record<string, unknown>): Promise<TotpParameters> {
    const result = validateSection(totpParameters, values, 'totp', { defaults: this.fileParameters });
    if (result.errors.length > 0) {
      // data.fields: the problem per parameter (without the "[totp] key: " prefix), for forms that show it inline.
      const fields = Object.fromEntries(result.errors.map((e) => [e.key.replace(/^totp\./, ''), e.message.replace(/^\[totp\] [^:]+: /, '')]));
      throw new AppError('PCS-40001', { description: result.errors.map((e) => `${e.key}: ${e.message}`).join('; '), data: { fields } });
    }
    // Store the canonical names the caller set, so aliases and string forms are normalised once.
    const canonical = Object.fromEntries(Object.keys(result.value).filter((k) => k in values || aliasSet(values, k)).map((k) => [k, (result.value as Record<string, unknown>)[k]]));
    await this.store.put(tenant.id, TOTP_RESOURCE, canonical);
    this.cache.delete(tenant.id);
    return result.value;
  }

  async clearOverrides(tenant: Tenant): Promise<void> {
    await this.store.remove(tenant.id, TOTP_RESOURCE);
    this.cache.delete(tenant.id);
  }

  /**
   * The issuer shown in authenticator apps: the file's Issuer for every tenant when UseCommonIssuer is
   * set; else the tenant's own Issuer (for carbon.super, the file's); else the tenant domain.
   */
  async issuerFor(tenant: Tenant): Promise<string> {
    const file = this.fileParameters;
    if (file.UseCommonIssuer && file.Issuer) return file.Issuer;
    const own = tenant.domain === SUPER_TENANT_DOMAIN ? file.Issuer : String((await this.overrides(tenant)).Issuer ?? '');
    return own || tenant.domain;
  }
}

/** Whether `values` set canonical key `k` under one of its aliases. */
function aliasSet(values: Record<string, unknown>, k: string): boolean {
  const node = (totpParameters.fields as Record<string, { aliases?: readonly string[] }>)[k];
  return (node?.aliases ?? []).some((a) => a in values);
}
