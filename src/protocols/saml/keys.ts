// The SAML front's view of the key service (src/keys/): the tenant's keys of purpose 'saml' (the active one signs,
// the published ones go in the metadata), and the secret that keys persistent NameIDs.
import type { KeyService } from '../../keys/key-service.ts';
import type { TenantKeys } from '../../keys/signing-key.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';

export interface SamlKeys {
  keys(tenant: Pick<Tenant, 'id' | 'domain'>): Promise<TenantKeys>;
  nameIdSecret(tenantId: string): Promise<Buffer>;
}

export function samlKeys(service: KeyService): SamlKeys {
  return {
    keys: (tenant) => service.keys(tenant, 'saml'),
    nameIdSecret: (tenantId) => service.secret(tenantId, 'saml-nameid'),
  };
}
