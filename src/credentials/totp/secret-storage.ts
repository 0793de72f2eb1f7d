// Where a tenant keeps its users' active TOTP secrets (issue 10, item 4): in Portcullis's database (the default,
// so a read-only directory works) or in the user's own store, in the attribute the secretkey claim maps to for
// that store (the seed guide's totpSecretkey). The file gives the default ([authentication.authenticator.totp]
// secret_storage); a tenant's choice is one tenant_config document, set through the admin API and the console.
// It is deliberately not a parameter of [authentication.authenticator.totp.parameters]: that section is WSO2's
// list, which the registry XML view validates.
//
// Rules decided here:
//   - PRIMARY users keep their secret in the database in either mode: that store IS the database, and the
//     credential table is the one place a promotion is atomic.
//   - The choice only says where NEW active secrets go. Reading always looks where a secret was put (the row
//     records the attribute), so switching either way strands nobody; users move at their next enrolment.
//   - A store that cannot hold secrets is refused, never silently bypassed: turning the choice on is refused
//     (USR-40004) while one of the tenant's secondary stores is read-only, and an enrolment into a store that
//     became read-only since is refused the same way before a QR code is shown.
import { BoundedCache } from '../../cache/bounded-cache.ts';
import type { ClaimMetadataStore } from '../../claims/claim-metadata.ts';
import { CLAIMS, DEFAULT_LOCAL_CLAIMS } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import type { TenantConfigStore } from '../../tenants/tenant-config.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';
import { canWrite } from '../../users/capabilities.ts';
import { PRIMARY_DOMAIN } from '../../users/qualified-name.ts';
import type { UserService } from '../../users/user-service.ts';
import type { UserRecord, UserStore } from '../../users/user-store.ts';

export type SecretLocation = 'database' | 'user_store';
export const SECRET_LOCATIONS: readonly SecretLocation[] = ['database', 'user_store'];
export const SECRET_STORAGE_RESOURCE = 'authenticator.totp.secret_storage';

const DEFAULT_ATTRIBUTE = DEFAULT_LOCAL_CLAIMS.find((c) => c.uri === CLAIMS.secretKey)!.attribute;

/** Where one of the tenant's stores puts a new active secret, as the admin API and the console show it. */
export interface StoreSecretPlan {
  domain: string;
  location: SecretLocation;
  /** The store attribute (the secretkey claim's mapping for the store) when location is user_store. */
  attribute?: string;
  readOnly: boolean;
}

export interface SecretStorageView {
  /** In force for the tenant. */
  location: SecretLocation;
  /** deployment.toml's value, in force when the tenant has not chosen. */
  fileDefault: SecretLocation;
  /** The tenant has its own choice. */
  overridden: boolean;
  stores: StoreSecretPlan[];
}

export interface SecretStorageDeps {
  fileDefault: SecretLocation;
  store: TenantConfigStore;
  users: UserService;
  claims: ClaimMetadataStore;
  clock: Clock;
}

function readOnlyRefusal(store: UserStore, when: string): AppError {
  return new AppError('USR-40004', {
    description: `The user store ${store.domain} is read-only, so it cannot keep TOTP secrets ${when}. Make the store writable (read_only = false), or keep TOTP secrets in Portcullis's database.`,
  });
}

export class TotpSecretStorage {
  // Every enrolment asks; a change clears it at once here, on other nodes within the TTL.
  private readonly cache: BoundedCache<string, SecretLocation>;

  constructor(private readonly deps: SecretStorageDeps) {
    this.cache = new BoundedCache({ ttlMs: 5000, max: 1000, clock: deps.clock });
  }

  private async choice(tenantId: string): Promise<SecretLocation | undefined> {
    const doc = await this.deps.store.get(tenantId, SECRET_STORAGE_RESOURCE);
    const location = doc?.location;
    return location === 'database' || location === 'user_store' ? location : undefined;
  }

  /** The location in force for a tenant (its choice, else the file's). */
  locationOf(tenantId: string): Promise<SecretLocation> {
    return this.cache.get(tenantId, async () => (await this.choice(tenantId)) ?? this.deps.fileDefault);
  }

  /** The secretkey claim's attribute for a store (PRIMARY's mapping when the store has none). */
  private async attributeFor(tenantId: string, storeDomain: string): Promise<string> {
    const claim = await this.deps.claims.get(tenantId, CLAIMS.secretKey);
    return claim ? this.deps.claims.attributeFor(claim, storeDomain) : DEFAULT_ATTRIBUTE;
  }

  /**
   * The store attribute a new active secret of `user` goes to; undefined: Portcullis's database. USR-40004 when
   * the tenant keeps secrets in user stores and this user's store cannot be written.
   */
  async placementFor(user: UserRecord): Promise<string | undefined> {
    if (user.storeDomain === PRIMARY_DOMAIN || (await this.locationOf(user.tenantId)) !== 'user_store') return undefined;
    const store = this.deps.users.storeOf(user);
    if (!canWrite(store)) throw readOnlyRefusal(store, 'for its users; ask an administrator');
    return this.attributeFor(user.tenantId, user.storeDomain);
  }

  async view(tenant: Tenant): Promise<SecretStorageView> {
    const own = await this.choice(tenant.id);
    const location = own ?? this.deps.fileDefault;
    const stores = await Promise.all(
      this.deps.users.storesOf(tenant).map(async (s): Promise<StoreSecretPlan> => {
        const readOnly = !canWrite(s);
        if (location === 'database' || s.domain === PRIMARY_DOMAIN) return { domain: s.domain, location: 'database', readOnly };
        return { domain: s.domain, location: 'user_store', attribute: await this.attributeFor(tenant.id, s.domain), readOnly };
      }),
    );
    return { location, fileDefault: this.deps.fileDefault, overridden: own !== undefined, stores };
  }

  /** Sets the tenant's choice. user_store is refused while one of the tenant's secondary stores is read-only. */
  async set(tenant: Tenant, location: SecretLocation): Promise<SecretStorageView> {
    if (!SECRET_LOCATIONS.includes(location)) throw new AppError('PCS-40001', { description: 'location must be database or user_store.' });
    if (location === 'user_store') {
      const readOnly = this.deps.users.storesOf(tenant).find((s) => s.domain !== PRIMARY_DOMAIN && !canWrite(s));
      if (readOnly) throw readOnlyRefusal(readOnly, 'for this tenant');
    }
    await this.deps.store.put(tenant.id, SECRET_STORAGE_RESOURCE, { location });
    this.cache.delete(tenant.id);
    return this.view(tenant);
  }

  /** Back to the file's default. */
  async clear(tenant: Tenant): Promise<void> {
    await this.deps.store.remove(tenant.id, SECRET_STORAGE_RESOURCE);
    this.cache.delete(tenant.id);
  }
}
