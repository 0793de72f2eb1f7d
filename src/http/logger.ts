// The server log (pino, JSON). Passwords, codes, secrets, tokens, cookies and authorization headers are
// redacted inside logged values (REDACTED_KEYS), and logged URLs lose their query strings (which may carry
// session keys).
import pino, { type Logger } from 'pino';

/**
 * Keys whose values never reach the log, one level inside any logged value (`{ user: { password } }`, the fields of
 * a logged body or error): pino's `*.password` paths. A top-level key is not one of them (`{ code }` is a refusal's
 * error code), so code that logs must never put a secret in a field of its own.
 */
export const REDACTED_KEYS = ['password', 'token', 'secret', 'secretKey', 'code', 'otp', 'verificationCode', 'client_secret', 'access_token', 'refresh_token', 'id_token', 'SAMLResponse', 'SAMLRequest'] as const;

/** Headers redacted in a logged request or response (`req.headers.authorization` and the like). */
export const REDACTED_HEADERS = { req: ['authorization', 'cookie'], res: ['set-cookie'] } as const;

const CENSOR = '[redacted]';

/**
 * What a logged request and response become: no headers, no query string (which may carry session keys). A value
 * that is not an object is written as it is (a serializer that throws would lose the whole line).
 */
export const LOG_SERIALIZERS = {
  req: (req: { method?: string; url?: string; id?: string } | null) => (typeof req === 'object' && req !== null ? { id: req.id, method: req.method, url: stripQuery(req.url) } : req),
  res: (res: { statusCode?: number } | null) => (typeof res === 'object' && res !== null ? { statusCode: res.statusCode } : res),
  err: pino.stdSerializers.err,
};

export function stripQuery(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/** Bytes of log lines held before one write(2), and the longest a line waits when traffic is low. */
const BUFFER_BYTES = 4096;
const FLUSH_MS = 250;
let stdout: pino.DestinationStream | undefined;

/**
 * Standard output, buffered: one write system call per ~4 KiB of lines instead of one per line (the access line
 * of every request was one write each, about 4% of the server's busy time under load). Lines wait at most
 * FLUSH_MS; pino flushes the rest when the process exits (process.exit included, so a fatal line is kept); a
 * SIGKILL loses at most the last FLUSH_MS of lines. One per process: every server in it shares standard output.
 */
function bufferedStdout(): pino.DestinationStream {
  if (stdout) return stdout;
  const stream = pino.destination({ dest: 1, minLength: BUFFER_BYTES, sync: false });
  setInterval(() => {
    try {
      stream.flush();
    } catch {
      // Destroyed (standard output closed): nothing left to write to.
    }
  }, FLUSH_MS).unref();
  stdout = stream;
  return stream;
}

/**
 * The value with REDACTED_KEYS (and, for a request or response, its REDACTED_HEADERS) censored: a copy when one is
 * present, else the value itself. Only these keys are looked up, so a large object or buffer costs a few lookups.
 */
function redacted(value: unknown, headers?: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of REDACTED_KEYS) {
    if (Object.hasOwn(value, key)) (copy ??= cloneOwn(value))[key] = CENSOR;
  }
  const inner = headers ? (value as { headers?: unknown }).headers : undefined;
  if (headers && typeof inner === 'object' && inner !== null) {
    let censored: Record<string, unknown> | undefined;
    for (const key of headers) {
      if (Object.hasOwn(inner, key)) (censored ??= cloneOwn(inner))[key] = CENSOR;
    }
    if (censored) (copy ??= cloneOwn(value)).headers = censored;
  }
  return copy ?? value;
}

/** A shallow copy keeping the prototype (a value with toJSON still serialises the same). */
function cloneOwn(value: object): Record<string, unknown> {
  return Object.assign(Object.create(Object.getPrototypeOf(value) as object | null) as object, value) as Record<string, unknown>;
}

/** A log line's (or a child logger's bindings') fields, redacted; the serialised ones redact their own output. */
function redactedFields(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key) || Object.hasOwn(LOG_SERIALIZERS, key)) continue;
    const value = fields[key];
    const safe = redacted(value);
    if (safe !== value) (copy ??= { ...fields })[key] = safe;
  }
  return copy ?? fields;
}

// Redaction is done here rather than with pino's `redact` paths: a path starting with a wildcard makes pino run
// its redactor on every field of every line, numbers and strings included, and @pinojs/redact parses each path
// again on each call. That was a quarter of the bytes the server allocated per login (docs/performance.md).
// src/http/logger.test.ts checks that the lines are the same as pino's redaction makes them.
const serializers = {
  req: (req: Parameters<typeof LOG_SERIALIZERS.req>[0]) => redacted(LOG_SERIALIZERS.req(req), REDACTED_HEADERS.req),
  res: (res: Parameters<typeof LOG_SERIALIZERS.res>[0]) => redacted(LOG_SERIALIZERS.res(res), REDACTED_HEADERS.res),
  err: (err: Error) => redacted(LOG_SERIALIZERS.err(err)),
};

export function createLogger(level: string, destination: pino.DestinationStream = bufferedStdout()): Logger {
  const log = pino({ level, serializers, formatters: { log: redactedFields } }, destination);
  // A child's bindings (Fastify's per-request logger, for one) are written once, when the child is made; pino
  // gives a child's bindings to no formatter of ours, so they are redacted here. Children inherit this child().
  const child = log.child as unknown as (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  log.child = function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    return child.call(this, redactedFields(bindings), options);
  } as unknown as typeof log.child;
  return log;
}
