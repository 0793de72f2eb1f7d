import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeMessage, htmlToText } from './message.ts';

const sender = { address: 'noreply@example.com', signature: 'Example & Co' };

test('plain text: footer and signature are appended; the signature names the sender', () => {
  const m = composeMessage({ contentType: 'text/plain', subject: 'Code', body: 'Use 123456.\n', footer: 'The team' }, 'ann@example.com', sender);
  assert.equal(m.text, 'Use 123456.\n\nThe team\n\n-- \nExample & Co\n');
  assert.equal(m.html, undefined);
  assert.deepEqual(m.from, { name: 'Example & Co', address: 'noreply@example.com' });
  assert.equal(m.to, 'ann@example.com');
  assert.equal(m.headers['Auto-Submitted'], 'auto-generated');
});

test('plain text without footer or signature is the body alone', () => {
  const m = composeMessage({ contentType: 'text/plain', subject: 's', body: 'Use 123456.', footer: '' }, 'a@b.c', { address: 'x@y.z', signature: '' });
  assert.equal(m.text, 'Use 123456.\n');
  assert.equal(m.from.name, '');
});

test('HTML: footer and escaped signature go before </body>, and a text part is derived', () => {
  const body = '<html><head><style>p{color:red}</style></head><body><p>Use <b>123456</b>&nbsp;now.</p></body></html>';
  const m = composeMessage({ contentType: 'text/html', subject: 's', body, footer: '<p>Team</p>' }, 'a@b.c', sender);
  assert.equal(m.html, '<html><head><style>p{color:red}</style></head><body><p>Use <b>123456</b>&nbsp;now.</p><p>Team</p><p>-- <br>Example &amp; Co</p></body></html>');
  assert.equal(m.text, 'Use 123456 now.\n\nTeam\n\n--\nExample & Co');
});

test('htmlToText decodes entities and drops scripts', () => {
  assert.equal(htmlToText('<script>alert(1)</script>A&lt;B &#65;&#x42; &bogus;<br/>line'), 'A<B AB &bogus;\nline');
});
