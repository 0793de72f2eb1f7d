// The tenant's secondary user stores: a list with each store's health (UP/DOWN, as /health/ready reports it),
// a form to add an LDAP, Active Directory or JDBC store, the same form to edit one added here, a "Test connection"
// button on both, and delete with a confirmation box. Stores declared in deployment.toml are listed read-only.
// Everything goes through StoreDefinitionService (which validates with the [[user_store]] rules and audits with
// the admin as actor). Secret fields are never filled in: left empty on an edit, they keep their value.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userStoreSection } from '../../config/user-store-schema.ts';
import { AppError } from '../../errors/app-error.ts';
import type { StoreInput, StoreSummary } from '../../users/store-definition-service.ts';
import { isSecretKey, KEYS_OF, propertyNameOf, type StoreType } from '../../users/store-properties.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text, type Form } from './forms.ts';

const PAGE = '/console/userstores';
const TYPES: Record<StoreType, string> = { ldap: 'LDAP', active_directory: 'Active Directory', database: 'JDBC (PostgreSQL, MySQL/MariaDB)' };

const typeOf = (raw: string): StoreType => (raw in TYPES ? (raw as StoreType) : 'ldap');

/** The form's fields for a type: each key under its WSO2 name, with the schema's description as the hint. */
function fieldsOf(type: StoreType, values: Record<string, unknown>, secretsSet: readonly string[]) {
  return KEYS_OF[type].map((key) => {
    const field = userStoreSection.fields[key as keyof typeof userStoreSection.fields];
    const secret = isSecretKey(key);
    const value = secret ? '' : String(values[key] ?? field.default);
    const boolean = typeof field.default === 'boolean';
    return { key, label: propertyNameOf(key), hint: secret && secretsSet.includes(key) ? 'Set. Leave empty to keep it.' : field.description, secret, boolean, value };
  });
}

/** A posted form as the service's input (fields named as WSO2 names them); an empty secret means "keep" (or none). */
function inputOf(form: Form, type: StoreType, name: string): StoreInput {
  const properties = KEYS_OF[type].flatMap((key) => {
    const value = text(form, propertyNameOf(key));
    return isSecretKey(key) && value === '' ? [] : [{ name: propertyNameOf(key), value }];
  });
  return { name, type, readOnly: false, description: text(form, 'description'), properties };
}

export function registerUserStorePages(app: FastifyInstance, kit: ConsoleKit): void {
  const stores = kit.deps.userStoreDefinitions;

  const list = async (request: FastifyRequest, reply: FastifyReply, problem = '', status = 200) => {
    const { tenant } = kit.ctx(request);
    const rows = await Promise.all(
      (await stores.list(tenant)).map(async (s) => {
        const live = stores.liveStore(tenant, s.domain);
        const health = live ? await live.health().catch(() => ({ status: 'DOWN' as const, reason: 'health check failed' })) : { status: 'DOWN' as const, reason: 'not running' };
        return { domain: s.domain, type: TYPES[s.type], source: s.source, description: s.description, status: health.status, reason: health.reason ?? '', href: kit.url(tenant, `${PAGE}/store?domain=${encodeURIComponent(s.domain)}`) };
      }),
    );
    const types = Object.entries(TYPES).map(([type, label]) => ({ label, href: kit.url(tenant, `${PAGE}/new?type=${type}`) }));
    return kit.render(request, reply, 'userstores', 'User stores', { mode: 'list', rows, types, problem }, status);
  };

  const form = async (request: FastifyRequest, reply: FastifyReply, data: { type: StoreType; store?: StoreSummary; name?: string; description?: string; values?: Record<string, unknown>; problem?: string; tested?: string }, status = 200) => {
    const def = data.store?.definition;
    const values = data.values ?? def?.settings ?? {};
    const fields = fieldsOf(data.type, values, def ? Object.keys(def.secrets) : []);
    const title = data.store ? `User store ${data.store.domain}` : `Add a ${TYPES[data.type]} store`;
    return kit.render(request, reply, 'userstores', title, {
      mode: 'form',
      editing: data.store !== undefined,
      readOnlyHere: data.store?.source === 'deployment.toml',
      type: data.type,
      typeLabel: TYPES[data.type],
      name: data.store?.domain ?? data.name ?? '',
      description: data.description ?? def?.description ?? '',
      fields,
      problem: data.problem ?? '',
      tested: data.tested ?? '',
    }, status);
  };

  app.get(PAGE, async (request, reply) => list(request, reply));

  app.get(`${PAGE}/new`, async (request, reply) => form(request, reply, { type: typeOf(text(formOf(request.query), 'type')) }));

  app.get(`${PAGE}/store`, async (request, reply) => {
    const { tenant } = kit.ctx(request);
    try {
      const store = await stores.get(tenant, text(formOf(request.query), 'domain'));
      return form(request, reply, { type: store.type, store });
    } catch (err) {
      return list(request, reply, problemOf(err), err instanceof AppError ? err.status : 400);
    }
  });

  // Add, save or test: one form, the button says which ("action": add | save | test).
  app.post(`${PAGE}/store`, async (request, reply) => {
    const ctx = kit.ctx(request);
    const posted = formOf(request.body);
    const type = typeOf(text(posted, 'type'));
    const editing = text(posted, 'editing') === 'true';
    const name = text(posted, 'name').trim();
    const input = inputOf(posted, type, name);
    const store = editing ? await stores.get(ctx.tenant, name).catch(() => undefined) : undefined;
    const again = { type, store, name, description: input.description, values: Object.fromEntries(KEYS_OF[type].map((key) => [key, text(posted, propertyNameOf(key))])) };
    try {
      if (text(posted, 'action') === 'test') {
        const health = await stores.test(ctx.tenant, input);
        return form(request, reply, { ...again, tested: health.status === 'UP' ? 'Connection works: the store answered.' : `Connection failed: ${health.reason ?? 'no answer'}.` });
      }
      if (editing) await stores.update(kit.adminRequest(request), name, input);
      else await stores.add(kit.adminRequest(request), input);
      return kit.done(reply, ctx, PAGE, editing ? 'userstore-saved' : 'userstore-added');
    } catch (err) {
      return form(request, reply, { ...again, problem: problemOf(err) }, 400);
    }
  });

  app.post(`${PAGE}/delete`, async (request, reply) => {
    const ctx = kit.ctx(request);
    const posted = formOf(request.body);
    try {
      if (text(posted, 'confirm') !== 'yes') throw new AppError('PCS-40001', { description: 'Tick the box to confirm: the store\'s users are signed out and what Portcullis kept for them is removed.' });
      await stores.remove(kit.adminRequest(request), text(posted, 'domain'));
      return kit.done(reply, ctx, PAGE, 'userstore-deleted');
    } catch (err) {
      return list(request, reply, problemOf(err), 400);
    }
  });
}
