// Identity providers in the console (/console/identity-providers): the tenant's upstream OpenID Connect providers
// and SAML 2.0 IdPs, listed (name, type, enabled, JIT), created, edited, enabled or disabled and deleted (with a
// confirmation). Every change goes through IdpService, the one door the REST API uses too: it validates (a refusal,
// IDP-40001 naming the field, is shown beside the form with what was typed kept, but never the secret) and audits
// with the admin as actor. The client secret is write-only (identity-provider-form.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityProvider, IdpType } from '../../identity-providers/identity-provider.ts';
import { AppError } from '../../errors/app-error.ts';
import { tenantQualifiedPath } from '../../tenants/tenant-path.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { blankValues, formView, inputOf, typeOf, valuesFromForm, valuesOf, type IdpFormValues } from './identity-provider-form.ts';
import { formOf, text } from './forms.ts';
import { writableDomains } from './user-profile.ts';

const BASE = '/console/identity-providers';
const TYPE_LABELS: Record<IdpType, string> = { oidc: 'OpenID Connect', saml: 'SAML 2.0' };
const JIT_SHORT = { off: 'Off', on: 'On', prompt: 'Prompt' } as const;

type IdpRequest = FastifyRequest<{ Params: { id: string } }>;

/** The form field a refusal names (IdpService's descriptions start with the API's field name), to mark it. */
const FIELD_OF: [RegExp, string][] = [
  [/^Issuer\b/, 'issuer'],
  [/^ClientId\b/, 'clientId'],
  [/^ClientSecret\b/, 'clientSecret'],
  [/^Scopes\b/, 'scopes'],
  [/^name\b/, 'name'],
  [/^claims\.userIdClaim/, 'userIdClaim'],
  [/^provisioning\.jit\.userstore/, 'userstore'],
  [/^provisioning\.jit\b/, 'jit'],
];

function errorFieldOf(err: unknown): string {
  const description = err instanceof AppError ? err.description : '';
  return FIELD_OF.find(([re]) => re.test(description))?.[1] ?? '';
}

export function registerIdentityProviders(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;
  const idps = deps.identityProviders;
  const pathOf = (idp: Pick<IdentityProvider, 'id'>) => `${BASE}/${encodeURIComponent(idp.id)}`;

  app.get(BASE, async (request, reply) => {
    const { tenant } = kit.ctx(request);
    const rows = (await idps.list(tenant)).map((i) => ({ name: i.name, href: kit.url(tenant, pathOf(i)), type: TYPE_LABELS[i.type], enabled: i.enabled, jit: JIT_SHORT[i.settings.provisioning.jit] }));
    return kit.render(request, reply, 'identity_providers', 'Identity providers', { rows, types: Object.entries(TYPE_LABELS).map(([type, label]) => ({ label, href: kit.url(tenant, `${BASE}/new?type=${type}`) })) });
  });

  /** The form page: a new provider, or an existing one (`idp`), with a problem and the typed values after a refusal. */
  const show = async (request: FastifyRequest, reply: FastifyReply, v: IdpFormValues, options: { idp?: IdentityProvider; problem?: string; errorField?: string; status?: number; extraRows?: number } = {}) => {
    const { tenant } = kit.ctx(request);
    const stores = writableDomains(await deps.users.storesOf(tenant));
    const { idp } = options;
    return kit.render(
      request,
      reply,
      'identity_provider',
      idp ? idp.name : `New ${TYPE_LABELS[v.type]} provider`,
      {
        form: formView(v, stores, options.extraRows),
        typeLabel: TYPE_LABELS[v.type],
        editing: idp !== undefined,
        action: idp ? pathOf(idp) : BASE,
        path: idp ? pathOf(idp) : '',
        hasSecret: idp?.secrets.clientSecret !== undefined,
        callbackUrl: `${deps.publicUrl.base}${tenantQualifiedPath(tenant.domain, '/commonauth')}`,
        problem: options.problem ?? '',
        errorField: options.errorField ?? '',
      },
      options.status,
    );
  };

  app.get(`${BASE}/new`, async (request, reply) => {
    const type = typeOf(text(formOf(request.query), 'type')) ?? 'oidc';
    return show(request, reply, blankValues(type));
  });

  const providerOf = (request: IdpRequest) => idps.get(kit.ctx(request).tenant, request.params.id);

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, async (request, reply) => {
    const idp = await providerOf(request);
    return show(request, reply, valuesOf(idp), { idp });
  });

  /** Create or save: "Add a mapping row" re-shows the form (nothing saved); a refusal re-shows it with the problem. */
  const save = async (request: FastifyRequest, reply: FastifyReply, current: IdentityProvider | undefined) => {
    const form = formOf(request.body);
    const type = current?.type ?? typeOf(text(form, 'type'));
    if (!type) throw new AppError('PCS-40001', { description: 'type: oidc or saml.' });
    const v = valuesFromForm(type, form);
    if (text(form, 'action') === 'add-row') return show(request, reply, v, { ...(current ? { idp: current } : {}), extraRows: 2 });
    const req = kit.adminRequest(request);
    let saved: IdentityProvider;
    try {
      const input = inputOf(v, text(form, 'clientSecret'));
      saved = current ? await idps.update(req, current.id, input) : await idps.create(req, input);
    } catch (err) {
      return show(request, reply, v, { ...(current ? { idp: current } : {}), problem: problemOf(err), errorField: errorFieldOf(err), status: 400 });
    }
    return kit.done(reply, kit.ctx(request), pathOf(saved), current ? 'idp-saved' : 'idp-created');
  };

  app.post(BASE, async (request, reply) => save(request, reply, undefined));
  app.post<{ Params: { id: string } }>(`${BASE}/:id`, async (request, reply) => save(request, reply, await providerOf(request)));

  // Enable or disable as it is stored (the secret kept): a disabled provider is offered in no login.
  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: { id: string } }>(`${BASE}/:id/${action}`, async (request, reply) => {
      const idp = await providerOf(request);
      await idps.update(kit.adminRequest(request), idp.id, { ...inputOf(valuesOf(idp), ''), enabled });
      return kit.done(reply, kit.ctx(request), pathOf(idp), enabled ? 'idp-enabled' : 'idp-disabled');
    });
  }

  app.post<{ Params: { id: string } }>(`${BASE}/:id/delete`, async (request, reply) => {
    const idp = await providerOf(request);
    if (text(formOf(request.body), 'confirm') !== 'yes') return show(request, reply, valuesOf(idp), { idp, problem: 'Tick the box to confirm the deletion.', status: 400 });
    await idps.remove(kit.adminRequest(request), idp.id);
    return kit.done(reply, kit.ctx(request), BASE, 'idp-deleted');
  });
}
