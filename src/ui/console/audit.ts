// The tenant's audit events, newest first, paged, optionally only one kind of event. Admin changes show the
// admin who made them (By) beside the user they concern.
import type { FastifyInstance } from 'fastify';
import { AUDIT_EVENTS } from '../../audit/audit-log.ts';
import type { ConsoleKit } from './context.ts';
import { formOf, pagerOf, paging, text } from './forms.ts';

export function registerAudit(app: FastifyInstance, kit: ConsoleKit): void {
  app.get('/console/audit', async (request, reply) => {
    const { tenant } = kit.ctx(request);
    const query = formOf(request.query);
    const wanted = text(query, 'event');
    const event = (AUDIT_EVENTS as readonly string[]).includes(wanted) ? wanted : '';
    const p = paging(query, 50);
    const page = await kit.deps.audit.list(tenant.id, { ...(event ? { event } : {}), offset: p.offset, limit: p.limit });
    const rows = page.events.map((e) => ({ ...e, time: new Date(e.at).toISOString().replace('T', ' ').slice(0, 19) }));
    return kit.render(request, reply, 'audit', 'Audit', { rows, event, events: AUDIT_EVENTS, pager: pagerOf(kit.url(tenant, '/console/audit'), { event }, p, page.total) });
  });
}
