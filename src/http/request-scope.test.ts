// The request scope follows a request through every way its code continues later (awaits, .then, timers, ticks,
// microtasks, stream events scheduled by Node) and never leaks into code that runs outside it, with several
// requests interleaved. fast-check writes the programs; each continuation records the scope it sees.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setImmediate as importedSetImmediate, setTimeout as importedSetTimeout } from 'node:timers';
import { setImmediate as immediatePromise } from 'node:timers/promises';
import { promisify } from 'node:util';
import fc from 'fast-check';
import Fastify from 'fastify';
import { installRequestScope, requestScope, scopeOfException, scopeOfPromise, type RequestScope } from './request-scope.ts';

// The scope is carried once the first server installs it; the imports above were bound before that.
installRequestScope(Fastify());

type Op =
  | { kind: 'await' | 'then' | 'setTimeout' | 'setImmediate' | 'importedTimeout' | 'importedImmediate' | 'nextTick' | 'queueMicrotask' | 'promisified' | 'timersPromises' | 'interval' | 'stream' | 'emitterInTick' | 'asyncFunction' }
  | { kind: 'all'; branches: Op[][] };

const leaf = fc.constantFrom<Op['kind']>('await', 'then', 'setTimeout', 'setImmediate', 'importedTimeout', 'importedImmediate', 'nextTick', 'queueMicrotask', 'promisified', 'timersPromises', 'interval', 'stream', 'emitterInTick', 'asyncFunction');
const { program } = fc.letrec<{ program: Op[]; op: Op }>((tie) => ({
  program: fc.array(tie('op'), { maxLength: 6 }),
  op: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf.map((kind) => ({ kind }) as Op), fc.record({ kind: fc.constant('all' as const), branches: fc.array(tie('program'), { maxLength: 3 }) })),
}));

const sleep = promisify(setTimeout);

/** Runs `ops`, calling `seen` with the scope visible at every continuation. */
async function run(ops: Op[], seen: (at: string) => void): Promise<void> {
  const later = (at: string, schedule: (go: () => void) => void) =>
    new Promise<void>((resolve) =>
      schedule(() => {
        seen(at);
        resolve();
      }),
    );
  for (const op of ops) {
    switch (op.kind) {
      case 'await':
        await null;
        break;
      case 'then':
        await later('then', (go) => void Promise.resolve().then(go));
        break;
      case 'setTimeout':
        await later('setTimeout', (go) => setTimeout(go, 0));
        break;
      case 'setImmediate':
        await later('setImmediate', (go) => setImmediate(go));
        break;
      case 'importedTimeout':
        await later('node:timers setTimeout', (go) => importedSetTimeout(go, 0));
        break;
      case 'importedImmediate':
        await later('node:timers setImmediate', (go) => importedSetImmediate(go));
        break;
      case 'nextTick':
        await later('nextTick', (go) => process.nextTick(go));
        break;
      case 'queueMicrotask':
        await later('queueMicrotask', (go) => queueMicrotask(go));
        break;
      case 'promisified':
        await sleep(0);
        break;
      case 'timersPromises':
        await immediatePromise();
        break;
      case 'interval':
        await later('setInterval', (go) => {
          let ticks = 0;
          const id = setInterval(() => {
            seen('setInterval tick');
            if (++ticks === 2) {
              clearInterval(id);
              go();
            }
          }, 0);
        });
        break;
      case 'stream':
        await later('stream end', (go) => Readable.from(['a', 'b']).on('data', () => seen('stream data')).on('end', go));
        break;
      case 'emitterInTick':
        await later('emitter', (go) => {
          const e = new EventEmitter();
          e.on('x', go);
          process.nextTick(() => e.emit('x'));
        });
        break;
      case 'asyncFunction':
        await (async () => {
          seen('async function body');
          await null;
          seen('async function after await');
        })();
        break;
      case 'all':
        await Promise.all(op.branches.map((b) => run(b, seen)));
        break;
    }
    seen(`after ${op.kind}`);
  }
}

const scope = (traceId: string) => ({ traceId }) as unknown as RequestScope;

test('interleaved requests each see their own scope at every continuation, and code outside sees none', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(program, { minLength: 1, maxLength: 4 }), program, async (programs, outside) => {
      const wrong: string[] = [];
      const runs = programs.map((ops, i) => {
        const mine = scope(`request-${i}`);
        return requestScope.run(mine, () =>
          run(ops, (at) => {
            const got = requestScope.getStore();
            if (got !== mine) wrong.push(`request-${i} at ${at} saw ${got?.traceId ?? 'none'}`);
          }),
        );
      });
      // Code started outside any request, interleaved with them, must not pick one up.
      runs.push(
        run(outside, (at) => {
          const got = requestScope.getStore();
          if (got !== undefined) wrong.push(`outside code at ${at} saw ${got.traceId}`);
        }),
      );
      await Promise.all(runs);
      assert.deepEqual(wrong, []);
      assert.equal(requestScope.getStore(), undefined, 'nothing left entered');
    }),
    { numRuns: 150 },
  );
});

test('nested scopes: the inner one inside, the outer one again after', async () => {
  const a = scope('a');
  const b = scope('b');
  await requestScope.run(a, async () => {
    await requestScope.run(b, async () => {
      await null;
      assert.equal(requestScope.getStore(), b);
    });
    assert.equal(requestScope.getStore(), a);
  });
  assert.equal(requestScope.getStore(), undefined);
});

test('an error thrown out of a scope, and a promise made in one, name that scope for the process guard', async () => {
  const a = scope('a');
  const thrown = new Error('escaped');
  assert.throws(() => requestScope.run(a, () => { throw thrown; }));
  assert.equal(scopeOfException(thrown), a);
  assert.throws(() => requestScope.run(a, () => { throw 'a string'; }));
  assert.equal(scopeOfException('a string'), a);
  assert.equal(scopeOfException(new Error('never in a scope')), undefined);

  // A callback scheduled in the scope and throwing later: the wrapper records it before it reaches the process.
  const late = new Error('thrown in a timer');
  const seen = new Promise<RequestScope | undefined>((resolve) => {
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.once('uncaughtException', (err) => {
      for (const l of listeners) process.on('uncaughtException', l);
      resolve(scopeOfException(err));
    });
  });
  requestScope.run(a, () => setImmediate(() => { throw late; }));
  assert.equal(await seen, a);

  const made = requestScope.run(a, () => Promise.resolve());
  assert.equal(scopeOfPromise(made), a);
  assert.equal(scopeOfPromise(Promise.resolve()), undefined);
});

test('the wrapped schedulers keep their own behaviour: arguments, return values, promisify', async () => {
  const got = await new Promise<unknown[]>((resolve) => requestScope.run(scope('a'), () => setTimeout((...args: unknown[]) => resolve(args), 0, 1, 'two')));
  assert.deepEqual(got, [1, 'two']);
  const timer = requestScope.run(scope('a'), () => setTimeout(() => {}, 10_000));
  assert.equal(typeof timer.unref, 'function');
  clearTimeout(timer);
  assert.equal(await promisify(setImmediate)('value'), 'value');
  assert.equal(await new Promise((resolve) => process.nextTick(resolve, 'tick')), 'tick');
});
