// The node's Prometheus metrics (docs/operations.md lists them): one registry per server, so two nodes in one
// process (tests) never mix counts. Login, TOTP, lockout and email counters are fed by the audit log's
// observer (audit-metrics.ts); request latency by an HTTP hook (http/request-metrics.ts); the pool gauges are
// read at scrape time. Labels are bounded: route patterns, never raw URLs; tenants and applications capped.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../storage/database.ts';
import { LabelLimiter } from './label-limiter.ts';

export interface MetricsOptions {
  maxTenants: number;
  maxApplications: number;
  /** The database pool's connections, read when scraped (undefined: SQLite, no pool). */
  poolStats: () => PoolStats | undefined;
}

const PREFIX = 'portcullis_';

export class Metrics {
  readonly registry = new Registry();
  readonly tenants: LabelLimiter;
  readonly applications: LabelLimiter;

  readonly loginsStarted: Counter<'front'>;
  readonly loginFlowsStarted: Counter<'tenant' | 'application' | 'authenticator'>;
  readonly loginSteps: Counter<'tenant' | 'application' | 'authenticator' | 'outcome'>;
  readonly loginsCompleted: Counter<'tenant' | 'application'>;
  readonly loginFailures: Counter<'tenant' | 'application' | 'authenticator' | 'reason'>;
  readonly totpCodes: Counter<'tenant' | 'application' | 'result'>;
  readonly lockouts: Counter<'tenant' | 'reason'>;
  readonly emailsSent: Counter<'tenant' | 'type'>;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly overloaded: Gauge<'reason'>;
  readonly overloadRefusals: Counter<'front'>;
  /** Why the node is overloaded now (http/overload.ts sets it), read when scraped. */
  pressureReason: () => string | undefined = () => undefined;

  constructor(options: MetricsOptions) {
    this.tenants = new LabelLimiter(options.maxTenants);
    this.applications = new LabelLimiter(options.maxApplications);
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
    this.loginsStarted = counter('logins_started_total', 'Requests that start a new login, by the front they came through.', ['front']);
    this.loginFlowsStarted = counter(
      'login_flows_started_total',
      "Logins started by the login engine, by application and the first step's authenticator (several options: joined with |).",
      ['tenant', 'application', 'authenticator'],
    );
    this.loginSteps = counter('login_steps_total', 'Login steps finished, by authenticator and outcome (success, failure, skipped).', ['tenant', 'application', 'authenticator', 'outcome']);
    this.loginsCompleted = counter('logins_completed_total', 'Logins that ended with the user signed in to the application.', ['tenant', 'application']);
    this.loginFailures = counter('login_failures_total', 'Refused login submissions and failed logins, by authenticator and reason code.', ['tenant', 'application', 'authenticator', 'reason']);
    this.totpCodes = counter('totp_codes_total', 'TOTP codes checked (login and My Account), by result: accepted, refused, replayed.', ['tenant', 'application', 'result']);
    this.lockouts = counter('account_lockouts_total', 'Accounts locked, by reason.', ['tenant', 'reason']);
    this.emailsSent = counter('emails_sent_total', 'Emails sent, by type.', ['tenant', 'type']);
    this.overloadRefusals = counter('overload_refusals_total', 'New logins refused with 503 because the node was overloaded.', ['front']);
    this.requestDuration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const reasonNow = () => this.pressureReason();
    this.overloaded = new Gauge({
      name: `${PREFIX}overloaded`,
      help: '1 while the node refuses new logins, with the limit exceeded as reason; absent otherwise.',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        const reason = reasonNow();
        if (reason) this.set({ reason }, 1);
      },
    });
    const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({
        name: `${PREFIX}db_pool_${name}`,
        help,
        registers,
        collect() {
          const stats = options.poolStats();
          if (stats) this.set(pick(stats));
        },
      });
    // SQLite has no pool: no series rather than a misleading 0.
    if (options.poolStats() !== undefined) {
      pool('connections', 'Connections open in the database pool (PostgreSQL, MySQL; absent for SQLite).', (s) => s.total);
      pool('idle_connections', 'Open connections not in use.', (s) => s.idle);
      pool('waiting_queries', 'Queries waiting for a free connection.', (s) => s.waiting);
    }
    // process_* and nodejs_* (CPU, memory, handles, GC, event-loop lag) under their standard names.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text, in Prometheus' format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
