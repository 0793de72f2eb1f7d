// What the console's user pages need to know about profiles and stores: which claims an admin edits on the
// user page (profile claims kept in the user's store, not identity or read-only ones), what a submitted
// profile form changes, whether the user's store takes writes (a read-only store's page shows the fields
// read-only and says why), and which stores a new user can be created in.
import type { ClaimValues } from '../../claims/claim-values.ts';
import type { LocalClaim } from '../../claims/claim-metadata.ts';
import { isIdentityClaim } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import { canWrite } from '../../users/capabilities.ts';
import { parseQualifiedName, PRIMARY_DOMAIN } from '../../users/qualified-name.ts';
import type { UserStore } from '../../users/user-store.ts';
import { text, type Form } from './forms.ts';

export interface ProfileField {
  id: string;
  /** The form field's name: the claim URI. */
  name: string;
  label: string;
  value: string;
}

/** Claims the profile form shows: editable store attributes the tenant offers by default, or that have a value. */
export function profileClaims(defined: readonly LocalClaim[], values: ClaimValues): LocalClaim[] {
  return defined.filter((c) => !c.hidden && !c.readOnly && !isIdentityClaim(c.uri) && (c.supportedByDefault || values[c.uri] !== undefined));
}

export function profileFields(claims: readonly LocalClaim[], values: ClaimValues): ProfileField[] {
  return claims.map((c, i) => ({ id: `claim-${i}`, name: c.uri, label: c.displayName, value: values[c.uri] ?? '' }));
}

/** The claims a submitted profile form changes (an emptied field removes the value); untouched ones are left out. */
export function profileChanges(form: Form, claims: readonly LocalClaim[], values: ClaimValues): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of claims) {
    if (form[c.uri] === undefined) continue;
    const value = text(form, c.uri).trim();
    if (value !== (values[c.uri] ?? '')) out[c.uri] = value === '' ? null : value;
  }
  return out;
}

/** Whether a store takes writes, with the sentence a read-only store's user page shows. */
export function storeAccess(store: UserStore): { domain: string; writable: boolean; why: string } {
  const writable = canWrite(store);
  return { domain: store.domain, writable, why: writable ? '' : `${store.domain} is a read-only user store: its users' profiles and passwords are changed where the store is kept, not here.` };
}

/** The stores a new user can be created in (PRIMARY first). */
export function writableDomains(stores: readonly UserStore[]): string[] {
  return stores.filter(canWrite).map((s) => s.domain);
}

/**
 * The name to create from the form's store and user name: `STORE/name` for a secondary store. A typed
 * `DOMAIN/name` is kept when it agrees with the chosen store (or no store was chosen), refused otherwise.
 */
export function nameInStore(store: string, typed: string): string {
  const q = parseQualifiedName(typed);
  const chosen = store.trim().toUpperCase();
  if (!chosen) return typed;
  if (q.storeDomain !== undefined && q.storeDomain !== chosen) {
    throw new AppError('PCS-40001', { description: `The user name names the store ${q.storeDomain}, but ${chosen} is chosen.` });
  }
  const bare = q.storeDomain === undefined ? typed : typed.slice(typed.indexOf('/') + 1);
  return chosen === PRIMARY_DOMAIN ? bare : `${chosen}/${bare}`;
}
