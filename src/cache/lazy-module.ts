// Packages a node needs only for some deployments or some requests are loaded on first use, not at start, to
// keep start-up time and idle memory down (docs/operations.md, "Start-up and memory"). An ES module package is
// loaded with `await import(...)`, which Node already loads only once; these helpers are for the rest: a
// load with a side effect to run once (configuring a driver), and a CommonJS package needed by code that
// cannot wait for an import() (a synchronous config check).
//
// A CommonJS package outside the bundle is loaded with require(), also when it is needed at start (requireNow),
// never with a static import: Node scans a CommonJS file that an ES module imports with its JavaScript
// cjs-module-lexer to find the export names. For @node-rs/argon2's loader that scan ran long enough to have the
// lexer optimised by TurboFan at every start (about 50 ms of a compiler thread), and the compiler's working
// memory, freed, stayed with that thread's malloc arena: 4.3 MB taken from the system, about 3 MB of the idle
// node's RSS (docs/performance.md, "Seventh pass"). test/ops/start-graph.test.ts checks that the bundle imports no
// package statically.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * `load` runs at the first call; every call gets its result (a promise is shared the same way). A load that
 * fails (throws, or returns a promise that rejects) is not kept: the next call tries again, so a transient
 * failure (a file briefly unreadable, memory short) does not stick until a restart.
 */
export function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => {
    if (loaded) return loaded.value;
    const current = { value: load() };
    loaded = current;
    if (current.value instanceof Promise) {
      current.value.catch(() => {
        if (loaded === current) loaded = undefined;
      });
    }
    return current.value;
  };
}

/** A CommonJS package, loaded now (see above for why not a static import). */
export function requireNow<T>(name: string): T {
  return require(name) as T;
}

/** A CommonJS package, loaded synchronously by the first call. */
export function lazyRequire<T>(name: string): () => T {
  return once(() => requireNow<T>(name));
}
