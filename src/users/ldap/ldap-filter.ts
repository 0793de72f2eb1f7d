// Text that goes into LDAP: filter values escaped per RFC 4515 (a name is never a pattern), DN values per
// RFC 4514, the store-neutral UserFilter translated to an LDAP filter, and the Password Modify request
// (RFC 3062) so the directory hashes a new password with its own scheme.
import { USERNAME_ATTRIBUTE, type UserFilter } from '../user-filter.ts';
import { ldapts } from './ldapts.ts';

/** RFC 4515 section 3: `*`, `(`, `)`, `\` and NUL become \XX; so does everything outside printable ASCII. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x20 || byte > 0x7e || '*()\\'.includes(c) ? `\\${byte.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

/** RFC 4514 section 2.4: an attribute value inside a DN. */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).split(String.fromCharCode(0)).join('\\00');
  if (/^[ #]/.test(out)) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** The configured one-user filter with `?` (WSO2's placeholder) replaced by the escaped name. */
export function userFilterFor(template: string, username: string): string {
  return template.split('?').join(escapeFilterValue(username));
}

/** Matches nothing: an attribute the store does not map. */
const NOTHING = '(!(objectClass=*))';

/**
 * A UserFilter as an LDAP filter. `attributes` maps Portcullis attribute names to the directory's; the user
 * name is `usernameAttribute`. Matching follows the directory's rules (case-insensitive for uid, mail, cn...).
 */
export function ldapFilterOf(filter: UserFilter, usernameAttribute: string, attributes: Readonly<Record<string, string>>): string {
  if (filter.kind !== 'condition') {
    // An empty and/or is "true"/"false" (a SCIM filter on another store's userName); ldapts cannot parse RFC 4526's (&) and (|).
    if (filter.filters.length === 0) return filter.kind === 'and' ? '(objectClass=*)' : NOTHING;
    const parts = filter.filters.map((f) => ldapFilterOf(f, usernameAttribute, attributes));
    return `(${filter.kind === 'and' ? '&' : '|'}${parts.join('')})`;
  }
  const attr = filter.attribute === USERNAME_ATTRIBUTE ? usernameAttribute : attributes[filter.attribute];
  if (!attr) return filter.op === 'ne' ? '(objectClass=*)' : NOTHING;
  const v = escapeFilterValue(filter.value);
  switch (filter.op) {
    case 'eq':
      return `(${attr}=${v})`;
    case 'ne':
      return `(!(${attr}=${v}))`;
    case 'co':
      return `(${attr}=*${v}*)`;
    case 'sw':
      return `(${attr}=${v}*)`;
    case 'ew':
      return `(${attr}=*${v})`;
    case 'pr':
      return `(${attr}=*)`;
  }
}

export const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';

/** PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0] OCTET STRING, newPasswd [2] OCTET STRING }. */
export function passwordModifyRequest(dn: string, newPassword: string): Buffer {
  const writer = new (ldapts().BerWriter)();
  writer.startSequence();
  writer.writeString(dn, 0x80);
  writer.writeString(newPassword, 0x82);
  writer.endSequence();
  return writer.buffer;
}

/** Active Directory's unicodePwd: the password in double quotes, UTF-16LE. */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** objectGUID bytes in the usual text form (the first three groups are little-endian). */
export function guidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  const le = (s: string) => s.match(/../g)!.reverse().join('');
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The objectGUID bytes (wire order) of a GUID in text form; undefined when it is not one. */
export function guidBytes(text: string): Buffer | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return undefined;
  const h = text.replace(/-/g, '').toLowerCase();
  const le = (s: string) => s.match(/../g)!.reverse().join('');
  return Buffer.from(le(h.slice(0, 8)) + le(h.slice(8, 12)) + le(h.slice(12, 16)) + h.slice(16), 'hex');
}
