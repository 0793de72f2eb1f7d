// The SCIM User attributes this server supports (a truthful subset of RFC 7643 section 4.1) and WSO2's
// urn:scim:wso2:schema extension (accountLocked, lockedReason). One table drives name lookup (attribute
// names are case-insensitive, RFC 7643 section 2.1), PATCH rules and the /Schemas document.
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const WSO2_SCHEMA = 'urn:scim:wso2:schema';

export type AttrType = 'string' | 'boolean' | 'dateTime' | 'reference' | 'complex';

export interface AttrDef {
  name: string;
  type: AttrType;
  description: string;
  multiValued?: boolean;
  /** RFC 7643 section 2.2: readOnly attributes are set by the server; PUT ignores them, PATCH refuses them. */
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default';
  required?: boolean;
  uniqueness?: 'none' | 'server';
  caseExact?: boolean;
  subAttributes?: AttrDef[];
}

const str = (name: string, description: string, extra: Partial<AttrDef> = {}): AttrDef => ({ name, type: 'string', description, ...extra });

const multiValue = (what: string, types: string[]): AttrDef[] => [
  str('value', `The ${what}.`),
  str('type', `The kind of ${what}: ${types.join(', ')}.`),
  { name: 'primary', type: 'boolean', description: `Whether this is the primary ${what}.` },
  str('display', `A label for the ${what}.`, { mutability: 'readOnly' }),
];

export const USER_ATTRIBUTES: AttrDef[] = [
  str('id', 'Unique identifier of the user, issued by the server.', { mutability: 'readOnly', returned: 'always', uniqueness: 'server', caseExact: true }),
  str('userName', 'Unique name of the user; DOMAIN/name for secondary user stores. Cannot be changed.', { required: true, uniqueness: 'server', mutability: 'immutable' }),
  str('password', 'The password; subject to the password policy. Never returned.', { mutability: 'writeOnly', returned: 'never' }),
  {
    name: 'name',
    type: 'complex',
    description: "The user's name.",
    subAttributes: [str('givenName', 'Given (first) name.'), str('familyName', 'Family (last) name.'), str('formatted', 'Full name.')],
  },
  str('displayName', 'Name shown for the user.'),
  str('nickName', 'Casual name of the user.'),
  str('title', 'Job title.'),
  str('locale', 'Preferred locale, e.g. en_US.'),
  { name: 'active', type: 'boolean', description: 'False disables the account (the accountDisabled identity claim).' },
  {
    name: 'emails',
    type: 'complex',
    multiValued: true,
    description: 'Email addresses; the primary one (else the first) is kept as the emailaddress claim.',
    subAttributes: multiValue('email address', ['work', 'home', 'other']),
  },
  {
    name: 'phoneNumbers',
    type: 'complex',
    multiValued: true,
    description: 'Phone numbers: type mobile (the mobile claim) and type work (the telephone claim).',
    subAttributes: multiValue('phone number', ['mobile', 'work']),
  },
];

export const WSO2_ATTRIBUTES: AttrDef[] = [
  { name: 'accountLocked', type: 'boolean', description: 'Whether the account is locked; an admin sets false to unlock (also clearing the failed-attempt counters).' },
  str('lockedReason', 'Why the account is locked, e.g. MAX_TOTP_ATTEMPTS_EXCEEDED.', { mutability: 'readOnly' }),
];

/** Attributes every resource has (RFC 7643 section 3.1); read-only. */
export const COMMON_ATTRIBUTES: AttrDef[] = [
  str('schemas', 'Schema URIs of the resource.', { mutability: 'readOnly', multiValued: true, type: 'reference' }),
  {
    name: 'meta',
    type: 'complex',
    description: 'Resource metadata.',
    mutability: 'readOnly',
    subAttributes: [str('resourceType', 'User.'), { name: 'created', type: 'dateTime', description: 'Creation time.' }, { name: 'lastModified', type: 'dateTime', description: 'Last change.' }, { name: 'location', type: 'reference', description: 'URI of the resource.' }],
  },
];

/** The definition of `name` (or `name.sub`) under a schema, found without regard to case. */
export function findAttribute(container: string | undefined, path: string): AttrDef | undefined {
  const defs = container === WSO2_SCHEMA ? WSO2_ATTRIBUTES : [...USER_ATTRIBUTES, ...COMMON_ATTRIBUTES];
  const [head, sub] = path.toLowerCase().split('.', 2) as [string, string | undefined];
  const attr = defs.find((d) => d.name.toLowerCase() === head);
  if (!attr || sub === undefined) return attr;
  return attr.subAttributes?.find((d) => d.name.toLowerCase() === sub);
}

/** The schema URN a path starts with (`urn:...:User:name.givenName`), and the rest; case-insensitive. */
export function splitSchema(path: string): { container: string | undefined; rest: string } {
  const lower = path.toLowerCase();
  for (const urn of [USER_SCHEMA, WSO2_SCHEMA]) {
    if (lower.startsWith(`${urn.toLowerCase()}:`)) return { container: urn === USER_SCHEMA ? undefined : urn, rest: path.slice(urn.length + 1) };
  }
  if (lower === WSO2_SCHEMA.toLowerCase()) return { container: WSO2_SCHEMA, rest: '' };
  return { container: undefined, rest: path };
}
