// Applications of the tenant (WSO2: service providers): the list, and the form that creates one, optionally
// with SAML settings (issuer and assertion consumer URL, in the application API's
// inboundProtocolConfiguration.saml.manualConfiguration shape). The application service validates.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationInput } from '../../applications/application-service.ts';
import { samlSettingsOf } from '../../protocols/saml/settings.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, pagerOf, paging, text } from './forms.ts';

const FIELDS = ['name', 'description', 'issuer', 'acs'] as const;

function applicationInput(values: Record<(typeof FIELDS)[number], string>): ApplicationInput {
  const saml = values.issuer || values.acs;
  return {
    name: values.name,
    description: values.description,
    ...(saml
      ? { inboundProtocolConfiguration: { saml: { manualConfiguration: { issuer: values.issuer, assertionConsumerUrls: values.acs ? [values.acs] : [], ...(values.acs ? { defaultAssertionConsumerUrl: values.acs } : {}) } } } }
      : {}),
  };
}

export function registerApplications(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;

  app.get('/console/applications', async (request, reply) => {
    const { tenant } = kit.ctx(request);
    const p = paging(formOf(request.query));
    await deps.applications.ensureSystemApps(tenant.id);
    const page = await deps.applications.list(tenant.id, p.offset, p.limit);
    const rows = page.applications.map((a) => ({
      name: a.name,
      href: kit.url(tenant, `/console/applications/${encodeURIComponent(a.id)}`),
      system: a.kind === 'system',
      issuer: samlSettingsOf(a)?.issuer ?? '',
      steps: a.authenticationSequence.steps.map((s) => s.options.map((o) => deps.authenticators.find(o.authenticator)?.displayName ?? o.authenticator).join(' or ')),
    }));
    return kit.render(request, reply, 'applications', 'Applications', { rows, pager: pagerOf(kit.url(tenant, '/console/applications'), {}, p, page.total) });
  });

  const showNew = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, problem = '', status = 200) =>
    kit.render(request, reply, 'application_new', 'Create an application', { values, problem }, status);

  app.get('/console/applications/new', async (request, reply) => showNew(request, reply));

  app.post('/console/applications', async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const values = Object.fromEntries(FIELDS.map((f) => [f, text(form, f).trim()])) as Record<(typeof FIELDS)[number], string>;
    try {
      const created = await deps.applicationService.create(ctx.tenant, applicationInput(values));
      await kit.audit(request, 'application.created', { application: created.name });
      return kit.done(reply, ctx, `/console/applications/${encodeURIComponent(created.id)}`, 'app-created');
    } catch (err) {
      return showNew(request, reply, values, problemOf(err), 400);
    }
  });
}
