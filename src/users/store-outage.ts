// The rule every remote user store (JDBC, LDAP) follows when it cannot be reached: an operation that fails to
// reach it, or outlasts its timeout, becomes USR-50301 ("User store unavailable") at once, never a hang or a 500;
// and for a few seconds afterwards further calls fail at once instead of each waiting for a timeout (a host that
// drops packets would otherwise cost every login the whole timeout). A probe (the health check) always tries, and
// the first success ends the outage. What counts as "could not reach" and how to name it is each store's own.
import { AppError } from '../errors/app-error.ts';
import type { Clock } from '../time/clock.ts';

/** The operation outlasted its timeout. */
export class OperationTimeout extends Error {}

/** After a connection failure, calls fail at once for this long. */
export const BACKOFF_MS = 5000;

export interface OutageRules {
  /** True for "could not talk to the store"; false for an answer the store gave (an SQL or LDAP error). */
  isConnectionFailure(err: unknown): boolean;
  /** A short, secret-free reason for health reports and error descriptions. */
  reasonOf(err: unknown): string;
}

export class StoreOutage {
  private downUntil = 0;
  private lastReason = '';

  constructor(
    private readonly domain: string,
    private readonly clock: Clock,
    private readonly rules: OutageRules,
  ) {}

  unavailable(reason: string): AppError {
    return new AppError('USR-50301', { description: `The user store ${this.domain} is not available (${reason}). Try again later.` });
  }

  /** Fails at once while the store is known to be down; a probe always goes through. */
  check(probe = false): void {
    if (!probe && this.clock.now() < this.downUntil) throw this.unavailable(this.lastReason);
  }

  /** Awaits `work` for at most `timeoutMs`; a failure to reach the store becomes USR-50301 and starts an outage. */
  async guard<T>(work: Promise<T>, timeoutMs: number, onDown?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OperationTimeout()), timeoutMs);
    });
    // Should the timeout win, the abandoned operation's later failure is not an unhandled rejection.
    work.catch(() => {});
    try {
      const result = await Promise.race([work, timeout]);
      this.downUntil = 0;
      return result;
    } catch (err) {
      if (this.rules.isConnectionFailure(err)) {
        this.lastReason = this.rules.reasonOf(err);
        this.downUntil = this.clock.now() + BACKOFF_MS;
        onDown?.();
        throw this.unavailable(this.lastReason);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
