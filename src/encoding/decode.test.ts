import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { decodeBase64, decodePercent, decodeUtf8, parseFormEncoded, parseJson, tryDecodePercent } from './decode.ts';

const refusedWith = (code: string) => (err: unknown) => err instanceof AppError && err.code === code && err.status < 500;

test('percent-decoding refuses bad escapes, bad UTF-8, overlong forms, encoded surrogates and NUL', () => {
  assert.equal(decodePercent('a%20b+c'), 'a b+c');
  assert.equal(decodePercent('a%20b+c', { plusAsSpace: true }), 'a b c');
  assert.equal(decodePercent('%C3%A9'), 'é');
  for (const bad of ['%E0', '%', '%zz', '%C0%AF', '%ED%A0%80', '%00', 'a\0b', '%FF']) {
    assert.throws(() => decodePercent(bad), refusedWith('PCS-40002'), bad);
    assert.equal(tryDecodePercent(bad), undefined, bad);
  }
  assert.throws(() => decodePercent('%E0', { code: 'SAML-40001' }), refusedWith('SAML-40001'));
});

test('Base64 is strict: what Buffer.from silently skips or truncates is refused', () => {
  assert.equal(decodeBase64('YWxhZGRpbjpvcGVuc2VzYW1l').toString(), 'aladdin:opensesame');
  assert.equal(decodeBase64('YQ==').toString(), 'a');
  assert.equal(decodeBase64('YQ').toString(), 'a');
  assert.equal(decodeBase64('YW Jj\r\n', { ignoreWhitespace: true }).toString(), 'abc');
  assert.equal(decodeBase64('_-8', { url: true }).toString('hex'), 'ffef');
  // Buffer.from accepts every one of these (skipping, truncating or ignoring bits); we do not.
  for (const bad of ['YQ=', 'Y', 'YQ==YQ==', 'Y Q==', 'YQ*=', 'YR==', '====', '_-8=', 'YWJj\0']) {
    assert.throws(() => decodeBase64(bad), refusedWith('PCS-40002'), bad);
  }
  assert.throws(() => decodeBase64('YQ+/', { url: true }), refusedWith('PCS-40002'), 'base64url has its own alphabet');
});

test('UTF-8 is refused rather than replaced; NUL is refused', () => {
  assert.equal(decodeUtf8(Buffer.from('grüße')), 'grüße');
  for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0x80], [0x61, 0x00]]) {
    assert.throws(() => decodeUtf8(Buffer.from(bad)), refusedWith('PCS-40002'), JSON.stringify(bad));
  }
});

test('JSON: malformed, deep, prototype keys and NUL are 4xx, not SyntaxError or a stack overflow', () => {
  assert.deepEqual(parseJson('{"a":[1,{"b":"c"}]}'), { a: [1, { b: 'c' }] });
  assert.deepEqual(parseJson(Buffer.from('{"a":"é"}')), { a: 'é' });
  assert.deepEqual(parseJson('"[[[{"'), '[[[{', 'brackets inside strings do not count as depth');
  for (const bad of ['{"a":', '[1,]', '', `${'['.repeat(65)}${']'.repeat(65)}`, `${'['.repeat(100000)}`, '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '{"a":"\\u0000"}']) {
    assert.throws(() => parseJson(bad), refusedWith('PCS-40003'), bad.slice(0, 30));
  }
  assert.throws(() => parseJson(Buffer.from([0x22, 0xff, 0x22])), refusedWith('PCS-40003'));
  assert.deepEqual(parseJson('{"constructor":"x"}'), { constructor: 'x' });
});

test('form encoding: repeated names become lists, no prototype, bad escapes and __proto__ refused', () => {
  const form = parseFormEncoded('a=1&b=x+y&a=2&c&=v&&d=%C3%A9');
  assert.deepEqual({ ...form }, { a: ['1', '2'], b: 'x y', c: '', '': 'v', d: 'é' });
  assert.equal(Object.getPrototypeOf(form), null);
  for (const bad of ['a=%E0', 'a=%', '%zz=1', 'a=%00', '__proto__=x', '__proto__[x]=1&__proto__=y']) {
    assert.throws(() => parseFormEncoded(bad), refusedWith('PCS-40002'), bad);
  }
});
