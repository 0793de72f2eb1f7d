// A TOTP secret a tenant keeps in a user store (credentials/totp/store-secrets.ts) sits in the attribute the
// secretkey claim maps to for that store, which the tenant may choose (the seed guide: "if you are using a LDAP
// or AD, set a proper attribute for this"). Another claim mapped to the same attribute of the same store would
// read the ciphertext under a name the claim read policy releases (SCIM, My Account, SAML), and writing it would
// overwrite the secret. The default attribute names are refused in claim-metadata.ts whatever the store; this
// check covers a tenant's own mapping, store by store, whichever of the two claims is saved last.
import { isSecretClaim } from './claim-read-policy.ts';
import { PRIMARY_DOMAIN } from '../users/qualified-name.ts';

interface MappedClaim {
  uri: string;
  attributeMappings: readonly { userstore: string; mappedAttribute: string }[];
}

/**
 * A sentence naming the clash, or undefined when no ordinary claim shares a secret claim's attribute in any store.
 * With `saved`, only clashes that claim takes part in count (a clash stored before this check is left to the
 * read policy, and does not block saving unrelated claims).
 */
export function secretAttributeClash(claims: readonly MappedClaim[], attributeFor: (claim: MappedClaim, storeDomain: string) => string, saved?: string): string | undefined {
  const domains = new Set([PRIMARY_DOMAIN, ...claims.flatMap((c) => c.attributeMappings.map((m) => m.userstore.toUpperCase()))]);
  for (const domain of domains) {
    const secret = new Map(claims.filter((c) => isSecretClaim(c.uri)).map((c) => [attributeFor(c, domain).toLowerCase(), c.uri]));
    for (const claim of claims) {
      if (isSecretClaim(claim.uri)) continue;
      const attribute = attributeFor(claim, domain);
      const owner = secret.get(attribute.toLowerCase());
      if (owner && (saved === undefined || saved === owner || saved === claim.uri)) return `"${attribute}" holds ${owner} in the user store ${domain}; ${claim.uri} cannot map to it there.`;
    }
  }
  return undefined;
}
