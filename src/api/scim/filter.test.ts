import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import { MAX_FILTER_LENGTH, parseFilter, type ScimFilter } from './filter.ts';

const eq = (path: string, value: string): ScimFilter => ({ type: 'compare', path, op: 'eq', value });

function rejects(input: string, detail?: RegExp): void {
  assert.throws(
    () => parseFilter(input),
    (e: unknown) => e instanceof AppError && e.code === 'SCM-40001' && e.status === 400 && (!detail || detail.test(e.description)),
    input,
  );
}

test('attribute expressions: every operator, pr, and the value types', () => {
  assert.deepEqual(parseFilter('userName eq "alice"'), eq('userName', 'alice'));
  for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']) {
    assert.deepEqual(parseFilter(`title ${op.toUpperCase()} "x"`), { type: 'compare', path: 'title', op, value: 'x' });
  }
  assert.deepEqual(parseFilter('emails pr'), { type: 'present', path: 'emails' });
  assert.deepEqual(parseFilter('title PR'), { type: 'present', path: 'title' });
  assert.deepEqual(parseFilter('active eq true'), { type: 'compare', path: 'active', op: 'eq', value: true });
  assert.deepEqual(parseFilter('active eq FALSE'), { type: 'compare', path: 'active', op: 'eq', value: false });
  assert.deepEqual(parseFilter('x eq null'), { type: 'compare', path: 'x', op: 'eq', value: null });
  assert.deepEqual(parseFilter('n ge -1.5e3'), { type: 'compare', path: 'n', op: 'ge', value: -1500 });
});

test('attribute paths: sub-attributes and schema URN prefixes', () => {
  assert.deepEqual(parseFilter('name.givenName sw "A"'), { type: 'compare', path: 'name.givenName', op: 'sw', value: 'A' });
  const urn = 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName';
  assert.deepEqual(parseFilter(`${urn} eq "O'Malley"`), { type: 'compare', path: urn, op: 'eq', value: "O'Malley" });
  assert.deepEqual(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"').type, 'compare');
});

test('strings are JSON strings: escapes decode, and raw control characters are refused', () => {
  assert.deepEqual(parseFilter('userName eq "a\\"b\\\\c\\u00e9\\n"'), eq('userName', 'a"b\\c\u00e9\n'));
  assert.deepEqual(parseFilter('userName eq "with (parens) and [brackets] or more"'), eq('userName', 'with (parens) and [brackets] or more'));
  assert.deepEqual(parseFilter('userName eq ""'), eq('userName', ''));
  rejects('userName eq "bad \\x escape"', /string/);
  rejects('userName eq "unterminated', /string/);
  rejects('userName eq "tab\there"', /string/);
});

test('and binds tighter than or; both associate to the left', () => {
  const a = eq('a', '1');
  const b = eq('b', '2');
  const c = eq('c', '3');
  assert.deepEqual(parseFilter('a eq "1" or b eq "2" and c eq "3"'), { type: 'or', left: a, right: { type: 'and', left: b, right: c } });
  assert.deepEqual(parseFilter('a eq "1" and b eq "2" or c eq "3"'), { type: 'or', left: { type: 'and', left: a, right: b }, right: c });
  assert.deepEqual(parseFilter('a eq "1" AND b eq "2" And c eq "3"'), { type: 'and', left: { type: 'and', left: a, right: b }, right: c });
});

test('parentheses override precedence; not negates a group', () => {
  const a = eq('a', '1');
  const b = eq('b', '2');
  const c = eq('c', '3');
  assert.deepEqual(parseFilter('(a eq "1" or b eq "2") and c eq "3"'), { type: 'and', left: { type: 'or', left: a, right: b }, right: c });
  assert.deepEqual(parseFilter('((a eq "1"))'), a);
  assert.deepEqual(parseFilter('not (a eq "1") and b eq "2"'), { type: 'and', left: { type: 'not', filter: a }, right: b });
  assert.deepEqual(parseFilter('NOT(a eq "1" or b eq "2")'), { type: 'not', filter: { type: 'or', left: a, right: b } });
});

test('value paths filter the values of a multi-valued attribute', () => {
  assert.deepEqual(parseFilter('emails[type eq "work" and value co "@example.com"]'), {
    type: 'valuePath',
    path: 'emails',
    filter: { type: 'and', left: eq('type', 'work'), right: { type: 'compare', path: 'value', op: 'co', value: '@example.com' } },
  });
});

test('the RFC 7644 section 3.4.2.2 examples parse', () => {
  const examples = [
    'title pr',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  ];
  for (const f of examples) assert.doesNotThrow(() => parseFilter(f), f);
});

test('invalid filters are 400 invalidFilter with a detail that points at the problem', () => {
  rejects('', /empty/);
  rejects('   ', /empty/);
  rejects('userName', /operator must follow/);
  rejects('userName eq', /value is missing/);
  rejects('userName equals "x"', /Unknown operator 'equals'/);
  rejects('userName eq alice', /Expected a value/);
  rejects('userName eq "a" and', /ends where an expression/);
  rejects('userName eq "a" or or b eq "c"', /Unknown operator 'b'/);
  rejects('(userName eq "a"', /Expected '\)'/);
  rejects('userName eq "a")', /Unexpected '\)'/);
  rejects('emails[type eq "work"', /Expected '\]'/);
  rejects('userName eq "a" userName eq "b"', /Unexpected 'userName'/);
  rejects('user name eq "a"', /Unknown operator 'name'/);
  rejects('1abc eq "x"', /attribute name/);
  rejects('userName eq "a" ; drop', /Unexpected character ';'/);
  rejects('"alice" eq userName', /attribute name/);
});

test('hostile filters are bounded: length and nesting depth', () => {
  rejects(`userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`, /longer than/);
  rejects(`${'('.repeat(100)}a eq "1"${')'.repeat(100)}`, /nests more than/);
  assert.doesNotThrow(() => parseFilter(`${'('.repeat(20)}a eq "1"${')'.repeat(20)}`));
  const longChain = Array.from({ length: 200 }, (_, i) => `a eq "${i}"`).join(' or ');
  assert.equal(parseFilter(longChain).type, 'or', 'long flat chains are fine (they do not recurse)');
});
