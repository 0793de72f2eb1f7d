// Users of the tenant across its user stores: a list searched by user name (starts with; `LDAP/` narrows it to
// one store), paged, with each user's store, and the form that creates one in a chosen writable store.
// Creation goes through the user admin service, as /scim2/Users does, so the console refuses exactly what SCIM
// refuses and never leaves a half-made user behind. The list page also takes a CSV of TOTP secrets to import
// (users moving over from another server), through the same service as the REST API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLAIMS } from '../../claims/local-claims.ts';
import type { UserFilter } from '../../users/user-filter.ts';
import { USERNAME_ATTRIBUTE } from '../../users/user-filter.ts';
import { domainQualified, parseQualifiedName } from '../../users/qualified-name.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, pagerOf, paging, text } from './forms.ts';
import { nameInStore, writableDomains } from './user-profile.ts';

const NEW_USER_FIELDS = ['store', 'username', 'email', 'givenName', 'lastName'] as const;
const NEW_USER_CLAIMS = { email: CLAIMS.email, givenName: CLAIMS.givenName, lastName: CLAIMS.lastName } as const;

export function registerUsers(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;

  app.get('/console/users', async (request, reply) => {
    const { tenant } = kit.ctx(request);
    const query = formOf(request.query);
    const q = text(query, 'q').trim().slice(0, 255);
    const p = paging(query);
    const name = q ? parseQualifiedName(q) : undefined;
    const filter: UserFilter | undefined = name?.username ? { kind: 'condition', attribute: USERNAME_ATTRIBUTE, op: 'sw', value: name.username } : undefined;
    let page: Awaited<ReturnType<typeof deps.users.list>> = { total: 0, users: [] };
    let problem = '';
    try {
      page = await deps.users.list(tenant, { filter, offset: p.offset, limit: p.limit, ...(name?.storeDomain ? { domain: name.storeDomain } : {}) });
    } catch (err) {
      problem = problemOf(err);
    }
    const rows = await Promise.all(
      page.users.map(async (u) => ({
        id: u.id,
        name: domainQualified(u.storeDomain, u.username),
        store: u.storeDomain,
        email: (await deps.claimValues.readReleasable(u, [CLAIMS.email], 'admin'))[CLAIMS.email] ?? '',
        href: kit.url(tenant, `/console/users/${encodeURIComponent(u.id)}`),
      })),
    );
    return kit.render(request, reply, 'users', 'Users', { q, rows, problem, pager: pagerOf(kit.url(tenant, '/console/users'), { q }, p, page.total) });
  });

  // The bulk import of TOTP secrets: the result is this POST's own page (line numbers and user names, never a
  // secret), since it does not fit in a redirect's notice; the textarea comes back empty.
  app.post('/console/users/totp-import', async (request, reply) => {
    const csv = text(formOf(request.body), 'csv');
    try {
      const report = await deps.userAdmin.importTotpCsv(kit.adminRequest(request), csv);
      return kit.render(request, reply, 'users_import', 'Import TOTP secrets', { report, problem: '' });
    } catch (err) {
      return kit.render(request, reply, 'users_import', 'Import TOTP secrets', { report: undefined, problem: problemOf(err) }, 400);
    }
  });

  app.get('/console/users/totp-import', async (request, reply) => kit.render(request, reply, 'users_import', 'Import TOTP secrets', { report: undefined, problem: '' }));

  const showNew = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, problem = '', status = 200) => {
    // Only stores that take writes are offered; a read-only store's users are made where that store is kept.
    const stores = writableDomains(deps.users.storesOf(kit.ctx(request).tenant));
    return kit.render(request, reply, 'user_new', 'Create a user', { values, stores, problem }, status);
  };

  app.get('/console/users/new', async (request, reply) => showNew(request, reply));

  app.post('/console/users', async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const values = Object.fromEntries(NEW_USER_FIELDS.map((f) => [f, text(form, f).trim()]));
    const claims = Object.fromEntries(Object.entries(NEW_USER_CLAIMS).filter(([field]) => values[field]).map(([field, uri]) => [uri, values[field]!]));
    try {
      const username = nameInStore(values.store ?? '', values.username ?? '');
      const user = await deps.userAdmin.create(kit.adminRequest(request), { username, password: text(form, 'password'), claims });
      return kit.done(reply, ctx, `/console/users/${encodeURIComponent(user.id)}`, 'user-created');
    } catch (err) {
      return showNew(request, reply, values, problemOf(err), 400);
    }
  });
}
