// The local claim dialect (http://wso2.org/claims) every tenant starts with. Attribute names follow WSO2's
// defaults (LDAP inetOrgPerson names; the seed guide maps the secret key to totpSecretkey).
export const LOCAL_DIALECT = 'http://wso2.org/claims';
const C = `${LOCAL_DIALECT}/`;
const I = `${LOCAL_DIALECT}/identity/`;

export const CLAIMS = {
  username: `${C}username`,
  userId: `${C}userid`,
  email: `${C}emailaddress`,
  givenName: `${C}givenname`,
  lastName: `${C}lastname`,
  fullName: `${C}fullname`,
  displayName: `${C}displayName`,
  nickname: `${C}nickname`,
  mobile: `${C}mobile`,
  telephone: `${C}telephone`,
  country: `${C}country`,
  organization: `${C}organization`,
  title: `${C}title`,
  locale: `${C}local`,
  created: `${C}created`,
  modified: `${C}modified`,
  secretKey: `${I}secretkey`,
  verifySecretKey: `${I}verifySecretkey`,
  totpEnabled: `${I}totpEnabled`,
  encoding: `${I}encoding`,
  usedTotpTimeWindows: `${I}usedTOTPTimeWindows`,
  failedTotpAttempts: `${I}failedTotpAttempts`,
  failedLoginAttempts: `${I}failedLoginAttempts`,
  failedLoginLockoutCount: `${I}failedLoginLockoutCount`,
  accountLocked: `${I}accountLocked`,
  accountDisabled: `${I}accountDisabled`,
  unlockTime: `${I}unlockTime`,
  lockedReason: `${I}lockedReason`,
} as const;

export interface LocalClaimDefinition {
  uri: string;
  displayName: string;
  description: string;
  attribute: string;
  displayOrder?: number;
  supportedByDefault?: boolean;
  readOnly?: boolean;
  hidden?: boolean;
  required?: boolean;
  regex?: string;
}

export const DEFAULT_LOCAL_CLAIMS: readonly LocalClaimDefinition[] = [
  { uri: CLAIMS.username, displayName: 'Username', description: 'The user name', attribute: 'uid', displayOrder: 1, supportedByDefault: true, required: true, readOnly: true },
  { uri: CLAIMS.userId, displayName: 'User ID', description: 'Unique ID of the user', attribute: 'scimId', displayOrder: 2, readOnly: true },
  { uri: CLAIMS.givenName, displayName: 'First Name', description: 'First name of the user', attribute: 'givenName', displayOrder: 3, supportedByDefault: true },
  { uri: CLAIMS.lastName, displayName: 'Last Name', description: 'Last name of the user', attribute: 'sn', displayOrder: 4, supportedByDefault: true },
  { uri: CLAIMS.email, displayName: 'Email', description: 'Email address; the code-by-email fallback sends to it', attribute: 'mail', displayOrder: 5, supportedByDefault: true, regex: '^[^\\s@]+@[^\\s@]+$' },
  { uri: CLAIMS.fullName, displayName: 'Full Name', description: 'Full name of the user', attribute: 'cn', displayOrder: 6 },
  { uri: CLAIMS.displayName, displayName: 'Display Name', description: 'Name shown for the user', attribute: 'displayName', displayOrder: 7 },
  { uri: CLAIMS.nickname, displayName: 'Nick Name', description: 'Nick name of the user', attribute: 'nickName', displayOrder: 8 },
  { uri: CLAIMS.mobile, displayName: 'Mobile', description: 'Mobile phone number', attribute: 'mobile', displayOrder: 9, supportedByDefault: true },
  { uri: CLAIMS.telephone, displayName: 'Telephone', description: 'Telephone number', attribute: 'telephoneNumber', displayOrder: 10 },
  { uri: CLAIMS.country, displayName: 'Country', description: 'Country', attribute: 'country', displayOrder: 11 },
  { uri: CLAIMS.organization, displayName: 'Organization', description: 'Organization', attribute: 'organizationName', displayOrder: 12 },
  { uri: CLAIMS.title, displayName: 'Title', description: 'Job title', attribute: 'title', displayOrder: 13 },
  { uri: CLAIMS.locale, displayName: 'Locale', description: 'Preferred language, e.g. en_US', attribute: 'preferredLanguage', displayOrder: 14 },
  { uri: CLAIMS.created, displayName: 'Created Time', description: 'When the user was created', attribute: 'createdDate', displayOrder: 15, readOnly: true },
  { uri: CLAIMS.modified, displayName: 'Last Modified Time', description: 'When the user was last changed', attribute: 'lastModifiedDate', displayOrder: 16, readOnly: true },
  { uri: CLAIMS.secretKey, displayName: 'Secret Key', description: 'Claim to store the secret key', attribute: 'totpSecretkey', displayOrder: 20, readOnly: true, hidden: true },
  { uri: CLAIMS.verifySecretKey, displayName: 'Verify Secret Key', description: 'Claim to store the secret key until verified', attribute: 'totpVerifySecretkey', displayOrder: 21, readOnly: true, hidden: true },
  { uri: CLAIMS.totpEnabled, displayName: 'Enable TOTP', description: 'Claim to represent whether user has configured TOTP for MFA in My Account.', attribute: 'totpEnabled', displayOrder: 22, readOnly: true },
  { uri: CLAIMS.encoding, displayName: 'Encoding', description: 'Text encoding of the stored TOTP secret (Base32 or Base64)', attribute: 'encoding', displayOrder: 23, readOnly: true, hidden: true },
  { uri: CLAIMS.usedTotpTimeWindows, displayName: 'Used TOTP Time Windows', description: 'TOTP time steps already used (codes are accepted once)', attribute: 'usedTOTPTimeWindows', displayOrder: 24, readOnly: true, hidden: true },
  { uri: CLAIMS.failedTotpAttempts, displayName: 'Failed TOTP Attempts', description: 'Consecutive failed TOTP attempts', attribute: 'failedTotpAttempts', displayOrder: 25, readOnly: true },
  { uri: CLAIMS.failedLoginAttempts, displayName: 'Failed Login Attempts', description: 'Consecutive failed password attempts', attribute: 'failedLoginAttempts', displayOrder: 26, readOnly: true },
  { uri: CLAIMS.failedLoginLockoutCount, displayName: 'Failed Lockout Count', description: 'How many times the account was locked for failed attempts', attribute: 'failedLoginLockoutCount', displayOrder: 27, readOnly: true },
  { uri: CLAIMS.accountLocked, displayName: 'Account Locked', description: 'Whether the account is locked (an admin may set it to false to unlock)', attribute: 'accountLock', displayOrder: 28 },
  { uri: CLAIMS.accountDisabled, displayName: 'Account Disabled', description: 'Whether the account is disabled', attribute: 'accountDisabled', displayOrder: 29 },
  { uri: CLAIMS.unlockTime, displayName: 'Unlock Time', description: 'When a locked account unlocks (milliseconds since the epoch)', attribute: 'unlockTime', displayOrder: 30, readOnly: true },
  { uri: CLAIMS.lockedReason, displayName: 'Locked Reason', description: 'Why the account is locked, e.g. MAX_TOTP_ATTEMPTS_EXCEEDED', attribute: 'lockedReason', displayOrder: 31, readOnly: true },
];

/** Claims whose values are encrypted at rest. */
export const ENCRYPTED_CLAIMS: ReadonlySet<string> = new Set([CLAIMS.secretKey, CLAIMS.verifySecretKey]);

export function isIdentityClaim(uri: string): boolean {
  return uri.startsWith(I);
}
