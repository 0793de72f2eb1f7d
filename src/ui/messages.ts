// User-facing texts for failure reasons and notices, keyed as the authenticators report them. A theme
// can override the templates; these are the defaults (English).
const MESSAGES: Record<string, string> = {
  'login.fail.message': 'Login failed. Check your user name and password and try again.',
  'login.fail.ambiguous': 'This user name exists in more than one user store. Sign in with the store name, e.g. JDBC/name.',
  'login.fail.store': 'The user store for this account is not available right now. Try again later.',
  'account.locked': 'Your account is locked because of too many failed attempts.',
  'totp.invalid': 'Authentication failed. The verification code is not correct; please retry.',
  'totp.reused': 'Authentication failed. That code was already used; wait for the next one and retry.',
  'totp.not.enrolled': 'Authentication failed. Enable TOTP in your profile: you cannot continue without TOTP authentication.',
  'totp.email.sent': 'A verification code was sent to your email address.',
  'totp.email.disabled': 'Sending verification codes by email is not enabled.',
  'totp.email.not_enrolled': 'Finish setting up your authenticator app first; email codes are for enrolled users.',
  'totp.email.no_address': 'There is no email address in your profile to send a code to.',
  'totp.email.rate_limited': 'A code was sent recently. Wait a little before asking for another one.',
  'login.passive': 'You are not signed in, and the application asked not to show a login page.',
  'login.passive_step': 'This application needs another sign-in step, and it asked not to show a login page.',
  'login.cancelled': 'The login was cancelled.',
  'login.session_ended': 'Your session ended while you were signing in (you signed out, or your account changed). Start again from the application.',
  'login.failed': 'The login could not be completed.',
  // Federated sign-in (identity-providers/, authenticators/oidc/): each says what the user can do.
  'federation.no.local.user': 'You signed in with your other account, but there is no account here for it. Ask your administrator to create one for you, then sign in again.',
  'federation.jit.off': 'You signed in with your other account, but it is not linked to an account here, and accounts are not created automatically for it. Link it in My Account (Linked accounts), or ask your administrator.',
  'federation.association.missing': 'You signed in with your other account, but it is not linked to an account here. Sign in with your password and link it in My Account (Linked accounts), then try again.',
  'federation.jit.name.taken': 'An account with the same user name already exists here, so a new one cannot be created for you. Sign in with that account and link your other account in My Account, or ask your administrator.',
  'federation.jit.invalid': 'Choose a user name without spaces or "/", and a password.',
  'federation.jit.password': 'That password does not meet the password policy. Choose a longer one.',
  'federation.idp.unavailable': 'This sign-in option is not available any more. Start again from the application and choose another one.',
  'federation.idp.unreachable': 'The identity provider could not be reached. Try again in a moment.',
  'federation.state.mismatch': 'This sign-in answer does not belong to your login (it was used already, or came from another browser). Start again from the application.',
  'federation.upstream.refused': 'The identity provider did not sign you in. Start again from the application.',
  'federation.upstream.invalid': 'The identity provider\'s answer could not be verified, so it was not accepted. Start again from the application.',
};

export function message(key: string | undefined): string {
  if (!key) return '';
  return MESSAGES[key] ?? MESSAGES['login.failed']!;
}

/** "in about N minutes" for an unlock time, or '' when there is none; `now` comes from the server's clock. */
export function untilText(unlockTime: number | undefined, now: number): string {
  if (!unlockTime) return '';
  const minutes = Math.max(1, Math.ceil((unlockTime - now) / 60_000));
  return minutes === 1 ? 'in about a minute' : `in about ${minutes} minutes`;
}
