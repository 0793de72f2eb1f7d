import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { templateType } from './template-types.ts';
import { MAX_BODY_BYTES, parseTemplate } from './validate.ts';

const totp = templateType('TOTP');

function refusal(input: unknown): string {
  try {
    parseTemplate(totp, input);
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'NTF-40002');
    assert.equal(err.status, 400);
    return err.description;
  }
  assert.fail('the template was accepted');
}

test('a TOTP template without {{token}} is refused with a clear message', () => {
  assert.equal(refusal({ subject: 'Code', body: 'Hi {{user.claim.givenname}}, no code here.' }), 'The body of a TOTP template must contain the placeholder {{token}}.');
  // In the subject only is not enough: the body is what every client shows.
  assert.match(refusal({ subject: 'Code {{token}}', body: 'Hi' }), /\{\{token\}\}/);
});

test('{{ token }} with spaces counts', () => {
  const t = parseTemplate(totp, { subject: ' Your code ', body: 'Use {{ token }}.', contentType: 'text/html; charset=UTF-8' });
  assert.deepEqual(t, { contentType: 'text/html', subject: 'Your code', body: 'Use {{ token }}.', footer: '' });
});

test('content type defaults to plain text; others are refused', () => {
  assert.equal(parseTemplate(totp, { subject: 's', body: '{{token}}' }).contentType, 'text/plain');
  assert.match(refusal({ subject: 's', body: '{{token}}', contentType: 'application/pdf' }), /contentType must be one of text\/plain, text\/html/);
});

test('subject and body limits, types and shape', () => {
  assert.match(refusal({ subject: 'x'.repeat(256), body: '{{token}}' }), /at most 255 characters/);
  assert.equal(parseTemplate(totp, { subject: 'x'.repeat(255), body: '{{token}}' }).subject.length, 255);
  assert.match(refusal({ subject: 'a\r\nBcc: b', body: '{{token}}' }), /one line/);
  assert.match(refusal({ subject: 's', body: `{{token}}${'é'.repeat(MAX_BODY_BYTES / 2)}` }), /64 KiB/);
  assert.match(refusal({ subject: 's', body: '{{token}}', footer: 'x'.repeat(MAX_BODY_BYTES + 1) }), /footer must be at most 64 KiB/);
  assert.match(refusal({ subject: '', body: '{{token}}' }), /subject is required/);
  assert.match(refusal({ subject: 's' }), /body is required/);
  assert.match(refusal({ subject: 1, body: '{{token}}' }), /subject must be a string/);
  assert.match(refusal([]), /JSON object/);
  assert.match(refusal(null), /JSON object/);
});
