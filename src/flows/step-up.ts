// Step-up within an SSO session: whether the session has recently proven a one-time code (RFC 8176 amr "otp"),
// and recording a proof made outside a login step (a current code entered in My Account or through me/totp
// VALIDATE, checked by the credentials layer with the login's window, replay and lock rules). Changing or
// revealing an enrolled user's second factor needs such a proof, so a password alone never does it.
import type { SsoSession, SsoSessionStore } from './sso-session.ts';

/** How long a proven code lets the session see or change the second factor (a "sudo mode", as GitHub's). */
export const STEP_UP_MS = 15 * 60_000;

/** The authenticator name a proof outside the login is recorded under (the TOTP step's own). */
const TOTP = 'totp';

/** Whether the session passed a one-time-code step within the last `maxAgeMs`. */
export function provenRecently(session: SsoSession, now: number, maxAgeMs = STEP_UP_MS): boolean {
  return Object.values(session.state.passed).some((p) => p.amr.includes('otp') && now - p.at <= maxAgeMs);
}

/** Records that the session's user just proved a current code, as if a TOTP step had been passed now. */
export async function recordStepUp(sso: SsoSessionStore, session: SsoSession, now: number): Promise<void> {
  let current: SsoSession | undefined = session;
  // The session row is versioned: another request (a login step, a keep-alive) may have saved it meanwhile.
  for (let attempt = 0; current && attempt < 3; attempt++) {
    const state = { ...current.state, passed: { ...current.state.passed, [TOTP]: { at: now, amr: ['otp'] } } };
    const updated = await sso.update(current, state, now);
    if (updated) {
      Object.assign(session, updated);
      return;
    }
    current = await sso.findById(session.id, session.tenantId, now);
  }
}
