// The connections of one LDAP store: a small pool of clients bound as the service account, connect and
// operation timeouts, and the rule that any failure to reach the directory becomes USR-50301 ("User store
// unavailable") quickly, never a hang or a 500, as for JDBC stores (jdbc-connection.ts). A user's password is
// checked on a client of its own, bound as that user and always unbound (ldapts keeps the socket of a client
// whose bind failed).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Client } from 'ldapts';
import { AppError } from '../../errors/app-error.ts';
import type { Clock } from '../../time/clock.ts';
import { OperationTimeout, StoreOutage } from '../store-outage.ts';
import type { LdapStoreSettings } from './ldap-settings.ts';
import { ldapts } from './ldapts.ts';

/** The service account's bind was refused: the store cannot work, as if the directory were down. */
class ServiceBindRefused extends Error {}

/** LDAP result codes that mean "the server cannot serve now" rather than "your request is wrong". */
const UNAVAILABLE_CODES = new Set([51, 52, 53, 80]);

/** A short, secret-free reason for health reports and error descriptions. */
export function reasonOf(err: unknown): string {
  if (err instanceof OperationTimeout) return 'timeout';
  if (err instanceof ServiceBindRefused || err instanceof ldapts().InvalidCredentialsError) return 'access denied';
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (/certificate|self.signed|TLS|SSL/i.test(`${code} ${message}`)) return 'TLS failed';
  return 'connection failed';
}

/** LDAP results that refuse a change for what it asks (RFC 4511 appendix A), with a secret-free reason. */
const REFUSED_CHANGE: ReadonlyMap<number, string> = new Map([
  [17, 'undefined attribute type'],
  [19, 'constraint violation'],
  [20, 'attribute or value exists'],
  [21, 'invalid attribute syntax'],
  [34, 'invalid DN syntax'],
  [50, 'insufficient access rights'],
  [64, 'naming violation'],
  [65, 'object class violation'],
  [67, 'not allowed on RDN'],
]);

/**
 * USR-40005 for a directory that refused a write (a required attribute removed, a value its schema rejects),
 * so the caller gets a 400 naming the store and the reason rather than a 500; undefined for anything else.
 */
export function refusedChange(domain: string, err: unknown): AppError | undefined {
  if (!(err instanceof ldapts().ResultCodeError)) return undefined;
  const reason = REFUSED_CHANGE.get(err.code);
  return reason ? new AppError('USR-40005', { description: `The user store ${domain} refused the change (${reason}).` }) : undefined;
}

/** True for "could not talk to the directory"; false for an LDAP result the directory answered with. */
function isConnectionFailure(err: unknown): boolean {
  if (err instanceof ldapts().ResultCodeError) return UNAVAILABLE_CODES.has(err.code);
  return true;
}

export class LdapConnection {
  private readonly idle: Client[] = [];
  private readonly waiting: ((client: Client | undefined) => void)[] = [];
  private open = 0;
  private closed = false;
  private readonly outage: StoreOutage;
  private readonly tlsOptions: ConnectionOptions;

  constructor(
    private readonly settings: LdapStoreSettings,
    clock: Clock,
  ) {
    this.outage = new StoreOutage(settings.domain, clock, { isConnectionFailure, reasonOf });
    if (!/^ldaps?:\/\//i.test(settings.url)) throw new Error(`user store ${settings.domain}: connection_url must start with ldap:// or ldaps://`);
    this.tlsOptions = settings.tlsCaFile ? { ca: readFileSync(settings.tlsCaFile) } : {};
  }

  get secure(): boolean {
    return /^ldaps:/i.test(this.settings.url) || this.settings.startTls;
  }


  /** A new connected client, upgraded with StartTLS when configured; not yet bound. */
  private async connect(): Promise<Client> {
    const client = new (ldapts().Client)({ url: this.settings.url, timeout: this.settings.operationTimeoutMs, connectTimeout: this.settings.connectTimeoutMs, tlsOptions: this.tlsOptions, strictDN: false });
    try {
      if (this.settings.startTls && /^ldap:/i.test(this.settings.url)) await client.startTLS(this.tlsOptions);
      return client;
    } catch (err) {
      await client.unbind().catch(() => {});
      throw err;
    }
  }

  /** A client bound as the service account: an idle one still connected, a new one, or the next released. */
  private async acquire(): Promise<Client> {
    while (this.idle.length > 0) {
      const client = this.idle.pop()!;
      if (client.isConnected) return client;
      this.open--;
      await client.unbind().catch(() => {});
    }
    if (this.open >= this.settings.poolSize) {
      const handed = await new Promise<Client | undefined>((resolve) => this.waiting.push(resolve));
      if (handed) return handed;
      if (this.closed) throw new Error('user store closed');
    }
    this.open++;
    let client: Client | undefined;
    try {
      client = await this.connect();
      if (this.settings.bindDn) {
        await client.bind(this.settings.bindDn, this.settings.bindPassword).catch((err: unknown) => {
          throw err instanceof ldapts().ResultCodeError && !UNAVAILABLE_CODES.has(err.code) ? new ServiceBindRefused() : err;
        });
      }
      return client;
    } catch (err) {
      this.open--;
      await client?.unbind().catch(() => {});
      this.wakeOne();
      throw err;
    }
  }

  private wakeOne(): void {
    this.waiting.shift()?.(undefined);
  }

  private release(client: Client, healthy: boolean): void {
    if (healthy && !this.closed && client.isConnected) {
      const waiter = this.waiting.shift();
      if (waiter) waiter(client);
      else this.idle.push(client);
      return;
    }
    this.open--;
    void client.unbind().catch(() => {});
    this.wakeOne();
  }

  /** Runs `work` within the operation timeout, turning "cannot reach the directory" into USR-50301. */
  private guarded<T>(work: Promise<T>, probe: boolean): Promise<T> {
    return this.outage.guard(work, this.settings.connectTimeoutMs + this.settings.operationTimeoutMs, probe ? undefined : () => this.dropIdle());
  }

  /** Idle clients of a directory that just failed are likely dead too. */
  private dropIdle(): void {
    for (const client of this.idle.splice(0)) {
      this.open--;
      void client.unbind().catch(() => {});
    }
  }

  /** Throws USR-50301 at once while the directory is known to be down (or closed), as run() would. */
  ensureReachable(): void {
    if (this.closed) throw this.outage.unavailable('closed');
    this.outage.check();
  }

  /** Runs one operation on a service-account client. */
  async run<T>(operation: (client: Client) => Promise<T>, probe = false): Promise<T> {
    if (this.closed) throw this.outage.unavailable('closed');
    this.outage.check(probe);
    return this.guarded(
      (async () => {
        const client = await this.acquire();
        let healthy = false;
        try {
          const result = await operation(client);
          healthy = true;
          return result;
        } catch (err) {
          // An LDAP answer (no such object, constraint violation) leaves the connection usable.
          healthy = !isConnectionFailure(err);
          throw err;
        } finally {
          this.release(client, healthy);
        }
      })(),
      probe,
    );
  }

  /** True when `dn` binds with `password`; false for wrong credentials. Never called with an empty password. */
  async bindAs(dn: string, password: string): Promise<boolean> {
    if (password.length === 0) return false; // an empty simple bind is an anonymous bind (RFC 4513 5.1.2)
    this.outage.check();
    return this.guarded(
      (async () => {
        const client = await this.connect();
        try {
          await client.bind(dn, password);
          return true;
        } catch (err) {
          if (err instanceof ldapts().InvalidCredentialsError) return false;
          throw err;
        } finally {
          await client.unbind().catch(() => {});
        }
      })(),
      false,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(undefined);
    await Promise.allSettled(this.idle.splice(0).map((c) => c.unbind()));
    this.open = 0;
  }
}
