// A resource of the registry that is not stored as bytes but is a view of a setting kept elsewhere: the
// tenant's TOTP parameters appear as /_system/governance/totp/application-authentication.xml (WSO2's place
// for them), rendered from and parsed into the one stored setting, so the registry and the settings API can
// never disagree. The layer that owns the setting implements this (credentials/totp/totp-xml.ts); the
// composition root mounts it in the registry.
import type { Tenant } from '../tenant-service.ts';

export interface RegistryView {
  /** The normalised path the view appears at. */
  readonly path: string;
  readonly mediaType: string;
  /** The content, or undefined when the setting is absent (the resource then does not exist). */
  read(tenant: Tenant): Promise<Buffer | undefined>;
  /** Parses and stores; refuses bad content with a 4xx naming the problem and changes nothing then. */
  write(tenant: Tenant, content: Buffer): Promise<void>;
  /** Removes the setting; false when there was none. */
  remove(tenant: Tenant): Promise<boolean>;
}
