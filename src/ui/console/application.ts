// One application: its authentication steps (edited through steps.ts, saved by the application service), its
// SAML settings read-only (with the metadata URL), its OpenID Connect settings' form (application-oidc.ts),
// and deletion (not for built-in ones).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../applications/application.ts';
import { issuerFor } from '../../protocols/oidc/providers.ts';
import { idpEndpoints } from '../../protocols/saml/endpoints.ts';
import { samlSettingsOf } from '../../protocols/saml/settings.ts';
import { publicBaseUrl, tenantResourceUrl } from '../../http/public-url.ts';
import { oidcFormView, registerApplicationOidc, type OidcFormState } from './application-oidc.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text } from './forms.ts';
import { draftFromForm, draftOf, editDraft, sequenceFromDraft, stepsView, type StepsDraft } from './steps.ts';

type AppRequest = FastifyRequest<{ Params: { id: string } }>;

export function registerApplication(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;

  const appOf = async (request: AppRequest) => deps.applications.require(kit.ctx(request).tenant.id, request.params.id.slice(0, 64));
  const path = (a: Application) => `/console/applications/${encodeURIComponent(a.id)}`;

  const show = async (request: AppRequest, reply: FastifyReply, options: { draft?: StepsDraft; problem?: string; status?: number; edited?: boolean; oidc?: OidcFormState } = {}) => {
    const application = await appOf(request);
    const draft = options.draft ?? draftOf(application.authenticationSequence);
    const saml = samlSettingsOf(application);
    const idp = idpEndpoints(deps.config, request);
    return kit.render(
      request,
      reply,
      'application',
      application.name,
      {
        application: { name: application.name, description: application.description, accessUrl: application.accessUrl, system: application.kind === 'system', path: path(application) },
        steps: stepsView(draft, deps.authenticators.all),
        edited: options.edited ?? false,
        problem: options.problem ?? '',
        saml,
        oidc: oidcFormView(application, issuerFor(publicBaseUrl(deps.config, request), kit.ctx(request).tenant.domain), options.oidc),
        idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, metadataUrl: tenantResourceUrl(deps.config, request, '/identity/metadata/saml2') },
      },
      options.status ?? 200,
    );
  };

  app.get<{ Params: { id: string } }>('/console/applications/:id', async (request, reply) => show(request, reply));
  registerApplicationOidc(app, kit, appOf, show);

  app.post<{ Params: { id: string } }>('/console/applications/:id/steps', async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const draft = draftFromForm(form);
    const action = text(form, 'action');
    const edited = editDraft(draft, action);
    // Adding or removing a step changes nothing yet: the edited draft comes back to be completed and saved.
    if (edited) return show(request, reply, { draft: edited, edited: true });
    const application = await appOf(request);
    try {
      await deps.applicationService.update(ctx.tenant, application, { authenticationSequence: sequenceFromDraft(draft) });
    } catch (err) {
      return show(request, reply, { draft, problem: problemOf(err), status: 400, edited: true });
    }
    await kit.audit(request, 'application.updated', { application: application.name, reason: 'authentication steps' });
    return kit.done(reply, ctx, path(application), 'steps-saved');
  });

  app.post<{ Params: { id: string } }>('/console/applications/:id/delete', async (request, reply) => {
    const ctx = kit.ctx(request);
    const application = await appOf(request);
    if (text(formOf(request.body), 'confirm') !== 'yes') return show(request, reply, { problem: 'Tick the box to confirm the deletion.', status: 400 });
    try {
      await deps.applications.delete(application);
    } catch (err) {
      return show(request, reply, { problem: problemOf(err), status: 400 });
    }
    await kit.audit(request, 'application.deleted', { application: application.name });
    return kit.done(reply, ctx, '/console/applications', 'app-deleted');
  });
}
