import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from './index.ts';

test('metrics are off, on loopback, without a token by default; overload shedding is on', () => {
  const config = parseConfigText('', 'empty.toml');
  assert.equal(config.metrics.enable, false);
  assert.equal(config.metrics.bind_address, '127.0.0.1');
  assert.equal(config.overload.enable, true);
  assert.equal(config.overload.max_event_loop_delay, 1000);
});

test('metrics on another interface need a token of at least 32 characters', () => {
  assert.throws(() => parseConfigText('[metrics]\nenable = true\nbind_address = "0.0.0.0"\n', 'm.toml'), /token.*must be set when bind_address/s);
  assert.throws(() => parseConfigText('[metrics]\ntoken = "short"\n', 'm.toml'), (err: Error) => /token/.test(err.message) && !err.message.includes('short'));
  const ok = parseConfigText(`[metrics]\nenable = true\nbind_address = "0.0.0.0"\ntoken = "${'a'.repeat(32)}"\n`, 'm.toml');
  assert.equal(ok.metrics.bind_address, '0.0.0.0');
  assert.equal(parseConfigText('[metrics]\nenable = true\nbind_address = "::1"\n', 'm.toml').metrics.token, '');
});
