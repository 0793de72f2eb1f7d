// One user: its store, a profile form (read-only, saying why, for a read-only store), claims (never the hidden
// ones: TOTP secrets), status (enabled, lock) with Disable/Enable and
// Lock/Unlock, a new password, TOTP enrolment with WSO2's "Reset TOTP" and an import of an existing secret, and deletion. Every change is a call to
// the user admin service (users/user-admin.ts), which ends the user's sessions where it must and audits the
// admin; this file only reads the form and shows the outcome.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLAIMS } from '../../claims/local-claims.ts';
import { AppError } from '../../errors/app-error.ts';
import { domainQualified } from '../../users/qualified-name.ts';
import { isTenantAdmin, type AdminRequest } from '../../users/user-admin.ts';
import type { TotpImport } from '../../users/totp-import.ts';
import type { UserRecord } from '../../users/user-store.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text, type Form } from './forms.ts';
import type { Notice } from './notices.ts';
import { profileChanges, profileClaims, profileFields, storeAccess } from './user-profile.ts';

/** The import form's choices: a value outside them is refused naming the field (the secret is checked by the credentials layer). */
function importOf(form: Form): TotpImport {
  const pick = <T extends string>(field: string, allowed: readonly T[], fallback: T): T => {
    const value = text(form, field).trim() || fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new AppError('PCS-40001', { description: `${field} must be ${allowed.join(' or ')}.` });
    return value as T;
  };
  const period = text(form, 'period').trim() || '30';
  if (!/^\d{1,6}$/.test(period)) throw new AppError('PCS-40001', { description: 'period must be a whole number of seconds.' });
  return {
    secret: text(form, 'secret').trim(),
    encoding: pick('encoding', ['Base32', 'Base64'] as const, 'Base32'),
    algorithm: pick('algorithm', ['SHA1', 'SHA256', 'SHA512'] as const, 'SHA1'),
    digits: Number(pick('digits', ['6', '8'] as const, '6')) as TotpImport['digits'],
    period: Number(period),
  };
}

type UserRequest = FastifyRequest<{ Params: { id: string } }>;
type Change = (req: AdminRequest, user: UserRecord, request: UserRequest) => Promise<void>;

export function registerUser(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;
  const path = (user: UserRecord) => `/console/users/${encodeURIComponent(user.id)}`;

  const show = async (request: UserRequest, reply: FastifyReply, problem = '', status = 200) => {
    const { tenant } = kit.ctx(request);
    const user = await deps.userAdmin.require(kit.adminRequest(request), request.params.id);
    const defined = (await deps.claims.list(tenant.id)).filter((c) => !c.hidden);
    const values = await deps.claimValues.readReleasable(user, defined.map((c) => c.uri), 'admin');
    const state = await deps.lockout.accountState(user, deps.clock.now());
    const counters = await deps.security.get(user);
    const store = storeAccess(deps.users.storeOf(user));
    return kit.render(
      request,
      reply,
      'user',
      domainQualified(user.storeDomain, user.username),
      {
        user: { id: user.id, name: domainQualified(user.storeDomain, user.username), path: path(user) },
        store,
        profile: profileFields(profileClaims(defined, values), values),
        claims: defined.filter((c) => values[c.uri] !== undefined).map((c) => ({ name: c.displayName, uri: c.uri, value: values[c.uri] })),
        disabled: state.disabled,
        lock: {
          ...state.lock,
          unlockAt: state.lock.unlockTime === null ? '' : new Date(state.lock.unlockTime).toISOString(),
          failedLogins: counters.failedLoginAttempts,
          failedTotp: counters.failedTotpAttempts,
          lockouts: counters.lockoutCount,
        },
        totpEnrolled: values[CLAIMS.totpEnabled] === 'true',
        isAdmin: isTenantAdmin(tenant, user),
        isSelf: user.id === kit.ctx(request).admin.id,
        links: (await deps.identityProviders.associationsOf(tenant, user)).map((a) => ({ id: a.id, idpName: a.idpName, federatedUserId: a.idpUserId })),
        providers: (await deps.identityProviders.list(tenant)).map((p) => ({ id: p.id, name: p.name })),
        problem,
      },
      status,
    );
  };

  app.get<{ Params: { id: string } }>('/console/users/:id', async (request, reply) => show(request, reply));

  /** A POST that changes the user: a refusal is shown on the user's page, success redirects with a notice. */
  const change = (action: string, notice: Notice, run: Change, to: (user: UserRecord) => string = path) =>
    app.post<{ Params: { id: string } }>(`/console/users/:id/${action}`, async (request, reply) => {
      const req = kit.adminRequest(request);
      const user = await deps.userAdmin.require(req, request.params.id);
      try {
        await run(req, user, request);
      } catch (err) {
        return show(request, reply, problemOf(err), 400);
      }
      return kit.done(reply, kit.ctx(request), to(user), notice);
    });

  change('profile', 'profile-saved', async (req, user, request) => {
    const defined = (await deps.claims.list(req.tenant.id)).filter((c) => !c.hidden);
    const values = await deps.claimValues.readReleasable(user, defined.map((c) => c.uri), 'admin');
    const changes = profileChanges(formOf(request.body), profileClaims(defined, values), values);
    if (Object.keys(changes).length > 0) await deps.userAdmin.update(req, user, { claims: changes });
  });
  change('lock', 'locked', (req, user) => deps.userAdmin.lock(req, user));
  change('unlock', 'unlocked', (req, user) => deps.userAdmin.unlock(req, user));
  change('disable', 'disabled', (req, user) => deps.userAdmin.disable(req, user));
  change('enable', 'enabled', (req, user) => deps.userAdmin.enable(req, user));
  // Linked upstream accounts, as the admin API's federated-associations: through IdpService (IDP-40902 when the
  // upstream account is linked to someone else), audited with the admin as actor.
  change('link', 'link-added', async (req, user, request) => {
    const form = formOf(request.body);
    await deps.identityProviders.link(req, user, text(form, 'idp'), text(form, 'federatedUserId').trim());
  });
  change('unlink', 'link-removed', (req, user, request) => deps.identityProviders.unlink(req, user, text(formOf(request.body), 'association')));
  change('reset-totp', 'totp-reset', (req, user) => deps.userAdmin.resetTotp(req, user));
  // The secret travels only in this POST's body; a refusal re-renders the page without it.
  change('import-totp', 'totp-imported', (req, user, request) => deps.userAdmin.importTotp(req, user, importOf(formOf(request.body))));
  change('password', 'user-password-set', async (req, user, request) => {
    // The admin's own password is changed on the overview, which asks for the current one first.
    if (user.id === req.actor.id) throw new AppError('PCS-40001', { description: 'Change your own password on the overview page.' });
    const form = formOf(request.body);
    if (text(form, 'password') !== text(form, 'repeat')) throw new AppError('PCS-40001', { description: 'The two new passwords are not the same.' });
    await deps.userAdmin.setPassword(req, user, text(form, 'password'));
  });
  change(
    'delete',
    'user-deleted',
    async (req, user, request) => {
      if (text(formOf(request.body), 'confirm') !== 'yes') throw new AppError('PCS-40001', { description: 'Tick the box to confirm the deletion.' });
      await deps.userAdmin.delete(req, user);
    },
    () => '/console/users',
  );
}
