// The sweeper deletes what has expired: login contexts, SSO sessions, email codes and their send log, old audit
// events, and whatever other tables register a task. Every node runs it on an interval; a database lease makes
// one node at a time do the work, so a cluster sweeps about once per interval however many nodes it has.
// Tasks are registered by the composition root, so this file knows no table above storage.
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.ts';
import { Leases } from './lease.ts';
import type { Database } from './schema.ts';

export interface PurgeTask {
  /** Names the rows in reports and logs, e.g. 'auth_contexts'. */
  name: string;
  /** Deletes at most `limit` rows that are due at `now` (see deleteDueBatch); returns how many it deleted. */
  purge(now: number, limit: number): Promise<number>;
}

export interface SweepReport {
  /** False when another node held the lease (this node did nothing). */
  ran: boolean;
  /** Rows deleted per task. */
  deleted: Record<string, number>;
}

export interface SweeperOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Time between two runs on a node; also how long the lease is held, so the cluster sweeps about once per interval. */
  intervalMs: number;
  /** Rows per delete statement. */
  batchSize: number;
}

const LEASE = 'sweeper';

/** Emits 'swept' with a SweepReport after each run. */
export class Sweeper extends EventEmitter {
  private readonly tasks: PurgeTask[] = [];
  private readonly leases: Leases;
  /** Who holds the lease, as written in the leases table (varchar 128): readable by an operator, unique per sweeper. */
  readonly holder = `${hostname().slice(0, 100)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<SweepReport> | undefined;
  private stopped = false;

  constructor(private readonly options: SweeperOptions) {
    super();
    this.leases = new Leases(options.db);
  }

  register(task: PurgeTask): void {
    this.tasks.push(task);
  }

  /**
   * One sweep now (tests call this; the timer calls it too). A run already in flight on this node is joined,
   * not doubled; after stop() nothing runs (the storage may be closed).
   */
  runOnce(): Promise<SweepReport> {
    if (this.stopped) return Promise.resolve({ ran: false, deleted: {} });
    this.inFlight ??= this.sweep().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Runs every intervalMs until stop(). The timer does not keep the process alive. */
  start(): void {
    if (this.timer || this.stopped) return;
    const schedule = () => {
      this.timer = setTimeout(() => {
        this.runOnce()
          .catch((err: unknown) => this.options.log.warn({ err }, 'sweeper run failed'))
          .finally(() => {
            if (!this.stopped) schedule();
          });
      }, this.options.intervalMs);
      this.timer.unref();
    };
    schedule();
  }

  /** Stops the timer; resolves once no run is in flight (a run stops between batches). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  private async holdLease(): Promise<boolean> {
    const { clock, intervalMs } = this.options;
    return this.leases.acquire(LEASE, this.holder, clock.now(), intervalMs);
  }

  private async sweep(): Promise<SweepReport> {
    const report: SweepReport = { ran: false, deleted: {} };
    if (!(await this.holdLease())) return this.finish(report);
    report.ran = true;
    // One "now" for the whole run: every task judges what is due against the same instant.
    const now = this.options.clock.now();
    for (const task of this.tasks) {
      const { deleted, leaseLost } = await this.drain(task, now);
      report.deleted[task.name] = deleted;
      if (leaseLost || this.stopped) break;
    }
    return this.finish(report);
  }

  /** Runs one task batch after batch until it has nothing due, the node stops, or the lease is lost. */
  private async drain(task: PurgeTask, now: number): Promise<{ deleted: number; leaseLost: boolean }> {
    const limit = this.options.batchSize;
    let deleted = 0;
    try {
      for (;;) {
        const n = await task.purge(now, limit);
        deleted += n;
        if (n < limit || this.stopped) return { deleted, leaseLost: false };
        // A long backlog: keep the lease between batches; if another node took it over, leave the rest to it.
        if (!(await this.holdLease())) return { deleted, leaseLost: true };
      }
    } catch (err) {
      this.options.log.warn({ err, task: task.name }, 'sweeper task failed');
      return { deleted, leaseLost: false };
    }
  }

  private finish(report: SweepReport): SweepReport {
    const total = Object.values(report.deleted).reduce((a, b) => a + b, 0);
    if (total > 0) this.options.log.info({ deleted: report.deleted }, 'sweeper deleted expired rows');
    this.emit('swept', report);
    return report;
  }
}
