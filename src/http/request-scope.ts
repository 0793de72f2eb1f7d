// The request being served, carried through every async call it makes (AsyncLocalStorage), so an error that
// escapes all handlers (a throw in a timer or event callback, a promise nobody awaited) can still be logged
// with the request's trace id and, while the request is open, answered 500 (process-guard.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface RequestScope {
  traceId: string;
  reply: FastifyReply;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Register first: hooks registered earlier would run outside the scope. */
export function installRequestScope(app: FastifyInstance): void {
  const scopes = new WeakMap<FastifyRequest, RequestScope>();
  // Callback-style hooks: the rest of the chain runs inside run() (an async hook's continuation would not).
  app.addHook('onRequest', (request, reply, done) => {
    const scope = { traceId: request.id, reply };
    scopes.set(request, scope);
    requestScope.run(scope, done);
  });
  // A body is read from the socket's stream events, outside the scope; re-enter it before the handlers run.
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) requestScope.run(scope, done);
    else done();
  });
}
