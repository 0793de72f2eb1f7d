import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TotpInputError } from './errors.ts';
import { buildOtpauthUri, parseOtpauthUri } from './otpauth-uri.ts';
import { generateSecret } from './secret.ts';
import { decodeWso2QrPayload, encodeWso2QrPayload } from './wso2-payload.ts';

// From the WSO2 TOTP docs (SOAP initTOTP response): chunked by Commons Codec 1.4, CR escaped by XML.
const DOCS_PAYLOAD =
  'b3RwYXV0aDovL3RvdHAvY2FyYm9uLnN1cGVyOmR1c2hhbmk/c2VjcmV0PUJGR0RFUllPU1ZSR0s3&#xd;\nTE0maXNzdWVyPWNhcmJvbi5zdXBlcg==';
const DOCS_URI = 'otpauth://totp/carbon.super:dushani?secret=BFGDERYOSVRGK7LM&issuer=carbon.super';

test('the WSO2 docs sample payload decodes exactly', () => {
  assert.equal(decodeWso2QrPayload(DOCS_PAYLOAD), DOCS_URI);
  const parsed = parseOtpauthUri(decodeWso2QrPayload(DOCS_PAYLOAD));
  assert.equal(parsed.issuer, 'carbon.super');
  assert.equal(parsed.account, 'dushani');
  assert.equal(parsed.key.length, 10);
});

test('encoding is plain unchunked Base64 of the UTF-8 URI, as current WSO2 returns', () => {
  assert.equal(encodeWso2QrPayload(DOCS_URI), DOCS_PAYLOAD.replace('&#xd;\n', ''));
  const uri = buildOtpauthUri({ issuer: 'Ünïcødé Ørg', account: 'José Müller', key: generateSecret(), digits: 8 });
  const payload = encodeWso2QrPayload(uri);
  assert.match(payload, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(Buffer.from(payload, 'base64').toString('utf8'), uri, 'what a client gets from atob()');
  assert.equal(decodeWso2QrPayload(payload), uri);
});

test('decoding tolerates CRLF chunking at 76 characters, XML entities and stray whitespace', () => {
  const uri = buildOtpauthUri({ issuer: 'A rather long issuer name', account: 'someone@example.com', key: generateSecret(32) });
  const flat = encodeWso2QrPayload(uri);
  assert.ok(flat.length > 152, 'long enough for several chunks');
  const chunks = flat.match(/.{1,76}/g) ?? [];
  for (const separator of ['\r\n', '&#xd;\n', '&#xD;\n', '&#13;\n', '&#xd;&#xa;', '\n', ' ']) {
    assert.equal(decodeWso2QrPayload(chunks.join(separator)), uri, JSON.stringify(separator));
  }
  assert.equal(decodeWso2QrPayload(`  ${flat}\r\n`), uri);
});

test('decoding rejects what is not Base64 of a UTF-8 otpauth URI', () => {
  const is = (e: unknown) => e instanceof TotpInputError && e.reason === 'wso2-payload';
  const bad = [
    '',
    'not base64!',
    DOCS_PAYLOAD.replace('&#xd;', '&#x9;'), // an entity other than CR/LF
    encodeWso2QrPayload('https://example.com/?secret=X'),
    Buffer.from([0x6f, 0x74, 0x70, 0xff, 0xfe]).toString('base64'), // invalid UTF-8
    encodeWso2QrPayload(DOCS_URI).slice(0, -3), // truncated to a length that is not whole bytes
  ];
  for (const payload of bad) assert.throws(() => decodeWso2QrPayload(payload), is, JSON.stringify(payload));
  assert.throws(() => decodeWso2QrPayload(42 as unknown as string), is);
});
