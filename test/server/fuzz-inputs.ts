// What the fuzz test (fuzz.test.ts) sends: the server's routes read from Fastify's own route tree, and the
// malformed inputs of issue 8 (percent-encodings, Basic credentials, cookies, content types, bodies, SAML
// messages) as fixed lists and as fast-check arbitraries built from them.
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';

export interface Route {
  method: string;
  /** With `:param` placeholders, as registered. */
  template: string;
}

/** Every route from `app.printRoutes({ commonPrefix: false })`: one line per node, indented four per level. */
export function routesOf(tree: string): Route[] {
  const stack: string[] = [];
  const out: Route[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = `${stack[depth - 1] ?? ''}${m[2]}`;
    stack.push(path);
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push({ method, template: path });
  }
  return out;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** Percent-encodings that are not UTF-8, not escapes, overlong, surrogates, NUL, traversal. */
export const BAD_ESCAPES = ['%E0', '%', '%zz', '%C0%AF', '%ED%A0%80', '%00', '%FF%FE', '..%2F..%2F', '%2e%2e', '%u0041', '%F0%9F%98', 'a%', '%%32%30'];

export const TENANT_PREFIXES = ['', '/t/carbon.super', '/t/other.example', '/t/%E0', '/t/%', '/t/%zz', '/t/%C0%AF', '/t/x%00y', `/t/${'a'.repeat(300)}`, '/t/Other.EXAMPLE', '/t/..', '/t/a%2Fb', '/t/nowhere.example', '/t/-bad-'];

export const BAD_AUTHORIZATION = [
  'Basic !!!',
  `Basic ${b64('nocolon')}`,
  `Basic ${'A'.repeat(6000)}`,
  `Basic ${b64(Buffer.from([0xff, 0xfe, 0x3a, 0x41]))}`,
  'Basic YQ=',
  'Basic YWRtaW46YWRtaW4=junk',
  `Basic ${b64('admin@%E0:admin')}`,
  `Basic ${b64(`admin@${'a'.repeat(300)}.example:admin`)}`,
  `Basic ${b64('admin@bad_domain!:admin')}`,
  `Basic ${b64('a\0b:c')}`,
  `Basic ${b64(':password')}`,
  'Bearer abc',
  'Basic',
  'basic ' + b64('admin:wrong'),
];

export const BAD_COOKIES = ['commonAuthId=%E0', 'commonAuthId=%; a=%zz', 'samlLogout=v1:abc:!!!', 'samlLogout=%C0%AF', `samlLogout=v1:${'x'.repeat(16)}:${b64('junk')}`, 'commonAuthId', '=;=;', ';;;', 'x="unterminated', `c=${'%41'.repeat(1000)}`, 'sessionNonceCookie-x=%00'];

export const CONTENT_TYPES = [
  'application/json',
  'application/scim+json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=%E0',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'a/b/c',
  ';;;',
  'text/xml',
];

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** [content-type, body] pairs that are malformed or hostile. */
export const BAD_BODIES: [string, string | Buffer][] = [
  ['application/x-www-form-urlencoded', 'a=%E0&b=%zz&c=%'],
  ['application/x-www-form-urlencoded', 'username=%00&password=%C0%AF&csrf=%'],
  ['application/x-www-form-urlencoded', '__proto__=x&constructor[prototype][x]=1'],
  ['application/x-www-form-urlencoded', `${'a=1&'.repeat(5000)}`],
  ['application/json', '{"a":'],
  ['application/json', deep(30_000)],
  ['application/json', '{"__proto__":{"admin":true}}'],
  ['application/json', '{"constructor":{"prototype":{"x":1}}}'],
  ['application/json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
  ['application/json', '{"userName":"a\\u0000b","password":"x"}'],
  ['application/json', '"just a string"'],
  ['application/json', 'null'],
  ['application/scim+json', '{"schemas":[1,2],"Operations":"x","userName":{"a":[]}}'],
  ['application/json', `{"a":"${'x'.repeat(70_000)}"}`],
  ['text/plain', 'hello'],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
];

const XML_SAMPLES = [
  '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" AssertionConsumerServiceURL="https://evil.example/acs"><saml:Issuer>travelocity.com</saml:Issuer></samlp:AuthnRequest>',
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"><saml:Issuer>travelocity.com</saml:Issuer><saml:NameID>admin</saml:NameID><samlp:SessionIndex>x</samlp:SessionIndex></samlp:LogoutRequest>',
  '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" InResponseTo="_x" Version="2.0" IssueInstant="2024-01-01T00:00:00Z"/>',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
  '<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>',
  '<?xml version="1.0"?><?pi x?><x/>',
  '<x><!-- c --></x>',
  '<a><b></a>',
  '<p:x xmlns:p=""/>',
  '<x y="1" y="2"/>',
  '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="1bad" Version="2.0" IssueInstant="yesterday"/>',
  '<x/><y/>',
  'not xml at all',
  '\uFEFF<x/>',
  `<x a="${'&amp;'.repeat(5000)}"/>`,
];

/** SAMLRequest/SAMLResponse values: bad Base64, bad DEFLATE, non-XML, XML with DTDs, bombs, and plausible messages. */
export const SAML_VALUES: string[] = [
  '!!!',
  'YQ=',
  '',
  '%E0',
  b64(Buffer.from([0xff, 0x00, 0x13, 0x37])),
  b64(deflateRawSync(Buffer.from([0xff, 0xfe, 0xfd]))),
  b64(deflateRawSync(Buffer.alloc(4 * 1024 * 1024, 0x61))),
  'A'.repeat(200_000),
  ...XML_SAMPLES.flatMap((xml) => [b64(xml), b64(deflateRawSync(Buffer.from(xml)))]),
];

// ---- arbitraries ----

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ09-._~!$&\'()*+,;=:@/?#[]% "<>\\^`{|}'.split('')), maxLength: 40 });
/** A URL component that decodes: encoded arbitrary text (unicode included) or raw printable characters. */
const wellFormed = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent), printable.map((s) => s.replace(/[ "<>\\^`{|}#?%]/g, '')));
/** A URL component: mostly well-formed (to get past decoding into the handlers), sometimes a bad escape. */
export const component = fc.oneof({ arbitrary: wellFormed, weight: 3 }, { arbitrary: fc.constantFrom(...BAD_ESCAPES), weight: 1 });

const NAMES = ['SAMLRequest', 'RelayState', 'SigAlg', 'Signature', 'spEntityID', 'sessionDataKey', 'sendToken', 'filter', 'page', 'done', 'startIndex', 'count', 'attributes', 'limit', 'offset', 'exclude-identity-claims', 'username', 'password', 'token', 'csrf'];
const pairs = (value: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(fc.oneof({ arbitrary: fc.constantFrom(...NAMES), weight: 3 }, { arbitrary: component, weight: 1 }), value), { maxLength: 5 }).map((ps) => ps.map(([k, v]) => `${k}=${v}`).join('&'));
/** A query string or form body: often well-formed, sometimes with bad escapes. */
export const query = fc.oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: pairs(wellFormed), weight: 3 }, { arbitrary: pairs(component), weight: 1 });

const headerText = fc.string({ unit: fc.constantFrom(...'abcAZ09 =:;,%"\'/+-_\t'.split('')), maxLength: 60 });
export const authorization = fc.option(fc.oneof(fc.constantFrom(...BAD_AUTHORIZATION), headerText.map((s) => `Basic ${s}`), fc.uint8Array({ maxLength: 40 }).map((b) => `Basic ${b64(Buffer.from(b))}`)), { nil: undefined });
/** Other headers a client controls: Host and proxy headers (never trusted by default), encodings, languages. */
export const extraHeaders = fc.dictionary(
  fc.constantFrom('host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'accept-language', 'accept-encoding', 'content-encoding', 'user-agent', 'referer', 'origin', 'x-request-id', 'if-none-match', 'range'),
  fc.oneof(headerText, fc.constantFrom('evil.example', '[::1', '%E0', 'a'.repeat(3000), 'gzip', 'br, *;q=0', 'bytes=0-1,2-3', '127.0.0.1, 10.0.0.1')),
  { maxKeys: 3 },
);
export const cookieHeader = fc.option(fc.oneof(fc.constantFrom(...BAD_COOKIES), headerText), { nil: undefined });

export const samlValue = fc.oneof(fc.constantFrom(...SAML_VALUES), fc.uint8Array({ maxLength: 64 }).map((b) => b64(Buffer.from(b))), fc.string({ maxLength: 200 }).map((s) => b64(deflateRawSync(Buffer.from(s)))));

// ---- plausible shapes, so fuzzed values reach the handlers behind the parsers ----

const FIELDS = [
  'userName', 'password', 'name', 'givenName', 'familyName', 'emails', 'value', 'primary', 'active', 'phoneNumbers', 'type', 'schemas',
  'Operations', 'op', 'path', 'displayName', 'title', 'claimURI', 'attributeMapping', 'mappedAttribute', 'userstore', 'regEx', 'domain',
  'owners', 'username', 'enable', 'parameters', 'encodingMethod', 'timeStepSize', 'windowSize', 'subject', 'body', 'contentType',
  'inboundProtocolConfiguration', 'saml', 'manualConfiguration', 'issuer', 'assertionConsumerUrls', 'authenticationSequence', 'steps',
  'options', 'authenticator', 'gracePeriodDays', 'filter', 'startIndex', 'count', 'id', 'current', 'repeat', 'sessionDataKey', 'token',
  'ENABLE_TOTP', 'sendToken', 'description', 'urn:scim:wso2:schema', 'accountLocked', 'locale', 'status', 'digits', 'algorithm',
];
const leaf = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('', 'admin', 'a'.repeat(300), '\u0000', '%E0', 'http://wso2.org/claims/title', 'PRIMARY', 'replace', 'add', 'remove'));
const { value: plausibleValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...FIELDS), tie('value'), { maxKeys: 5 })),
}));
/** JSON objects with the field names our APIs read, holding arbitrary values. */
export const plausibleJson = fc.dictionary(fc.constantFrom(...FIELDS), plausibleValue, { maxKeys: 8 }).map((o) => JSON.stringify(o));
/** Forms with the field names our pages read. */
export const plausibleForm = fc.array(fc.tuple(fc.constantFrom(...FIELDS), wellFormed), { maxLength: 6 }).map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&'));

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const SAMLP = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"';

/** SAML protocol messages naming a registered application, with fuzzed attributes and contents. */
export function samlMessage(issuer: string, acs: string): fc.Arbitrary<string> {
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', 'admin', '_a1', issuer, acs, 'x'.repeat(300)));
  const attr = fc.oneof(fc.constantFrom('true', 'false', '1', '', '2024-01-01T00:00:00Z', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', acs), text);
  const issuerEl = fc.oneof({ arbitrary: fc.constant(issuer), weight: 4 }, { arbitrary: text, weight: 1 }).map((i) => `<saml:Issuer>${esc(i)}</saml:Issuer>`);
  const id = fc.oneof({ arbitrary: fc.constant('_m1'), weight: 3 }, { arbitrary: text, weight: 1 });
  const authn = fc.tuple(id, attr, attr, attr, attr, issuerEl, fc.option(attr, { nil: undefined })).map(
    ([i, acsUrl, binding, force, passive, iss, fmt]) =>
      `<samlp:AuthnRequest ${SAMLP} ID="${esc(i)}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" AssertionConsumerServiceURL="${esc(acsUrl)}" ProtocolBinding="${esc(binding)}" ForceAuthn="${esc(force)}" IsPassive="${esc(passive)}">${iss}${fmt === undefined ? '' : `<samlp:NameIDPolicy Format="${esc(fmt)}" AllowCreate="true"/>`}</samlp:AuthnRequest>`,
  );
  const logout = fc.tuple(id, issuerEl, text, text, attr).map(
    ([i, iss, nameId, index, format]) =>
      `<samlp:LogoutRequest ${SAMLP} ID="${esc(i)}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">${iss}<saml:NameID Format="${esc(format)}">${esc(nameId)}</saml:NameID><samlp:SessionIndex>${esc(index)}</samlp:SessionIndex></samlp:LogoutRequest>`,
  );
  const response = fc.tuple(id, text, issuerEl, attr).map(
    ([i, to, iss, status]) =>
      `<samlp:LogoutResponse ${SAMLP} ID="${esc(i)}" InResponseTo="${esc(to)}" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">${iss}<samlp:Status><samlp:StatusCode Value="${esc(status)}"/></samlp:Status></samlp:LogoutResponse>`,
  );
  return fc.oneof(authn, logout, response, fc.constantFrom(...XML_SAMPLES));
}

export const samlEncoding = fc.constantFrom<(xml: string) => string>(
  (xml) => b64(deflateRawSync(Buffer.from(xml))),
  (xml) => b64(xml),
  (xml) => b64(deflateRawSync(Buffer.from(xml))).replace(/=+$/, ''),
  (xml) => `${b64(xml)}\r\n`,
);

export const body: fc.Arbitrary<[string, string | Buffer] | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(...BAD_BODIES),
  query.map((q): [string, string] => ['application/x-www-form-urlencoded', q]),
  fc.json({ depthSize: 'small' }).map((j): [string, string] => ['application/json', j]),
  plausibleJson.map((j): [string, string] => ['application/json', j]),
  plausibleJson.map((j): [string, string] => ['application/scim+json', j]),
  plausibleForm.map((f): [string, string] => ['application/x-www-form-urlencoded', f]),
  fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.string({ maxLength: 100 })),
  samlValue.map((v): [string, string] => ['application/x-www-form-urlencoded', `SAMLRequest=${encodeURIComponent(v)}&RelayState=${encodeURIComponent('r')}`]),
);
