// Packages a node needs only for some deployments or some requests are loaded on first use, not at start, to
// keep start-up time and idle memory down (docs/operations.md, "Start-up and memory"). An ES module package is
// loaded with `await import(...)`, which Node already loads only once; these helpers are for the rest: a
// load with a side effect to run once (configuring a driver), and a CommonJS package needed by code that
// cannot wait for an import() (a synchronous config check).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `load` runs at the first call; every call gets its result (a promise is shared the same way). */
export function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

/** A CommonJS package, loaded synchronously by the first call. */
export function lazyRequire<T>(name: string): () => T {
  return once(() => require(name) as T);
}
