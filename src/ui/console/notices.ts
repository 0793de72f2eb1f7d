// The one-line notices shown after a change (POST-redirect-GET: the redirect carries only the key).
export const NOTICES = {
  'password-changed': 'The password was changed.',
  'user-created': 'The user was created.',
  'user-deleted': 'The user was deleted.',
  unlocked: 'The account was unlocked.',
  locked: 'The account was locked; the user was signed out everywhere.',
  disabled: 'The account was disabled; the user was signed out everywhere.',
  enabled: 'The account was enabled.',
  'profile-saved': 'The profile was saved.',
  'user-password-set': "The user's password was set; the user was signed out everywhere.",
  'totp-reset': 'TOTP was reset: the user enrols again at the next TOTP step; their sessions were ended.',
  'totp-imported': 'The TOTP secret was imported: the user logs in with the codes of their existing app; their sessions were ended.',
  'app-created': 'The application was created.',
  'app-deleted': 'The application was deleted.',
  'steps-saved': 'The authentication steps were saved.',
  'oidc-saved': 'The OpenID Connect settings were saved.',
  'totp-saved': 'The TOTP settings were saved.',
  'totp-cleared': "The tenant's TOTP settings were removed: the values from deployment.toml apply.",
  'secrets-saved': 'Saved: new TOTP secrets are kept where shown below. Users enrolled before keep their secret where it is until they enrol again.',
  'registry-saved': 'The resource was saved in the registry.',
  'registry-collection': 'The collection was created.',
  'registry-deleted': 'It was deleted from the registry.',
  'userstore-added': 'The user store was added; its users can sign in now (on every node within a few seconds).',
  'userstore-saved': 'The user store was saved.',
  'userstore-deleted': "The user store was deleted; its users were signed out.",
} as const;

export type Notice = keyof typeof NOTICES;
