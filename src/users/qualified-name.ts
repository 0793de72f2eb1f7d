// The one parser for user names as people type them: `[DOMAIN/]name[@tenant]`, as WSO2 writes them
// (e.g. `LDAP/bob@example.com`, `alice@carbon.super`). Everything else calls this.

export const PRIMARY_DOMAIN = 'PRIMARY';
export const SUPER_TENANT_DOMAIN = 'carbon.super';

export interface QualifiedName {
  /** User store domain, upper-cased; undefined when the name did not say. */
  storeDomain: string | undefined;
  username: string;
  /** Tenant domain, lower-cased; undefined when the name did not say. */
  tenantDomain: string | undefined;
}

const TENANT_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const STORE_DOMAIN = /^[A-Z0-9][A-Z0-9_.-]{0,63}$/;

export function isValidTenantDomain(domain: string): boolean {
  return domain.length <= 253 && TENANT_DOMAIN.test(domain);
}

export function isValidStoreDomain(domain: string): boolean {
  return STORE_DOMAIN.test(domain);
}

/**
 * Splits a name into store domain, user name and tenant. The tenant is what follows the last `@` when it
 * looks like a domain. With `emailUsernames`, a single `@` belongs to the user name (`bob@gmail.com`), and
 * the tenant needs a second one (`bob@gmail.com@example.com`), as in WSO2 with EnableEmailUserName.
 */
export function parseQualifiedName(input: string, options: { emailUsernames?: boolean } = {}): QualifiedName {
  let rest = input.trim();
  let storeDomain: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    storeDomain = rest.slice(0, slash).toUpperCase();
    rest = rest.slice(slash + 1);
  }
  let tenantDomain: string | undefined;
  const at = rest.lastIndexOf('@');
  const ats = rest.split('@').length - 1;
  if (at > 0 && (!options.emailUsernames || ats >= 2)) {
    const candidate = rest.slice(at + 1).toLowerCase();
    if (isValidTenantDomain(candidate)) {
      tenantDomain = candidate;
      rest = rest.slice(0, at);
    }
  }
  return { storeDomain, username: rest, tenantDomain };
}

/** `DOMAIN/name` for secondary stores, plain `name` for PRIMARY (WSO2's tenant-aware name). */
export function domainQualified(storeDomain: string, username: string): string {
  return storeDomain === PRIMARY_DOMAIN ? username : `${storeDomain}/${username}`;
}

/** `DOMAIN/name@tenant`, WSO2's fully qualified form (PRIMARY omitted). */
export function fullyQualified(storeDomain: string, username: string, tenantDomain: string): string {
  return `${domainQualified(storeDomain, username)}@${tenantDomain}`;
}

// No white space or control characters, no `/` (the domain separator); at most 255 characters.
const USERNAME = /^[^\s/\p{Cc}]{1,255}$/u;

export function isValidUsername(username: string): boolean {
  return USERNAME.test(username);
}
