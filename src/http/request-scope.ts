// The request being served, carried through every async call it makes, so an error that escapes all handlers
// (a throw in a timer or tick callback, a promise nobody awaited) can still be logged with the request's trace id
// and, while the request is open, answered 500 (process-guard.ts).
//
// Not AsyncLocalStorage: on Node 20 it rides on async hooks, which call into JavaScript several times for every
// promise, tick and timer in the process; with the reply dropped at the end of the response (below) it still
// cost about 7% more instructions per login than this carrier (docs/performance.md, "Ninth pass"). This one does
// what the guard needs with less:
// - promises: V8's promise hooks (node:v8 promiseHooks) stamp each promise made inside a scope with it, and a
//   promise's reactions (the code after an `await`, a `.then` callback) run in the scope of the promise they
//   belong to, the one made where the `await` or `.then` was written, as AsyncLocalStorage does;
// - callbacks: setTimeout, setInterval, setImmediate, process.nextTick and queueMicrotask, called inside a scope,
//   run their callback in it (the globals and node:timers are wrapped once, when the first server installs the
//   scope). Node's streams and emitters schedule their events with these, so a throw in a stream's handler is
//   caught in the request's scope too.
// What it does not follow, unlike AsyncLocalStorage: a callback that native code calls back from I/O (a socket's
// or file's events, `crypto.randomBytes(n, cb)`) runs outside any scope, whoever opened the socket. Request code
// here uses the promise forms of those calls, and our own socket handlers (outbound-fetch.ts, outbound-post.ts)
// turn what they meet into a rejection; a throw in a library's socket handler is one outside any request
// (docs/security.md).
//
// A scope lives as long as the longest-lived promise or timer made in it, so it must stay small: holding the
// reply after the response made every request's objects outlive a young-generation collection or two, and
// that copying was most of what the scope cost (docs/performance.md, "Ninth pass").
import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';
import { promisify } from 'node:util';
import { promiseHooks } from 'node:v8';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface RequestScope {
  traceId: string;
  /** The request's logger (its trace id bound). */
  log: FastifyBaseLogger;
  /** Until the response is sent; then dropped, so that a promise or timer made in the request and living on
   * (a cache's pending load, a queue's tail) keeps this small object alive, not the request and its reply. */
  reply: FastifyReply | undefined;
}

const SCOPE = Symbol('portcullis.requestScope');
type Stamped = { [SCOPE]?: RequestScope };

let current: RequestScope | undefined;
/** Scopes to return to after each promise reaction (reactions do not nest, but a stack costs nothing more). */
const outer: (RequestScope | undefined)[] = [];
/** Errors thrown out of a scope, for the guard: by the time the process hears of one, the scope is left. */
const thrownIn = new WeakMap<object, RequestScope>();
let primitiveThrownIn: { value: unknown; scope: RequestScope } | undefined;

/** Whether a thrown value can be a WeakMap key (an object or function, not a primitive). */
function isKeyable(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Runs fn(...args) inside `scope`; a throw that leaves it remembers the scope (scopeOfException). */
function enter<R>(scope: RequestScope | undefined, fn: (...args: never[]) => R, self: unknown, args: unknown[]): R {
  const before = current;
  current = scope;
  try {
    return Reflect.apply(fn, self, args) as R;
  } catch (err) {
    if (scope) {
      if (isKeyable(err)) thrownIn.set(err, scope);
      else primitiveThrownIn = { value: err, scope };
    }
    throw err;
  } finally {
    current = before;
  }
}

/** The part of AsyncLocalStorage's interface the server uses; scopes are carried once installRequestScope ran. */
export const requestScope = {
  getStore: (): RequestScope | undefined => current,
  run: <R>(scope: RequestScope, fn: () => R): R => enter(scope, fn, undefined, []),
};

/** The scope an uncaught exception was thrown in, if it left one. */
export function scopeOfException(err: unknown): RequestScope | undefined {
  if (isKeyable(err)) return thrownIn.get(err) ?? current;
  const p = primitiveThrownIn;
  primitiveThrownIn = undefined;
  return p && Object.is(p.value, err) ? p.scope : current;
}

/** The scope an unhandled rejection belongs to: the one its promise was made in. */
export function scopeOfPromise(promise: Promise<unknown> | undefined): RequestScope | undefined {
  return (promise as Stamped | undefined)?.[SCOPE] ?? current;
}

/** `fn` bound to the current scope, or fn itself outside any scope (nothing to carry, nothing allocated). */
function bound<F>(fn: F): F {
  const scope = current;
  if (scope === undefined || typeof fn !== 'function') return fn;
  return function (this: unknown, ...args: unknown[]) {
    return enter(scope, fn as (...a: never[]) => unknown, this, args);
  } as F;
}

type Scheduler = (callback: unknown, ...rest: unknown[]) => unknown;

/** A scheduler that binds its callback (always the first argument) to the scope it was called in. */
function carrying<S extends Scheduler>(original: S): S {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    if (current !== undefined) args[0] = bound(args[0]);
    return Reflect.apply(original, this, args);
  } as S;
  // util.promisify(setTimeout) and friends find their promise form here.
  const custom = (original as { [promisify.custom]?: unknown })[promisify.custom];
  if (custom) Object.defineProperty(wrapped, promisify.custom, { value: custom });
  return wrapped;
}

let installed = false;

/** Starts carrying scopes: the promise hooks, and the schedulers wrapped. Once per process. */
function install(): void {
  if (installed) return;
  installed = true;
  promiseHooks.createHook({
    init(promise) {
      if (current !== undefined) (promise as Stamped)[SCOPE] = current;
    },
    before(promise) {
      outer.push(current);
      current = (promise as Stamped)[SCOPE];
    },
    after() {
      current = outer.pop();
    },
  });
  for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    const wrapped = carrying(timers[name] as Scheduler);
    (timers as unknown as Record<string, unknown>)[name] = wrapped;
    (globalThis as Record<string, unknown>)[name] = wrapped;
  }
  // ES modules that import from node:timers see the wrapped exports too.
  syncBuiltinESMExports();
  globalThis.queueMicrotask = carrying(globalThis.queueMicrotask as Scheduler) as typeof queueMicrotask;
  process.nextTick = carrying(process.nextTick as Scheduler) as typeof process.nextTick;
}

/** Register first: hooks registered earlier would run outside the scope. */
export function installRequestScope(app: FastifyInstance): void {
  install();
  const scopes = new WeakMap<FastifyRequest, RequestScope>();
  // Callback-style hooks: the rest of the chain runs inside run() (an async hook's continuation would not).
  app.addHook('onRequest', (request, reply, done) => {
    const scope: RequestScope = { traceId: request.id, log: reply.log, reply };
    scopes.set(request, scope);
    requestScope.run(scope, done);
  });
  // A body is read from the socket's stream events, outside the scope; re-enter it before the handlers run.
  app.addHook('preValidation', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) requestScope.run(scope, done);
    else done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    const scope = scopes.get(request);
    if (scope) scope.reply = undefined;
    done();
  });
}
