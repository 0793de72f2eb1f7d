// Email templates of the request's tenant, shaped like WSO2's /api/server/v1/email/template-types API:
// a template type is addressed by WSO2's id (dG90cA for TOTP) or by its name, a template by its locale.
// PUT creates or replaces the tenant's own template; DELETE returns the locale to the shipped default.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { API_SCOPES } from '../http/api-scopes.ts';
import { requireAdmin } from '../http/admin-auth.ts';
import { findTemplateType, listTemplateTypes, normalizeLocale, parseTemplate, type EmailTemplate, type TemplateType } from '../notifications/index.ts';
import type { Services } from '../services.ts';

const BASE = '/api/server/v1/email/template-types';

interface TypeParams {
  typeId: string;
}
interface TemplateParams extends TypeParams {
  locale: string;
}

function typeSelf(request: FastifyRequest, type: TemplateType): string {
  return `/t/${request.tenant.domain}${BASE}/${type.id}`;
}

function typeOf(params: TypeParams): TemplateType {
  const type = findTemplateType(params.typeId);
  if (!type) throw new AppError('NTF-40401');
  return type;
}

function templateBody(locale: string, t: EmailTemplate) {
  return { id: locale, contentType: t.contentType, subject: t.subject, body: t.body, footer: t.footer };
}

export async function registerEmailTemplateApi(app: FastifyInstance, services: Services): Promise<void> {
  const admin = { preHandler: requireAdmin(services.passwords, API_SCOPES.emailTemplates) };
  const templates = services.notifications.templates;

  app.get(BASE, admin, async (request) =>
    listTemplateTypes().map((type) => ({ id: type.id, displayName: type.displayName, self: typeSelf(request, type) })),
  );

  app.get<{ Params: TypeParams }>(`${BASE}/:typeId`, admin, async (request) => {
    const type = typeOf(request.params);
    const found = [];
    for (const { locale } of await templates.locales(request.tenant.id, type)) {
      const t = await templates.get(request.tenant.id, type, locale);
      if (t) found.push(templateBody(locale, t.template));
    }
    return { id: type.id, displayName: type.displayName, self: typeSelf(request, type), templates: found };
  });

  app.get<{ Params: TypeParams }>(`${BASE}/:typeId/templates`, admin, async (request) => {
    const type = typeOf(request.params);
    const locales = await templates.locales(request.tenant.id, type);
    return locales.map(({ locale, isDefault }) => ({ id: locale, self: `${typeSelf(request, type)}/templates/${locale}`, isDefault }));
  });

  app.get<{ Params: TemplateParams }>(`${BASE}/:typeId/templates/:locale`, admin, async (request) => {
    const type = typeOf(request.params);
    const locale = normalizeLocale(request.params.locale);
    const found = locale && (await templates.get(request.tenant.id, type, locale));
    if (!found) throw new AppError('NTF-40402');
    return templateBody(found.locale, found.template);
  });

  app.put<{ Params: TemplateParams }>(`${BASE}/:typeId/templates/:locale`, admin, async (request, reply) => {
    const type = typeOf(request.params);
    const locale = normalizeLocale(request.params.locale);
    if (!locale) throw new AppError('NTF-40002', { description: 'The locale must look like en_US (language, optionally _ and region).' });
    const template = parseTemplate(type, request.body);
    const { created } = await templates.put(request.tenant.id, type, locale, template);
    if (created) reply.code(201).header('location', `${typeSelf(request, type)}/templates/${locale}`);
    return templateBody(locale, template);
  });

  app.delete<{ Params: TemplateParams }>(`${BASE}/:typeId/templates/:locale`, admin, async (request, reply) => {
    const type = typeOf(request.params);
    const locale = normalizeLocale(request.params.locale);
    if (!locale) throw new AppError('NTF-40402');
    const removed = await templates.remove(request.tenant.id, type, locale);
    // Deleting a locale that only has the shipped template is a no-op, not an error: it is already the default.
    if (!removed && !type.defaults[locale]) throw new AppError('NTF-40402');
    return reply.code(204).send();
  });
}
