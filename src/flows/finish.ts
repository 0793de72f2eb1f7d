// The end of a successful login: the SSO session is created or extended with the authenticators just
// passed and the application as a participant, the context is deleted, and the front answers the application.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import { acrFor } from './acr.ts';
import { sha256 } from './context-store.ts';
import type { Browser, EngineDeps, EngineResponse, Loaded } from './engine-types.ts';
import type { LoginResult } from './fronts.ts';
import type { SsoSession, SsoState } from './sso-session.ts';

export async function finishLogin(deps: EngineDeps, loaded: Loaded, browser: Browser): Promise<EngineResponse> {
  const { state, tenant, application, user } = loaded;
  if (!user) throw new AppError('FLW-40002', { description: 'No step of this application identifies the user.' });
  const now = deps.now();
  const amr = [...new Set(state.completed.flatMap((c) => c.amr))];
  const fresh = state.completed.filter((c) => !c.fromSso);
  const authTime = Math.max(...state.completed.map((c) => c.at), loaded.sso?.state.authTime ?? 0);

  let session: SsoSession | undefined = loaded.sso;
  const cookie = session ? undefined : randomBytes(32).toString('base64url');
  const ssoSessionId = session?.id ?? sha256(cookie!);
  const result: LoginResult = { tenant, application, user, amr, acr: acrFor(amr), authTime, steps: state.completed, ssoSessionId };
  const front = deps.fronts.get(state.protocol);
  const { response, participantData, sso: joinSso = true } = await front.complete(result, state.protocolState);

  const passedNow = Object.fromEntries(fresh.map((c) => [c.authenticator, { at: c.at, amr: c.amr }]));
  const participant = { applicationId: application.id, protocol: state.protocol, ...(participantData === undefined ? {} : { data: participantData }) };
  const nextState = (base: SsoState | undefined): SsoState => ({
    user: { id: user.id, storeDomain: user.storeDomain, username: user.username },
    passed: { ...(base?.passed ?? {}), ...passedNow },
    participants: [...(base?.participants ?? []).filter((p) => p.applicationId !== application.id), participant],
    authTime: fresh.length > 0 ? authTime : (base?.authTime ?? authTime),
  });
  // A front that refuses the user (LoginFront.complete with sso: false) leaves the SSO session as it was.
  if (joinSso && session) {
    // Another tab may have changed the session meanwhile: re-read and retry a few times.
    for (let attempt = 0; attempt < 3 && session; attempt++) {
      const saved = await deps.sso.update(session, nextState(session.state), now);
      if (saved) break;
      session = await deps.sso.findById(session.id, tenant.id, now);
    }
  } else if (joinSso) {
    await deps.sso.createWithCookie(cookie!, tenant.id, nextState(undefined), now);
  }
  await deps.contexts.remove(loaded.stored);
  await deps.audit.record({
    tenantId: tenant.id,
    event: 'login.completed',
    outcome: 'success',
    user,
    application: application.name,
    reason: amr.join(' '),
    traceId: browser.traceId,
    remoteAddress: browser.remoteAddress,
  });
  return { response, clearNonce: loaded.stored.id, ...(joinSso && cookie ? { setSso: cookie } : {}) };
}
