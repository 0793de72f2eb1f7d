// My Profile (/myaccount): who is signed in, and a form for the user's own editable claims. Which claims are
// editable is the tenant's claim metadata: shown by default (supportedByDefault), neither read-only nor hidden,
// never an identity claim (account state the server keeps) and never a secret. Changes go through the user admin
// service with the user as its own actor (one audit event). The email address is where the code-by-email
// fallback goes, so changing it needs the current password (checked by the one password policy, which counts
// failures toward the lock) unless the session signed in within the last few minutes; and because a code by email
// stands in for the authenticator app, an enrolled user also needs a current code (or this session's recent proof
// of one, flows/step-up.ts): a password alone never replaces a second factor.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LocalClaim } from '../../claims/claim-metadata.ts';
import { isReleasable, isSecretClaim } from '../../claims/claim-read-policy.ts';
import { CLAIMS, LOCAL_DIALECT } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import { FRESH_SIGN_IN_MS, formOf, type Form, type MyAccountContext, type MyAccountKit } from './session.ts';

const IDENTITY_PREFIX = `${LOCAL_DIALECT}/identity/`.toLowerCase();
/** The longest value a profile field takes (the claim patterns' own bound). */
const MAX_VALUE = 1024;

const NOTICES: Record<string, string> = {
  saved: 'Your profile was saved.',
  unchanged: 'Nothing to save: no field changed.',
};

/** The claims a user may edit on their own profile, in display order. */
export function isSelfEditable(claim: LocalClaim): boolean {
  return (
    claim.supportedByDefault &&
    !claim.readOnly &&
    !claim.hidden &&
    !claim.uri.toLowerCase().startsWith(IDENTITY_PREFIX) &&
    !isSecretClaim(claim.uri) &&
    isReleasable(claim, 'self')
  );
}

export function registerProfile(app: FastifyInstance, kit: MyAccountKit): void {
  const { deps } = kit;

  const editable = async (ctx: MyAccountContext) => (await deps.claims.list(ctx.tenant.id)).filter(isSelfEditable).sort((a, b) => a.displayOrder - b.displayOrder);

  const show = async (reply: FastifyReply, ctx: MyAccountContext, options: { form?: Form; error?: string; notice?: string; status?: number } = {}) => {
    const claims = await editable(ctx);
    const values = await deps.claimValues.readReleasable(ctx.user, claims.map((c) => c.uri), 'self');
    const status = await deps.totpManagement.status(ctx.user);
    return kit.render(
      reply,
      ctx,
      'myaccount',
      {
        title: 'My Account',
        username: domainQualified(ctx.user.storeDomain, ctx.user.username),
        totpStatus: status.enrolled ? 'Enabled' : status.pending ? 'Set-up not finished' : 'Not set up',
        methods: Object.keys(ctx.session.state.passed),
        fields: claims.map((c) => ({
          name: c.uri,
          label: c.displayName,
          type: c.uri === CLAIMS.email ? 'email' : 'text',
          required: c.required,
          value: options.form?.[c.uri] ?? values[c.uri] ?? '',
        })),
        emailEditable: claims.some((c) => c.uri === CLAIMS.email),
        fresh: kit.freshSignIn(ctx),
        emailNeedsCode: status.enrolled && !kit.codeProven(ctx),
        freshMinutes: FRESH_SIGN_IN_MS / 60_000,
        profileAction: kit.url(ctx, '/myaccount/profile'),
        error: options.error ?? '',
        notice: options.notice ?? '',
      },
      options.status,
    );
  };

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = await kit.signedIn(request, reply, '/myaccount');
    if (!ctx) return reply;
    const done = (request.query as Record<string, unknown> | undefined)?.done;
    return show(reply, ctx, { notice: typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done] : '' });
  };
  app.get('/myaccount', page);
  app.get('/myaccount/profile', page);

  app.post('/myaccount/profile', async (request, reply) => {
    const ctx = await kit.signedIn(request, reply, '/myaccount');
    if (!ctx) return reply;
    const form = formOf(request.body);
    const refuse = (error: string) => show(reply, ctx, { form, error, status: 400 });
    const claims = await editable(ctx);
    const current = await deps.claimValues.readReleasable(ctx.user, claims.map((c) => c.uri), 'self');
    const changes: Record<string, string | null> = {};
    for (const claim of claims) {
      const given = form[claim.uri];
      if (given === undefined) continue;
      const value = given.trim();
      if (value.length > MAX_VALUE) return refuse(`${claim.displayName} is too long (at most ${MAX_VALUE} characters).`);
      if (value === '' && claim.required) return refuse(`${claim.displayName} is required.`);
      if (value !== (current[claim.uri] ?? '')) changes[claim.uri] = value === '' ? null : value;
    }
    if (Object.keys(changes).length === 0) return kit.done(reply, ctx, '/myaccount', 'unchanged');

    // The email address receives the fallback code: whoever changes it must know the password (or just signed in).
    if (Object.hasOwn(changes, CLAIMS.email) && !kit.freshSignIn(ctx)) {
      const password = form.currentPassword ?? '';
      if (password === '') return refuse('Enter your current password to change your email address.');
      const checked = await deps.passwords.check(ctx.tenant, domainQualified(ctx.user.storeDomain, ctx.user.username), password);
      if (!checked.ok) {
        return refuse(checked.refusal === 'invalid' ? 'The current password is not right. Your email address was not changed.' : 'Your account can no longer be used (too many wrong passwords, or it was disabled). Nothing was changed.');
      }
    }
    if (Object.hasOwn(changes, CLAIMS.email)) {
      const token = (form.token ?? '').replace(/\s+/g, '');
      const check = await deps.totpManagement.factorProven(kit.request(request, ctx), ctx.user, { session: kit.codeProven(ctx), code: token });
      if (!check.ok) {
        return refuse(check.reason === 'needed' ? 'Enter a current code from your authenticator app to change your email address.' : check.reason === 'unusable' || check.lockedNow ? 'Your account is locked for now. Nothing was changed.' : 'That code is not right. Your email address was not changed.');
      }
    }
    try {
      await deps.userAdmin.update(kit.request(request, ctx), ctx.user, { claims: changes });
    } catch (err) {
      // A value the claim's rules refuse is the user's to fix on the form, not an error page.
      if (err instanceof AppError && err.code.startsWith('CLM-') && err.status < 500) return refuse(err.description);
      throw err;
    }
    return kit.done(reply, ctx, '/myaccount', 'saved');
  });
}
