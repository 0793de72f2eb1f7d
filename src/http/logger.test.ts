// The server log's redaction (createLogger) against pino's own `redact` option with the same rules as paths
// (`*.password`, `req.headers.authorization`, ...), which the server used before: for any log line, child
// bindings and error, the two loggers write the same text. And the lines a reader cares about, spelled out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import pino, { type Logger } from 'pino';
import { createLogger, LOG_SERIALIZERS, REDACTED_HEADERS, REDACTED_KEYS } from './logger.ts';

const PINO_PATHS = [
  ...Object.entries(REDACTED_HEADERS).flatMap(([key, headers]) => headers.map((header) => `${key}.headers["${header}"]`)),
  ...REDACTED_KEYS.map((key) => `*.${key}`),
];

/** A logger of each kind writing into an array, without the time (the two would differ by a millisecond). */
function capture(make: (sink: pino.DestinationStream) => Logger): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = make({ write: (line: string) => void lines.push(line.replace(/"time":\d+,/, '')) });
  return { log, lines };
}
const ours = () => capture((sink) => createLogger('trace', sink));
const pinos = () => capture((sink) => pino({ level: 'trace', serializers: LOG_SERIALIZERS, redact: { paths: PINO_PATHS, censor: '[redacted]' } }, sink));

const KEYS = [...REDACTED_KEYS, 'req', 'res', 'err', 'headers', 'authorization', 'cookie', 'set-cookie', 'user', 'name', 'a', 'b', 'msg2'];
const key = fc.constantFrom(...KEYS);
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double({ noNaN: false }));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.dictionary(key, tie('node'), { maxKeys: 5, noNullPrototype: true }),
  array: fc.array(tie('node'), { maxLength: 3 }),
})).node;
const fields = fc.dictionary(key, value, { maxKeys: 6, noNullPrototype: true });
const error = fc.record({ message: fc.string({ maxLength: 8 }), extra: fc.dictionary(key, value, { maxKeys: 3, noNullPrototype: true }) }).map(({ message, extra }) => Object.assign(new Error(message), extra));

test('a line, a child logger\'s bindings and a logged error are written as pino\'s redaction wrote them', () => {
  fc.assert(
    fc.property(fields, fields, fc.option(error, { nil: undefined }), fc.string({ maxLength: 8 }), (line, bindings, err, msg) => {
      const [a, b] = [ours(), pinos()];
      for (const { log } of [a, b]) {
        const child = log.child(bindings);
        child.info(err ? { ...line, err } : line, msg);
        log.warn(line);
        if (err) log.error(err, msg);
      }
      assert.deepEqual(a.lines, b.lines);
    }),
    { numRuns: 400 },
  );
});

test('secrets one level inside a logged value and request credentials are censored; a top-level code is kept', () => {
  const { log, lines } = ours();
  log.info({ code: 'FLW-40002', body: { username: 'alice', password: 'hunter2', token: '123456' }, req: { method: 'GET', url: '/x?sessionDataKey=k', headers: { authorization: 'Basic eA==' } } }, 'refused');
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.code, 'FLW-40002');
  assert.deepEqual(line.body, { username: 'alice', password: '[redacted]', token: '[redacted]' });
  assert.deepEqual(line.req, { method: 'GET', url: '/x' });
  assert.ok(!lines[0]!.includes('hunter2') && !lines[0]!.includes('123456') && !lines[0]!.includes('eA=='));
});

test('the logged object itself is left as it was', () => {
  const { log } = ours();
  const body = { password: 'hunter2' };
  log.info({ body });
  assert.equal(body.password, 'hunter2');
});
