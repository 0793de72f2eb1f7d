import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, placeholdersOf, renderTemplate } from './render.ts';

const values: Record<string, string> = { token: '012345', 'user.claim.givenname': 'Ann <b>&"\'', 'tenant-domain': 'example.com' };
const lookup = (name: string) => values[name];

test('placeholders are replaced, with or without spaces inside the braces', () => {
  const text = 'Hi {{ user.claim.givenname}}, use {{token}} or {{  token  }} for {{tenant-domain }}.';
  assert.equal(renderTemplate(text, lookup, { html: false }), 'Hi Ann <b>&"\', use 012345 or 012345 for example.com.');
  assert.deepEqual(placeholdersOf(text), ['user.claim.givenname', 'token', 'tenant-domain']);
});

test('values are HTML-escaped in HTML bodies, the template markup is kept', () => {
  const out = renderTemplate('<p>Hi {{user.claim.givenname}}</p>', lookup, { html: true });
  assert.equal(out, '<p>Hi Ann &lt;b&gt;&amp;&quot;&#39;</p>');
  assert.equal(escapeHtml('<script>'), '&lt;script&gt;');
});

test('unknown placeholders render empty and are reported, never thrown', () => {
  const unknown: string[] = [];
  const out = renderTemplate('Code {{token}}{{nope}} [{{user.claim.nothing}}]', lookup, { html: false, onUnknown: (n) => unknown.push(n) });
  assert.equal(out, 'Code 012345 []');
  assert.deepEqual(unknown, ['nope', 'user.claim.nothing']);
});

test('an empty value before punctuation takes its leading space with it', () => {
  assert.equal(renderTemplate('Hi {{missing}}, hello {{missing}} there', () => undefined, { html: false }), 'Hi, hello  there');
  assert.equal(renderTemplate('Hi {{empty}}!', () => '', { html: false }), 'Hi!');
});

test('a value that looks like a placeholder is printed, not expanded', () => {
  const out = renderTemplate('Hi {{name}}', (n) => (n === 'name' ? '{{token}}' : '999999'), { html: false });
  assert.equal(out, 'Hi {{token}}');
});

test('single-line rendering keeps header values on one line', () => {
  assert.equal(renderTemplate('Hello {{v}}', () => 'a\r\nBcc: x@y', { html: false, singleLine: true }), 'Hello a Bcc: x@y');
});

test('text without placeholders and stray braces pass through', () => {
  assert.equal(renderTemplate('{ {token} } {{}} {{{token}}}', lookup, { html: false, onUnknown: () => undefined }), '{ {token} }  {012345}');
});
