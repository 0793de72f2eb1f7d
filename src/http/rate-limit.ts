// Rate limits on the doors that take a password or a code ([rate_limit]): POST /commonauth (password, TOTP and
// email-code submissions) and every route that takes HTTP Basic (admin-auth.ts asks here before it checks a
// password). Two budgets per minute: one per client address (request.ip, so [server] trust_proxy decides
// whether X-Forwarded-For counts; IPv6 per /64) and one per account (the typed user name, normalised and
// tenant-qualified). Lockout stops guessing on one account; these stop a spray of common passwords over many
// accounts and bound the hashing one client can cause. Counters live in the database (DatabaseRateLimitStore)
// or in Redis, so every node of a cluster counts together. Over the limit: 429 with Retry-After, as the JSON
// error for APIs and the plain error page for browsers (error-handler.ts; headers set here survive it).
import { createHash } from 'node:crypto';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import { AppError } from '../errors/app-error.ts';
import type { DatabaseType } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { parseQualifiedName } from '../users/qualified-name.ts';
import { DatabaseRateLimitStore } from './rate-limit-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    passwordLimits: PasswordLimits;
  }
}

export interface PasswordLimits {
  /** Counts one hit on `key`; refuses with 429 and Retry-After when that makes it over its limit. */
  hit(request: FastifyRequest, reply: FastifyReply, key: string): Promise<void>;
  /** Refuses with 429 when `key` has no hit left, without counting one. */
  check(request: FastifyRequest, reply: FastifyReply, key: string): Promise<void>;
  /** Counts a hit on a request that is answered anyway (a refused Basic credential); never refuses. */
  count(request: FastifyRequest, key: string): Promise<void>;
}

export interface RateLimitDeps {
  config: Config;
  storage: { db: Kysely<Database>; type: DatabaseType };
  clock: Clock;
}

const WINDOW_MS = 60_000;
const IP_PREFIX = 'ip:';
const KEY = Symbol('portcullis.rateLimitKey');
type Tagged = FastifyRequest & { [KEY]?: string };

/** The per-address key of a request. */
export function addressKey(request: FastifyRequest): string {
  return `${IP_PREFIX}${normalizeIP(request.ip)}`;
}

/**
 * The per-account key of a typed user name: tenant (from the name, else the request's) and the name without
 * its store domain, lower-cased, as user names are unique without regard to case. Hashed, so keys have one
 * length and no user name is stored in the counters.
 */
export function accountKey(tenantDomain: string, typedName: string): string {
  const q = parseQualifiedName(typedName);
  const account = `${q.tenantDomain ?? tenantDomain.toLowerCase()}/${q.username.toLowerCase()}`;
  return `acct:${createHash('sha256').update(account).digest('base64url')}`;
}

const UNLIMITED: PasswordLimits = { hit: async () => {}, check: async () => {}, count: async () => {} };

export async function registerRateLimits(app: FastifyInstance, deps: RateLimitDeps): Promise<void> {
  const settings = deps.config.rate_limit;
  if (!settings.enable) {
    app.decorate('passwordLimits', UNLIMITED);
    return;
  }
  const { storage, clock } = deps;
  // ioredis is loaded only when configured: it is a large module most single-node deployments never use.
  const redis = settings.redis_url ? new (await import('ioredis')).Redis(settings.redis_url, { maxRetriesPerRequest: 1 }) : undefined;
  if (redis) {
    redis.on('error', (err: Error) => app.log.warn({ err: err.message }, 'rate-limit Redis unreachable'));
    app.addHook('onClose', async () => void (await redis.quit()));
  }
  await app.register(rateLimit, {
    global: false,
    timeWindow: WINDOW_MS,
    // One limiter, two budgets: the key says which (see `apply`, which names the key of each call).
    keyGenerator: (request) => (request as Tagged)[KEY] ?? addressKey(request),
    max: (_request, key) => (key.startsWith(IP_PREFIX) ? settings.per_ip_per_minute : settings.per_account_per_minute),
    ...(redis
      ? { redis, nameSpace: settings.redis_key_prefix }
      : {
          store: class extends DatabaseRateLimitStore {
            constructor() {
              super(storage, clock);
            }
          },
        }),
  });
  const limiter = app.createRateLimit();

  async function apply(request: FastifyRequest, key: string, increment: boolean) {
    (request as Tagged)[KEY] = key;
    try {
      return await limiter(request, { increment });
    } catch (err) {
      throw new AppError('PCS-50300', { cause: err });
    } finally {
      delete (request as Tagged)[KEY];
    }
  }

  function refuse(reply: FastifyReply, ttlMs: number): never {
    reply.header('retry-after', String(Math.max(1, Math.ceil(ttlMs / 1000))));
    throw new AppError('PCS-42900');
  }

  const limits: PasswordLimits = {
    async hit(request, reply, key) {
      const r = await apply(request, key, true);
      if (!r.isAllowed && r.isExceeded) refuse(reply, r.ttl);
    },
    async check(request, reply, key) {
      const r = await apply(request, key, false);
      if (!r.isAllowed && r.remaining <= 0) refuse(reply, r.ttl);
    },
    async count(request, key) {
      await apply(request, key, true);
    },
  };
  app.decorate('passwordLimits', limits);

  // The counters of the database store, asked directly for the two hits of a password POST (one statement
  // where the plugin's one-key store contract would make two); same limits, same refusal as `hit` above.
  const counters = redis ? undefined : new DatabaseRateLimitStore(storage, clock);
  async function hitBoth(reply: FastifyReply, address: string, account: string): Promise<void> {
    let counted: Awaited<ReturnType<DatabaseRateLimitStore['hitPair']>>;
    try {
      counted = await counters!.hitPair(address, settings.per_ip_per_minute, account, WINDOW_MS);
    } catch (err) {
      throw new AppError('PCS-50300', { cause: err });
    }
    if (counted.first.current > settings.per_ip_per_minute) refuse(reply, counted.first.ttl);
    if (counted.second && counted.second.current > settings.per_account_per_minute) refuse(reply, counted.second.ttl);
  }

  // POST /commonauth carries every password and code of the login pages. The body is parsed by preHandler time,
  // so the account named in a password form counts too (only when the address allows the attempt); a code
  // submission names none (the TOTP lock covers it).
  const commonauth = async (request: FastifyRequest, reply: FastifyReply) => {
    const username = (request.body as Record<string, unknown> | undefined)?.username;
    const account = typeof username === 'string' && username.trim() !== '' ? accountKey(request.tenant.domain, username) : undefined;
    if (account && counters) return hitBoth(reply, addressKey(request), account);
    await limits.hit(request, reply, addressKey(request));
    if (account) await limits.hit(request, reply, account);
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat();
    if (route.url !== '/commonauth' || !methods.includes('POST')) return;
    route.preHandler = [...[route.preHandler ?? []].flat(), commonauth];
  });
}
