// What the process does with an error nothing caught (Fastify catches what handlers throw and reject; these
// are the rest: a throw in a timer or event callback, a rejected promise nobody awaited).
//
// - Inside a request (request-scope.ts carried it there): log it with the request's trace id, answer the request 500
//   (PCS-50000) if it is still open, and keep serving. Request code keeps its state in the database (whose
//   transactions roll back on their own) and in per-request objects; the caches it touches are rebuilt from
//   the database. Ending the process would turn one bad request into an outage for every tenant, which is
//   exactly what an attacker who found such a request wants.
// - A rejected promise outside a request: log it and keep serving; a rejection unwinds no synchronous code, so
//   nothing was left half-done that a handled rejection would not also have left.
// - An exception outside any request: log it and stop cleanly (exit 1) for the supervisor to restart us. It
//   came from the server's own machinery (listener, pool, timers), where we cannot know which invariant broke,
//   and a half-working node behind a load balancer is worse than a restarted one (Node's own advice:
//   https://nodejs.org/api/process.html#warning-using-uncaughtexception-correctly).
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { scopeOfException, scopeOfPromise, type RequestScope } from './request-scope.ts';

function answer(scope: RequestScope, cause: unknown): void {
  const reply = scope.reply;
  if (!reply || reply.sent || reply.raw.headersSent) return;
  void reply.send(new AppError('PCS-50000', { cause }));
}

/** Installs the policy; returns a function that removes it (tests). */
export function installProcessGuards(log: FastifyBaseLogger, stop: (reason: string) => void): () => void {
  const onRejection = (reason: unknown, promise: Promise<unknown>) => {
    const scope = scopeOfPromise(promise);
    (scope?.log ?? log).error({ err: reason }, 'unhandled promise rejection; the process keeps serving');
    if (scope) answer(scope, reason);
  };
  const onException = (err: Error) => {
    const scope = scopeOfException(err);
    if (scope) {
      scope.log.error({ err }, 'uncaught exception in a request; the process keeps serving');
      answer(scope, err);
      return;
    }
    log.fatal({ err }, 'uncaught exception outside any request; stopping');
    stop('uncaught exception');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
