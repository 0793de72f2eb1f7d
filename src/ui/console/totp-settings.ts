// The tenant's TOTP parameters: every parameter with the value in force, marked when it is the tenant's own
// (an override of deployment.toml). Saving stores as overrides the values that differ from the file's (so the
// tenant keeps following the file for the rest), validated by TotpSettings like the file; a refusal is shown
// beside each field concerned. "Reset" removes the tenant's overrides.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TOTP_PARAMETER_NAMES, totpParameters } from '../../config/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text } from './forms.ts';

/** What the form needs of a parameter's schema field. */
interface FieldInfo {
  type: string;
  description: string;
  allowed?: readonly (string | number)[];
}

function kindOf(field: FieldInfo): 'boolean' | 'choice' | 'text' {
  if (field.type === 'boolean') return 'boolean';
  return field.allowed ? 'choice' : 'text';
}

export function registerTotpSettings(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;
  const settings = deps.totpSettings;
  const fields: Record<string, FieldInfo> = totpParameters.fields;

  const show = async (request: FastifyRequest, reply: FastifyReply, options: { posted?: Record<string, string>; errors?: Record<string, string>; problem?: string } = {}, status = 200) => {
    const { tenant } = kit.ctx(request);
    const inForce = (await settings.forTenant(tenant)) as Record<string, unknown>;
    const overrides = await settings.overrides(tenant);
    const file = settings.fileParameters as Record<string, unknown>;
    const params = TOTP_PARAMETER_NAMES.map((name) => {
      const field = fields[name]!;
      return {
        name,
        kind: kindOf(field),
        allowed: (field.allowed ?? []).map(String),
        value: options.posted?.[name] ?? String(inForce[name]),
        fileValue: String(file[name]),
        overridden: name in overrides,
        description: field.description,
        error: options.errors?.[name] ?? '',
      };
    });
    return kit.render(request, reply, 'totp', 'TOTP settings', { params, enabled: settings.enabled(), problem: options.problem ?? '' }, status);
  };

  app.get('/console/totp', async (request, reply) => show(request, reply));

  app.post('/console/totp', async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const file = settings.fileParameters as Record<string, unknown>;
    const posted = Object.fromEntries(TOTP_PARAMETER_NAMES.map((name) => [name, text(form, name)]));
    const changed = Object.fromEntries(Object.entries(posted).filter(([name, value]) => name in form && value !== String(file[name])));
    try {
      await settings.setOverrides(ctx.tenant, changed);
    } catch (err) {
      const errors = err instanceof AppError ? (err.data?.fields as Record<string, string> | undefined) : undefined;
      return show(request, reply, { posted, errors: errors ?? {}, problem: errors ? 'Some values are not valid; see the fields marked below.' : problemOf(err) }, 400);
    }
    await kit.audit(request, 'settings.updated', { reason: `TOTP: ${Object.keys(changed).join(', ').slice(0, 200) || 'file values'}` });
    return kit.done(reply, ctx, '/console/totp', 'totp-saved');
  });

  app.post('/console/totp/reset', async (request, reply) => {
    const ctx = kit.ctx(request);
    await settings.clearOverrides(ctx.tenant);
    await kit.audit(request, 'settings.updated', { reason: 'TOTP: reset to file values' });
    return kit.done(reply, ctx, '/console/totp', 'totp-cleared');
  });
}
