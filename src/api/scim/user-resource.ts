// A user as a SCIM User resource (RFC 7643 section 4.1) and back. Each attribute lives in one local claim,
// as WSO2's SCIM dialect maps them; only the claims listed here are ever read, and only through the claim read
// policy (audience 'admin'), so the TOTP secrets and hidden claims cannot reach a SCIM response. The password
// is read from requests and never written out.
import type { ClaimValues } from '../../claims/claim-values.ts';
import { CLAIMS } from '../../claims/local-claims.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { scimError } from './errors.ts';
import { USER_SCHEMA, WSO2_SCHEMA } from './user-schema.ts';

type Json = Record<string, unknown>;

const SIMPLE = { displayName: CLAIMS.displayName, nickName: CLAIMS.nickname, title: CLAIMS.title, locale: CLAIMS.locale } as const;
const NAME = { givenName: CLAIMS.givenName, familyName: CLAIMS.lastName, formatted: CLAIMS.fullName } as const;
/** phoneNumbers by type; a number without a type is the mobile number. */
const PHONE = { mobile: CLAIMS.mobile, work: CLAIMS.telephone } as const;

/** Profile claims a PUT or PATCH replaces as a whole (absent means "no value"). */
export const PROFILE_CLAIMS: readonly string[] = [...Object.values(SIMPLE), ...Object.values(NAME), ...Object.values(PHONE), CLAIMS.email];
/**
 * Every claim a SCIM user resource shows. The three identity claims are the policy's named admin exceptions:
 * accountDisabled is `active`, accountLocked and lockedReason are the WSO2 extension's lock attributes.
 */
export const SCIM_CLAIMS: readonly string[] = [...PROFILE_CLAIMS, CLAIMS.accountDisabled, CLAIMS.accountLocked, CLAIMS.lockedReason];

/** What a create, replace or patched resource asks for. */
export interface UserWrite {
  userName: string | undefined;
  password: string | undefined;
  /** One entry per profile claim: the value, or null for none. */
  profile: Record<string, string | null>;
  /** Absent means unchanged: a PUT that leaves them out must not unlock or enable an account by accident. */
  active: boolean | undefined;
  accountLocked: boolean | undefined;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Attribute names are case-insensitive (RFC 7643 section 2.1). */
function get(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

function readString(v: unknown, path: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw scimError('invalidValue', `${path} must be a string.`);
  return v;
}

function readBoolean(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  // Some provisioning clients (Microsoft Entra ID among them) send "True"/"False".
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw scimError('invalidValue', `${path} must be true or false.`);
}

function readList(v: unknown, path: string): Json[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.map((item) => {
    if (typeof item === 'string') return { value: item };
    if (isObject(item)) return item;
    throw scimError('invalidValue', `${path} must be a list of objects with a value.`);
  });
}

/** RFC 7643 section 2.4: the primary value, else the first. */
function primaryOrFirst(items: Json[]): Json | undefined {
  return items.find((e) => readBoolean(get(e, 'primary'), 'primary') === true) ?? items[0];
}

function readPhones(v: unknown, profile: Record<string, string | null>): void {
  for (const phone of readList(v, 'phoneNumbers')) {
    const type = readString(get(phone, 'type'), 'phoneNumbers.type')?.toLowerCase() ?? 'mobile';
    const uri = PHONE[type as keyof typeof PHONE];
    if (!uri) throw scimError('invalidValue', `phoneNumbers of type '${type.slice(0, 20)}' are not supported; use mobile or work.`);
    profile[uri] ??= readString(get(phone, 'value'), 'phoneNumbers.value');
  }
}

/** Reads a User resource from a request body; unknown attributes are ignored (RFC 7644 section 3.3). */
export function readUserWrite(body: unknown): UserWrite {
  if (!isObject(body)) throw scimError('invalidSyntax', 'The body must be a SCIM User object.');
  const profile: Record<string, string | null> = {};
  for (const [attr, uri] of Object.entries(SIMPLE)) profile[uri] = readString(get(body, attr), attr);
  const name = get(body, 'name') ?? {};
  if (!isObject(name)) throw scimError('invalidValue', 'name must be an object.');
  for (const [attr, uri] of Object.entries(NAME)) profile[uri] = readString(get(name, attr), `name.${attr}`);
  const email = primaryOrFirst(readList(get(body, 'emails'), 'emails'));
  profile[CLAIMS.email] = email ? readString(get(email, 'value'), 'emails.value') : null;
  readPhones(get(body, 'phoneNumbers'), profile);
  for (const uri of Object.values(PHONE)) profile[uri] ??= null;
  const ext = get(body, WSO2_SCHEMA) ?? {};
  if (!isObject(ext)) throw scimError('invalidValue', `${WSO2_SCHEMA} must be an object.`);
  return {
    userName: readString(get(body, 'userName'), 'userName') ?? undefined,
    password: readString(get(body, 'password'), 'password') ?? undefined,
    profile,
    active: readBoolean(get(body, 'active'), 'active'),
    accountLocked: readBoolean(get(ext, 'accountLocked'), `${WSO2_SCHEMA}:accountLocked`),
  };
}

/**
 * The claim values to write for a request: with `current` (replace, patch) only what differs from it; without
 * (create) only what has a value. active and accountLocked become the accountDisabled and accountLocked claims,
 * which the user admin service turns into disable/enable and lock/unlock (ending sessions, clearing counters).
 */
export function claimChanges(write: UserWrite, current?: ClaimValues): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [uri, value] of Object.entries(write.profile)) {
    if (current ? (current[uri] ?? null) !== value : value !== null) out[uri] = value;
  }
  if (write.active !== undefined) {
    const disabled = (current?.[CLAIMS.accountDisabled] ?? 'false') === 'true';
    if (disabled === write.active) out[CLAIMS.accountDisabled] = write.active ? null : 'true';
  }
  if (write.accountLocked !== undefined) {
    const locked = (current?.[CLAIMS.accountLocked] ?? 'false') === 'true';
    if (locked !== write.accountLocked) out[CLAIMS.accountLocked] = String(write.accountLocked);
  }
  return out;
}

function compact(obj: Json): Json | undefined {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The resource as returned (RFC 7643 section 4.1, meta per section 3.1), from values read with readReleasable. */
export function toScimUser(user: UserRecord, values: ClaimValues, location: string): Json {
  const phones = Object.entries(PHONE)
    .filter(([, uri]) => values[uri] !== undefined)
    .map(([type, uri]) => ({ value: values[uri], type }));
  const email = values[CLAIMS.email];
  return {
    schemas: [USER_SCHEMA, WSO2_SCHEMA],
    id: user.id,
    userName: domainQualified(user.storeDomain, user.username),
    ...compact({ name: compact(Object.fromEntries(Object.entries(NAME).map(([attr, uri]) => [attr, values[uri]]))) }),
    ...compact(Object.fromEntries(Object.entries(SIMPLE).map(([attr, uri]) => [attr, values[uri]]))),
    ...(email !== undefined ? { emails: [{ value: email, primary: true }] } : {}),
    ...(phones.length > 0 ? { phoneNumbers: phones } : {}),
    active: values[CLAIMS.accountDisabled] !== 'true',
    [WSO2_SCHEMA]: { accountLocked: values[CLAIMS.accountLocked] === 'true', ...compact({ lockedReason: values[CLAIMS.lockedReason] }) },
    meta: { resourceType: 'User', created: new Date(user.createdAt).toISOString(), lastModified: new Date(user.updatedAt).toISOString(), location },
  };
}
