// The one in-memory cache of the server: bounded in entries (least recently used out first) and in time (each
// entry lives `ttlMs` by the injected clock, so tests expire entries by moving a ManualClock). Built on
// lru-cache's fetch(), which gives single-flight loading: callers asking for a key while it loads share the
// one load. Deleting a key (or clearing) while it loads drops that load's result from the cache, so a read
// that started before a write is never kept after the write's invalidation.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../time/clock.ts';

export interface BoundedCacheOptions {
  /** At most this many entries (loads in flight included); the least recently used goes first. */
  max: number;
  /** An entry older than this (in clock milliseconds) is loaded again; 0 turns caching off (every get loads). */
  ttlMs: number;
  clock: Clock;
}

type Loader<V> = () => Promise<V>;
// lru-cache cannot hold undefined (it means "absent"), and a miss is worth caching too: values travel boxed.
type Box<V> = { value: V };

export class BoundedCache<K extends NonNullable<unknown>, V> {
  /**
   * Made on first use: lru-cache sizes its arrays for `max` entries when it is made (about 40 bytes an entry, so
   * 0.4 MB for 10,000), and a node never uses some of its caches (an LDAP store's, the console's).
   */
  private lru: LRUCache<K, Box<V>, Loader<V>> | undefined;
  private readonly make: (() => LRUCache<K, Box<V>, Loader<V>>) | undefined;

  constructor(options: BoundedCacheOptions) {
    if (options.ttlMs <= 0) return;
    this.make = () =>
      new LRUCache<K, Box<V>, Loader<V>>({
        max: options.max,
        ttl: options.ttlMs,
        // Read the clock on every check (the default caches "now" for 1 ms of real time, behind a ManualClock's back).
        ttlResolution: 0,
        perf: options.clock,
        fetchMethod: async (_key, _stale, { context }) => ({ value: await context() }),
        // A load overtaken by delete() or clear() still answers the callers waiting on it, but is not stored.
        ignoreFetchAbort: true,
      });
  }

  /** The cache, made now if this is its first use; undefined when caching is off (ttlMs 0). */
  private used(): LRUCache<K, Box<V>, Loader<V>> | undefined {
    return (this.lru ??= this.make?.());
  }

  /**
   * The cached value for `key`, else what `load` returns (stored, and shared with concurrent callers). A hit
   * makes one promise, not an async function's and fetch()'s several: every request reads its tenant here, and
   * the request scope's promise hooks make every promise dearer (docs/performance.md, "Eighth pass").
   */
  get(key: K, load: Loader<V>): Promise<V> {
    const lru = this.used();
    if (!lru) return load();
    // get() answers only a stored, fresh entry (not a load in flight, which fetch() below joins).
    const hit = lru.get(key);
    if (hit) return Promise.resolve(hit.value);
    // fetch() resolves undefined only when the fetch method does, and ours always returns a box.
    return lru.fetch(key, { context: load }).then((box) => (box as Box<V>).value);
  }

  /** As get, for a load that is synchronous (and cheap to repeat if two callers race): no promise on a hit. */
  getSync(key: K, load: () => V): V {
    const lru = this.used();
    if (!lru) return load();
    const hit = lru.get(key);
    if (hit) return hit.value;
    const value = load();
    lru.set(key, { value });
    return value;
  }

  delete(key: K): void {
    this.lru?.delete(key);
  }

  clear(): void {
    this.lru?.clear();
  }

  /** Entries held, loads in flight included (tests check the bound with it). */
  get size(): number {
    return this.lru?.size ?? 0;
  }
}
