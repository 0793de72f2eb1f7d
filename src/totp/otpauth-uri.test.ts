import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { base32Encode } from './base32.ts';
import { TotpInputError } from './errors.ts';
import { buildOtpauthUri, parseOtpauthUri } from './otpauth-uri.ts';
import { decodeSecret, encodeSecret, generateSecret } from './secret.ts';
import { AWKWARD_NAMES } from './testing.ts';

const WSO2_KEY = decodeSecret('BFGDERYOSVRGK7LM', 'Base32');

test('buildOtpauthUri writes the WSO2 docs example with period, and nothing else, for the defaults', () => {
  assert.equal(
    buildOtpauthUri({ issuer: 'carbon.super', account: 'dushani', key: WSO2_KEY }),
    'otpauth://totp/carbon.super:dushani?secret=BFGDERYOSVRGK7LM&issuer=carbon.super&period=30',
  );
});

test('buildOtpauthUri adds algorithm and digits only when not SHA1 and 6', () => {
  const key = WSO2_KEY;
  const base = { issuer: 'I', account: 'a', key };
  assert.equal(buildOtpauthUri({ ...base, period: 60 }), 'otpauth://totp/I:a?secret=BFGDERYOSVRGK7LM&issuer=I&period=60');
  assert.equal(
    buildOtpauthUri({ ...base, algorithm: 'SHA256', digits: 8 }),
    'otpauth://totp/I:a?secret=BFGDERYOSVRGK7LM&issuer=I&period=30&algorithm=SHA256&digits=8',
  );
  assert.equal(buildOtpauthUri({ ...base, algorithm: 'SHA512' }).endsWith('&period=30&algorithm=SHA512'), true);
  assert.equal(buildOtpauthUri({ ...base, digits: 8 }).endsWith('&period=30&digits=8'), true);
});

test('names are percent-encoded so the label has one literal ":" and no raw spaces', () => {
  const key = generateSecret();
  for (const [issuer, account] of AWKWARD_NAMES) {
    const uri = buildOtpauthUri({ issuer, account, key });
    const [label = '', query = ''] = uri.slice('otpauth://totp/'.length).split('?');
    assert.equal(label.split(':').length, 2, uri);
    assert.equal(label, `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`);
    assert.ok(query.includes(`&issuer=${encodeURIComponent(issuer)}&`), uri);
    assert.match(uri, /^[\x21-\x7e]+$/, 'printable ASCII only');
    assert.equal(uri.split('#').length, 1, 'no fragment');
  }
  assert.ok(buildOtpauthUri({ issuer: 'My Org', account: 'a b', key }).startsWith('otpauth://totp/My%20Org:a%20b?'));
});

test('parseOtpauthUri gives back what buildOtpauthUri was given, for awkward names and all parameters', () => {
  for (const [i, [issuer, account]] of AWKWARD_NAMES.entries()) {
    const key = generateSecret(i % 2 === 0 ? 20 : 32);
    const algorithm = (['SHA1', 'SHA256', 'SHA512'] as const)[i % 3];
    const digits = i % 2 === 0 ? 6 : 8;
    const period = [30, 60, 15][i % 3];
    const parsed = parseOtpauthUri(buildOtpauthUri({ issuer, account, key, algorithm, digits, period }));
    assert.deepEqual(parsed, { issuer, account, key, algorithm, digits, period }, `${issuer} / ${account}`);
  }
});

test('otpauth URI.parse reads our URIs to the same secret, issuer and label', () => {
  for (const [issuer, account] of AWKWARD_NAMES) {
    const key = generateSecret();
    const uri = buildOtpauthUri({ issuer, account, key, algorithm: 'SHA256', digits: 8, period: 60 });
    const otp = OTPAuth.URI.parse(uri);
    assert.ok(otp instanceof OTPAuth.TOTP);
    assert.deepEqual(Buffer.from(otp.secret.bytes), key);
    assert.equal(otp.issuer, issuer, 'otpauth takes the issuer from the issuer parameter');
    assert.equal(otp.algorithm, 'SHA256');
    assert.equal(otp.digits, 8);
    assert.equal(otp.period, 60);
    if (!issuer.includes(':')) {
      assert.equal(otp.label, account, `${issuer} / ${account}`);
    } else {
      // The Key URI format allows ":" or "%3A" as the separator, so parsers that split on either
      // (otpauth does) cut an issuer that contains ":" at its own colon. Ours splits on the literal
      // ":" we write and gets it right; the issuer parameter keeps the issuer right for both.
      assert.equal(parseOtpauthUri(uri).account, account);
    }
  }
});

test('a Base64-stored secret gives a Base32 secret= with the same key bytes', () => {
  const key = generateSecret();
  const stored = encodeSecret(key, 'Base64');
  const uri = buildOtpauthUri({ issuer: 'Acme', account: 'alice', key: decodeSecret(stored, 'Base64') });
  const secretParam = new URL(uri).searchParams.get('secret');
  assert.equal(secretParam, base32Encode(key));
  assert.notEqual(secretParam, stored);
  assert.deepEqual(Buffer.from(OTPAuth.Secret.fromBase32(secretParam ?? '').bytes), key);
});

test('parseOtpauthUri reads WSO2, legacy and other servers\' forms', () => {
  const secret = 'BFGDERYOSVRGK7LM';
  const cases: [string, { issuer: string; account: string; period?: number; algorithm?: string }][] = [
    // WSO2: issuer raw (unencoded, spaces included), account URL-encoded.
    [`otpauth://totp/My Org:JDBC%2Falice?secret=${secret}&issuer=My Org&period=45`, { issuer: 'My Org', account: 'JDBC/alice', period: 45 }],
    // WSO2 before 2020: no period, so 30.
    [`otpauth://totp/carbon.super:admin?secret=${secret}&issuer=carbon.super`, { issuer: 'carbon.super', account: 'admin', period: 30 }],
    // Encoded separator and optional spaces before the account (Key URI format).
    [`otpauth://totp/ACME%20Co%3A%20%20john%40example.com?secret=${secret}&issuer=ACME%20Co`, { issuer: 'ACME Co', account: 'john@example.com' }],
    [`otpauth://totp/ACME: john?secret=${secret}`, { issuer: 'ACME', account: 'john' }],
    // Prefix and parameter disagree: the issuer parameter wins, as in Google Authenticator.
    [`otpauth://totp/Old%20Name:john?secret=${secret}&issuer=New%20Name`, { issuer: 'New Name', account: 'john' }],
    // Empty issuer parameter: the prefix is used.
    [`otpauth://totp/Old%20Name:john?secret=${secret}&issuer=`, { issuer: 'Old Name', account: 'john' }],
    // No issuer prefix; issuer from the parameter, or none at all.
    [`otpauth://totp/john?secret=${secret}&issuer=ACME`, { issuer: 'ACME', account: 'john' }],
    [`otpauth://totp/john?secret=${secret}`, { issuer: '', account: 'john' }],
    // Case-insensitive scheme, type, parameter names and algorithm; padded lower-case secret; extras ignored.
    [
      `OTPAUTH://TOTP/X:y?SECRET=${secret.toLowerCase()}%3D%3D%3D%3D&Algorithm=sha512&image=https%3A%2F%2Fx%2Fa.png#frag`,
      { issuer: 'X', account: 'y', algorithm: 'SHA512' },
    ],
  ];
  for (const [uri, want] of cases) {
    const got = parseOtpauthUri(uri);
    assert.equal(got.issuer, want.issuer, uri);
    assert.equal(got.account, want.account, uri);
    assert.equal(got.period, want.period ?? 30, uri);
    assert.equal(got.algorithm, want.algorithm ?? 'SHA1', uri);
    assert.deepEqual(got.key, WSO2_KEY, uri);
  }
});

test('parseOtpauthUri rejects other URIs and bad parameters with clear errors that do not echo the URI', () => {
  const s = 'secret=BFGDERYOSVRGK7LM';
  const bad: [string, RegExp][] = [
    ['', /otpauth:\/\/TYPE\/LABEL/],
    ['https://example.com/totp?secret=BFGDERYOSVRGK7LM', /otpauth:\/\/TYPE\/LABEL/],
    ['otpauth://totp', /otpauth:\/\/TYPE\/LABEL/],
    [`otpauth://hotp/I:a?${s}&counter=0`, /hotp/],
    [`otpauth://motp/I:a?${s}`, /not totp/],
    [`otpauth://totp/?${s}`, /account name is missing/],
    [`otpauth://totp/I:?${s}`, /account name is missing/],
    ['otpauth://totp/I:a?issuer=I', /secret parameter is missing/],
    ['otpauth://totp/I:a?secret=', /secret parameter is missing/],
    ['otpauth://totp/I:a?secret=BFGDERYOSVRGK7L1', /not a Base32 key/],
    ['otpauth://totp/I:a?secret=BFGDERYO', /not a Base32 key of at least 10 bytes/],
    [`otpauth://totp/I:a?${s}&algorithm=MD5`, /algorithm/],
    [`otpauth://totp/I:a?${s}&digits=7`, /digits/],
    [`otpauth://totp/I:a?${s}&digits=`, /digits/],
    [`otpauth://totp/I:a?${s}&period=0`, /period/],
    [`otpauth://totp/I:a?${s}&period=-30`, /period/],
    [`otpauth://totp/I:a?${s}&period=30s`, /period/],
    [`otpauth://totp/I:a?${s}&secret=AAAAAAAAAAAAAAAA`, /secret parameter appears twice/],
    [`otpauth://totp/I%E0%A4:a?${s}`, /malformed %-escape/],
  ];
  for (const [uri, message] of bad) {
    assert.throws(
      () => parseOtpauthUri(uri),
      (e: unknown) =>
        e instanceof TotpInputError && e.reason === 'otpauth-uri' && message.test(e.message) && !e.message.includes('BFGDERYO'),
      uri,
    );
  }
  assert.throws(() => parseOtpauthUri(undefined as unknown as string), TotpInputError);
});

test('buildOtpauthUri rejects empty names, lone surrogates, short keys and bad parameters', () => {
  const key = WSO2_KEY;
  const is = (reason: string) => (e: unknown) => e instanceof TotpInputError && e.reason === reason;
  assert.throws(() => buildOtpauthUri({ issuer: '', account: 'a', key }), is('otpauth-uri'));
  assert.throws(() => buildOtpauthUri({ issuer: 'I', account: '', key }), is('otpauth-uri'));
  assert.throws(() => buildOtpauthUri({ issuer: 'I\uD800', account: 'a', key }), is('otpauth-uri'));
  assert.throws(() => buildOtpauthUri({ issuer: 'I', account: 'a', key: key.subarray(0, 9) }), is('secret'));
  assert.throws(() => buildOtpauthUri({ issuer: 'I', account: 'a', key, digits: 7 as 6 }), is('params'));
  assert.throws(() => buildOtpauthUri({ issuer: 'I', account: 'a', key, period: 0 }), is('params'));
});
