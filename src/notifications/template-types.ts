// The email template types the server sends, each with the placeholders its body must contain and the
// templates shipped for it. A tenant may override any (type, locale); see email-templates.ts.
import { LOCAL_DIALECT } from '../claims/local-claims.ts';

export type TemplateTypeName = 'TOTP';
export type ContentType = 'text/plain' | 'text/html';
export const CONTENT_TYPES: readonly ContentType[] = ['text/plain', 'text/html'];

export interface EmailTemplate {
  contentType: ContentType;
  subject: string;
  body: string;
  /** Appended below the body (WSO2 keeps it apart so a tenant can change one without the other). */
  footer: string;
}

export interface TemplateType {
  name: TemplateTypeName;
  displayName: string;
  /** WSO2's template-type id: base64url of the display name, lower-cased and without spaces. */
  id: string;
  /** Placeholders a body of this type must contain, or the message would be useless. */
  requiredPlaceholders: readonly string[];
  /** Shipped templates by locale; en_US always exists. */
  defaults: Readonly<Record<string, EmailTemplate>>;
  /** Values computed from the caller's for the shipped wording; a caller's own value of the same name wins. */
  derive?: (values: Readonly<Record<string, string>>) => Record<string, string>;
}

export const DEFAULT_LOCALE = 'en_US';

const CLAIM_PLACEHOLDER = 'user.claim.';

/** The claim a {{user.claim.X}} placeholder names (X is the URI after http://wso2.org/claims/), or undefined. */
export function claimOfPlaceholder(name: string): string | undefined {
  return name.startsWith(CLAIM_PLACEHOLDER) ? `${LOCAL_DIALECT}/${name.slice(CLAIM_PLACEHOLDER.length)}` : undefined;
}

function wso2Id(displayName: string): string {
  return Buffer.from(displayName.replace(/\s+/g, '').toLowerCase(), 'utf8').toString('base64url');
}

// WSO2's TOTP template (section 6 of the behaviour notes): same subject, same greeting and placeholders.
// {{expires-in}} names the lifetime when the caller passes expiry-minutes, else says "in a few minutes".
const TOTP_BODY = `Hi {{user.claim.givenname}},

Please use the token {{token}} as the password for your login.

The code expires {{expires-in}}. If you did not just try to sign in, you can ignore this email; someone may know your password, so consider changing it.`;

function expiresIn(minutes: string | undefined): string {
  const n = Number(minutes);
  if (!minutes || !Number.isInteger(n) || n <= 0) return 'in a few minutes';
  return n === 1 ? 'in 1 minute' : `in ${n} minutes`;
}

const TYPES: readonly TemplateType[] = [
  {
    name: 'TOTP',
    displayName: 'TOTP',
    id: wso2Id('TOTP'),
    requiredPlaceholders: ['token'],
    defaults: {
      [DEFAULT_LOCALE]: { contentType: 'text/plain', subject: 'Time-Based One Time Password', body: TOTP_BODY, footer: '' },
    },
    derive: (values) => ({ 'expires-in': expiresIn(values['expiry-minutes']) }),
  },
];

export function listTemplateTypes(): readonly TemplateType[] {
  return TYPES;
}

/** Finds a type by WSO2's id (dG90cA) or by its name (TOTP, case-insensitive). */
export function findTemplateType(idOrName: string): TemplateType | undefined {
  return TYPES.find((t) => t.id === idOrName || t.name.toLowerCase() === idOrName.toLowerCase());
}

export function templateType(name: TemplateTypeName): TemplateType {
  return TYPES.find((t) => t.name === name)!;
}

/**
 * Canonical locale as WSO2 writes it (en_US): language lower-case, region upper-case, `-` accepted for `_`.
 * Undefined for anything else, so a locale never carries odd characters into SQL, paths or logs.
 */
export function normalizeLocale(raw: string): string | undefined {
  const m = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?$/.exec(raw.trim());
  if (!m) return undefined;
  return m[2] ? `${m[1]!.toLowerCase()}_${m[2].toUpperCase()}` : m[1]!.toLowerCase();
}
