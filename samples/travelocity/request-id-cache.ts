// The ids of requests this SP sent and still waits an answer for (node-saml's CacheProvider). A Response's
// InResponseTo must be one of them (SAML Profiles 4.1.4.3), which stops replays and unsolicited logins.
// In memory, like the sessions: the sample runs as one process.
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';

const MAX_PENDING = 10_000;

export class RequestIdCache implements CacheProvider {
  /** How long a login or logout may take at the IdP (its login page times out sooner). */
  static readonly LIFETIME_MS = 15 * 60_000;
  private readonly items = new Map<string, CacheItem>();

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    this.prune();
    if (this.items.has(key)) return null;
    const item = { value, createdAt: Date.now() };
    this.items.set(key, item);
    return item;
  }

  async getAsync(key: string): Promise<string | null> {
    const item = this.items.get(key);
    if (!item) return null;
    if (Date.now() >= item.createdAt + RequestIdCache.LIFETIME_MS) {
      this.items.delete(key);
      return null;
    }
    return item.value;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    return key !== null && this.items.delete(key) ? key : null;
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, item] of this.items) if (now >= item.createdAt + RequestIdCache.LIFETIME_MS) this.items.delete(k);
    // Visitors who start logins and never finish them must not grow memory without bound.
    while (this.items.size >= MAX_PENDING) this.items.delete(this.items.keys().next().value!);
  }
}
