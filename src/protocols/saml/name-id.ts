// The Subject's NameID (SAML core 2.2.3, 8.3) in the format the SP asked for or the application is set to:
// unspecified is the user name as WSO2 sends it (store domain prefixed for secondary stores, or the subject
// claim the application chose); emailAddress is the email claim; persistent is an opaque pseudonym per
// user and application (core 8.3.7), an HMAC under a per-tenant secret that never changes. Claims are read
// through the claim read policy: a subject claim it refuses (a TOTP seed, an identity claim) gives no NameID.
import { createHmac } from 'node:crypto';
import type { Application } from '../../applications/application.ts';
import type { ClaimValueService } from '../../claims/claim-values.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import { NAMEID_FORMAT } from '../../saml-core/constants.ts';

export interface IssuedNameId {
  value: string;
  format: string;
  nameQualifier?: string;
  spNameQualifier?: string;
}

export interface NameIdDeps {
  claimValues: ClaimValueService;
  nameIdSecret(tenantId: string): Promise<Buffer>;
}

export interface NameIdInput {
  tenant: Tenant;
  user: UserRecord;
  application: Application;
  format: string;
  idpEntityId: string;
  spIssuer: string;
}

/** The NameID, or undefined when the user has no value in that format (the SP then gets InvalidNameIDPolicy). */
export async function nameIdFor(deps: NameIdDeps, input: NameIdInput): Promise<IssuedNameId | undefined> {
  const { user, application, format } = input;
  if (format === NAMEID_FORMAT.email) {
    const email = (await deps.claimValues.readReleasable(user, [CLAIMS.email], 'application'))[CLAIMS.email];
    return email ? { value: email, format } : undefined;
  }
  if (format === NAMEID_FORMAT.persistent) {
    const secret = await deps.nameIdSecret(input.tenant.id);
    const value = createHmac('sha256', secret).update(`${application.id}:${user.id}`).digest('base64url');
    return { value, format, nameQualifier: input.idpEntityId, spNameQualifier: input.spIssuer };
  }
  if (format !== NAMEID_FORMAT.unspecified) return undefined;
  const subject = application.claimConfiguration.subject;
  const claimUri = subject?.claim?.uri;
  let value = claimUri && claimUri !== CLAIMS.username ? (await deps.claimValues.readReleasable(user, [claimUri], 'application'))[claimUri] : domainQualified(user.storeDomain, user.username);
  if (!value) return undefined;
  if (subject?.includeTenantDomain) value = `${value}@${input.tenant.domain}`;
  return { value, format };
}
