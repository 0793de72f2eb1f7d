// Security (/myaccount/security): the user's authenticator app (TOTP), through the one door for TOTP outside
// the login (services.totpManagement), which applies the credentials layer's rules and writes the audit events.
//   - Enable: a pending secret (the QR and the key beside it, rendered here; never a URL carrying the secret),
//     active only once a code from it is entered. The pending secret lives in the database, so a reload of
//     this page shows the same QR and code form again (every POST redirects back here).
//   - Refresh: a new pending secret; the old one keeps working at sign-in until a code from the new one is
//     entered. Cancel drops a pending secret.
//   - Disable: needs a current code; it ends the user's other sessions (this one stays).
// A password alone never reveals or replaces a second factor: once the user is enrolled, the pending QR, refresh,
// cancel and confirm need this session to have proved a current code within the last minutes (a TOTP step at
// sign-in, or the "Confirm it's you" form here, which records the proof: flows/step-up.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordStepUp, STEP_UP_MS } from '../../flows/step-up.ts';
import { base32Encode } from '../../totp/index.ts';
import { LINK_FAILURES, LINK_NOTICES, linkedAccountsView } from './linked-accounts.ts';
import { formOf, type MyAccountContext, type MyAccountKit } from './session.ts';

const PAGE = '/myaccount/security';

const NOTICES: Record<string, string> = {
  started: 'Scan the QR code with your authenticator app, then enter the code it shows to finish.',
  refresh: 'A new secret key was made. Re-scan the QR code in your authenticator app, then enter a code from it. Until you do, your current key keeps working.',
  enabled: 'Your authenticator app is set up: sign-ins will ask for its code.',
  cancelled: 'The unfinished set-up was cancelled. Nothing else changed.',
  disabled: 'TOTP is disabled. Your other sessions were signed out.',
  verified: 'Thanks: you can now change your authenticator app for the next few minutes.',
  ...LINK_NOTICES,
};

/** What the user is told when a code is refused (never the code itself). */
function refusal(check: { reason: string; lockedNow?: boolean | undefined }, what: 'new' | 'current'): string {
  if (check.reason === 'reused') return 'That code was already used. Wait for the next code from your app and enter it.';
  if (check.reason === 'unusable' || check.lockedNow) return 'Too many wrong codes: your account is locked for now. Nothing was changed.';
  if (check.reason === 'none') return what === 'new' ? 'There is no set-up to finish (it was cancelled or finished elsewhere).' : 'TOTP is not set up.';
  return what === 'new' ? 'That code is not right for the new key. Check that you scanned the QR code above and try the current code.' : 'That code is not right. Nothing was changed.';
}

/** A code as typed: spaces removed; anything but a few digits is not a code (and is not sent to be counted). */
function codeOf(raw: string | undefined): string | undefined {
  const code = (raw ?? '').replace(/\s+/g, '');
  return /^\d{6,10}$/.test(code) ? code : undefined;
}

export function registerSecurity(app: FastifyInstance, kit: MyAccountKit): void {
  const { deps } = kit;
  const tm = deps.totpManagement;

  const show = async (reply: FastifyReply, ctx: MyAccountContext, options: { error?: string; notice?: string; status?: number } = {}) => {
    const status = await tm.status(ctx.user);
    const proven = kit.codeProven(ctx);
    // An enrolled user's pending secret is shown only to a session that proved the current one.
    const pending = status.pending && (proven || !status.enrolled) ? await tm.pendingQr(ctx.tenant, ctx.user) : undefined;
    const secret = pending?.secret;
    return kit.render(
      reply,
      ctx,
      'myaccount_security',
      {
        title: 'Security · My Account',
        enrolled: status.enrolled,
        hasPending: status.pending,
        pending: pending
          ? {
              refresh: status.enrolled,
              qrDataUrl: await tm.qrImage(pending),
              secretGroups: base32Encode(secret!.key).match(/.{1,4}/g) ?? [],
              account: pending.account,
              issuer: pending.issuer,
              nonDefault: secret!.algorithm !== 'SHA1' || secret!.digits !== 6 || secret!.period !== 30,
              algorithm: secret!.algorithm,
              digits: secret!.digits,
              period: secret!.period,
            }
          : undefined,
        proven,
        stepUpMinutes: STEP_UP_MS / 60_000,
        actions: {
          verify: kit.url(ctx, `${PAGE}/verify`),
          enable: kit.url(ctx, `${PAGE}/enable`),
          confirm: kit.url(ctx, `${PAGE}/confirm`),
          refresh: kit.url(ctx, `${PAGE}/refresh`),
          cancel: kit.url(ctx, `${PAGE}/cancel`),
          disable: kit.url(ctx, `${PAGE}/disable`),
        },
        linked: await linkedAccountsView(kit, ctx),
        error: options.error ?? '',
        notice: options.notice ?? '',
      },
      options.status,
    );
  };

  app.get(PAGE, async (request, reply) => {
    const ctx = await kit.signedIn(request, reply, PAGE);
    if (!ctx) return reply;
    const { done, failed } = (request.query ?? {}) as Record<string, unknown>;
    const error = typeof failed === 'string' && Object.hasOwn(LINK_FAILURES, failed) ? LINK_FAILURES[failed]! : '';
    return show(reply, ctx, { notice: typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done] : '', error, status: failed === 'taken' ? 409 : 200 });
  });

  /**
   * A POST route of this page: signed in (CSRF checked) or answered already. With `factor`, an enrolled user's
   * session must have proved a current code recently; otherwise the page asks for one and nothing changes.
   */
  const post = (path: string, handle: (request: FastifyRequest, reply: FastifyReply, ctx: MyAccountContext) => Promise<FastifyReply>, factor = true) =>
    app.post(`${PAGE}${path}`, async (request, reply) => {
      const ctx = await kit.signedIn(request, reply, PAGE);
      if (!ctx) return reply;
      if (factor) {
        const check = await tm.factorProven(kit.request(request, ctx), ctx.user, { session: kit.codeProven(ctx) });
        if (!check.ok) return show(reply, ctx, { error: 'First confirm it is you with a current code from your authenticator app.', status: 403 });
      }
      return handle(request, reply, ctx);
    });

  // "Confirm it's you": a current code (window, replay and lock rules of the login) lets this session see and
  // change the authenticator app for a few minutes.
  post(
    '/verify',
    async (request, reply, ctx) => {
      const code = codeOf(formOf(request.body).token);
      if (!code) return show(reply, ctx, { error: 'Enter the code your authenticator app shows (digits only).', status: 400 });
      const check = await tm.verify(kit.request(request, ctx), ctx.user, code);
      if (!check.ok) return show(reply, ctx, { error: refusal(check, 'current'), status: 400 });
      await recordStepUp(deps.sso, ctx.session, deps.clock.now());
      return kit.done(reply, ctx, PAGE, 'verified');
    },
    false,
  );

  // INIT: the pending secret the user already has (a reload or a second tab), else a new one.
  post('/enable', async (request, reply, ctx) => {
    await tm.begin(kit.request(request, ctx), ctx.user);
    return kit.done(reply, ctx, PAGE, 'started');
  });

  post('/refresh', async (request, reply, ctx) => {
    if (!(await tm.status(ctx.user)).enrolled) return show(reply, ctx, { error: 'TOTP is not set up yet: use "Enable TOTP".', status: 400 });
    await tm.refresh(kit.request(request, ctx), ctx.user);
    return kit.done(reply, ctx, PAGE, 'refresh');
  });

  post('/cancel', async (request, reply, ctx) => {
    await tm.cancel(kit.request(request, ctx), ctx.user);
    return kit.done(reply, ctx, PAGE, 'cancelled');
  });

  // Only a correct code from the new key makes it the active one; a wrong one counts toward the lock.
  post('/confirm', async (request, reply, ctx) => {
    const code = codeOf(formOf(request.body).token);
    if (!code) return show(reply, ctx, { error: 'Enter the code your authenticator app shows (digits only).', status: 400 });
    const check = await tm.confirm(kit.request(request, ctx), ctx.user, code);
    if (!check.ok) return show(reply, ctx, { error: refusal(check, 'new'), status: 400 });
    // A code of the (now active) secret was just proven in this session.
    await recordStepUp(deps.sso, ctx.session, deps.clock.now());
    return kit.done(reply, ctx, PAGE, 'enabled');
  });

  // Removing the second factor needs proof of it: a current code in the form, or this session's recent proof.
  post(
    '/disable',
    async (request, reply, ctx) => {
      const req = kit.request(request, ctx);
      if (!(await tm.status(ctx.user)).enrolled) return show(reply, ctx, { error: 'TOTP is not set up: there is nothing to disable.', status: 400 });
      const check = await tm.factorProven(req, ctx.user, { session: kit.codeProven(ctx), code: codeOf(formOf(request.body).token) });
      if (!check.ok) {
        return show(reply, ctx, { error: check.reason === 'needed' ? 'Enter a current code from your authenticator app to disable TOTP.' : refusal(check, 'current'), status: 400 });
      }
      await tm.reset(req, ctx.user);
      return kit.done(reply, ctx, PAGE, 'disabled');
    },
    false,
  );
}
