// Graceful overload: while the event loop lags or memory nears its limit ([overload]), requests that would
// START a login get 503 PCS-50301 with Retry-After, and /health/ready says DOWN with the reason (health.ts) so
// a load balancer sends new users elsewhere. Everything else goes on: logins past the password step finish,
// /health stays UP (the process is alive; restarting it would lose the work it still can do), APIs answer.
// @fastify/under-pressure samples the event-loop delay and memory; the decision is ours, and its source can be
// replaced (app.overload.source) so tests inject pressure instead of starving the event loop.
import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { AppError } from '../errors/app-error.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { newLoginFront } from './login-start.ts';

export type PressureReason = 'event_loop_delay' | 'heap_used' | 'rss';

export interface Pressure {
  reason: PressureReason;
  /** Measured value and the configured limit: milliseconds, or bytes for memory. */
  value: number;
  limit: number;
}

export type PressureSource = () => Pressure | undefined;

export interface OverloadState {
  /** Where pressure is read; replaceable (tests put a fake here). */
  source: PressureSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    overload: OverloadState;
  }
}

const MIB = 1024 * 1024;
const CHECK_MS = 1000;
/**
 * Checks in a row over a limit before the node sheds logins (about three seconds). One sample is not enough:
 * start-up, a long GC or a second node starting in the same process blocks the loop once, and a node that
 * refused logins for that would flap in and out of its load balancer. Three checks of one-second samples
 * see at least two distinct samples over the limit.
 */
export const SUSTAINED_CHECKS = 3;

/** Turns a series of checks into the pressure to act on: the last reading, once it has lasted. */
export class SustainedPressure {
  private over = 0;

  push(reading: Pressure | undefined): Pressure | undefined {
    this.over = reading ? this.over + 1 : 0;
    return this.over >= SUSTAINED_CHECKS ? reading : undefined;
  }
}

/** Compares the sampled usage with the configured limits; the first limit exceeded is the reason. */
export function pressureOf(usage: { eventLoopDelay: number; heapUsed: number; rssBytes: number }, limits: { eventLoopDelayMs: number; heapBytes: number; rssBytes: number }): Pressure | undefined {
  if (limits.eventLoopDelayMs > 0 && usage.eventLoopDelay > limits.eventLoopDelayMs) return { reason: 'event_loop_delay', value: Math.round(usage.eventLoopDelay), limit: limits.eventLoopDelayMs };
  if (limits.heapBytes > 0 && usage.heapUsed > limits.heapBytes) return { reason: 'heap_used', value: usage.heapUsed, limit: limits.heapBytes };
  if (limits.rssBytes > 0 && usage.rssBytes > limits.rssBytes) return { reason: 'rss', value: usage.rssBytes, limit: limits.rssBytes };
  return undefined;
}

export async function registerOverload(app: FastifyInstance, settings: Config['overload'], metrics?: Metrics): Promise<void> {
  const state: OverloadState = { source: () => undefined };
  app.decorate('overload', state);
  if (!settings.enable) return;
  // Without thresholds, under-pressure only samples (every second) and adds no hook of its own.
  await app.register(underPressure, { sampleInterval: 1000 });
  const limits = {
    eventLoopDelayMs: settings.max_event_loop_delay,
    heapBytes: settings.max_heap_used_mb > 0 ? settings.max_heap_used_mb * MIB : Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    rssBytes: settings.max_rss_mb * MIB,
  };
  const sustained = new SustainedPressure();
  let current: Pressure | undefined;
  const timer = setInterval(() => (current = sustained.push(pressureOf(app.memoryUsage(), limits))), CHECK_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
  state.source = () => current;
  if (metrics) metrics.pressureReason = () => state.source()?.reason;
  // preValidation: the body is parsed, so a /commonauth POST's sessionDataKey can be seen.
  // A callback rather than async (input-parsers.ts says why).
  app.addHook('preValidation', (request, reply, done) => {
    const front = newLoginFront(request);
    if (!front || !state.source()) return done();
    metrics?.overloadRefusals.inc({ front });
    reply.header('retry-after', String(settings.retry_after));
    done(new AppError('PCS-50301'));
  });
}
