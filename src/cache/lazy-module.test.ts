import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { lazyRequire, once } from './lazy-module.ts';

test('once runs the load at the first call only, and shares its result', async () => {
  let loads = 0;
  const get = once(async () => ({ n: ++loads }));
  assert.equal(loads, 0);
  const [a, b] = await Promise.all([get(), get()]);
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.equal(await get(), a);
});

test('lazyRequire loads the package at the first call, not before', () => {
  const require = createRequire(import.meta.url);
  const path = require.resolve('node-forge');
  const forge = lazyRequire<{ pkcs12: unknown }>('node-forge');
  assert.equal(require.cache[path], undefined);
  const m = forge();
  assert.ok(m.pkcs12);
  assert.ok(require.cache[path]);
  assert.equal(forge(), m);
});
