import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../errors/app-error.ts';
import { applyPatch, PATCH_SCHEMA, readOperations } from './patch.ts';

const alice = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'u1',
  userName: 'alice',
  name: { givenName: 'Alice', familyName: 'Liddell' },
  emails: [{ value: 'alice@example.org', primary: true }],
  phoneNumbers: [{ value: '+100', type: 'mobile' }],
  active: true,
  'urn:scim:wso2:schema': { accountLocked: true, lockedReason: 'MAX_TOTP_ATTEMPTS_EXCEEDED' },
  meta: { resourceType: 'User' },
});

const patch = (doc: Record<string, unknown>, ...operations: unknown[]) =>
  applyPatch(doc, readOperations({ schemas: [PATCH_SCHEMA], Operations: operations }));

function fails(code: string, fn: () => unknown, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.code === code && (!detail || detail.test(e.description)));
}

test('replace with a path: simple, sub-attribute, extension URN; the input is not modified', () => {
  const doc = alice();
  const out = patch(
    doc,
    { op: 'replace', path: 'name.givenName', value: 'Alicia' },
    { op: 'Replace', path: 'displayName', value: 'Ally' },
    { op: 'replace', path: 'urn:scim:wso2:schema:accountLocked', value: false },
    { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:NAME.FAMILYNAME', value: 'L.' },
  );
  assert.deepEqual(out.name, { givenName: 'Alicia', familyName: 'L.' });
  assert.equal(out.displayName, 'Ally');
  assert.deepEqual(out['urn:scim:wso2:schema'], { accountLocked: false, lockedReason: 'MAX_TOTP_ATTEMPTS_EXCEEDED' });
  assert.deepEqual(doc.name, { givenName: 'Alice', familyName: 'Liddell' }, 'the input is untouched');
});

test('replace without a path: complex attributes merge, multi-valued ones are replaced, unknown keys are ignored', () => {
  const out = patch(alice(), {
    op: 'replace',
    value: { name: { givenName: 'X' }, emails: [{ value: 'x@example.org', primary: true }], externalId: 'ignored', id: 'ignored', 'urn:scim:wso2:schema': { accountLocked: false } },
  });
  assert.deepEqual(out.name, { givenName: 'X', familyName: 'Liddell' });
  assert.deepEqual(out.emails, [{ value: 'x@example.org', primary: true }]);
  assert.equal(out.id, 'u1');
  assert.equal(out.externalId, undefined);
  assert.equal((out['urn:scim:wso2:schema'] as Record<string, unknown>).accountLocked, false);
});

test('add: sets attributes, appends new multi-valued values, keeps one primary', () => {
  const out = patch(
    alice(),
    { op: 'add', path: 'password', value: 'new password 1' },
    { op: 'add', path: 'emails', value: [{ value: 'second@example.org', primary: true }, { value: 'ALICE@example.org', type: 'work' }] },
    { op: 'add', value: { nickName: 'Al', title: 'Queen' } },
  );
  assert.equal(out.password, 'new password 1');
  assert.deepEqual(out.emails, [
    { value: 'ALICE@example.org', primary: false, type: 'work' },
    { value: 'second@example.org', primary: true },
  ]);
  assert.equal(out.nickName, 'Al');
  assert.equal(out.title, 'Queen');
});

test('value paths: change matching values; create a typed value when none matches an eq filter', () => {
  const doc = { ...alice(), emails: [{ value: 'a@work.example', type: 'work' }, { value: 'a@home.example', type: 'home' }] };
  const out = patch(doc, { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@work.example' });
  assert.deepEqual(out.emails, [{ value: 'new@work.example', type: 'work' }, { value: 'a@home.example', type: 'home' }]);
  const created = patch(alice(), { op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+200' });
  assert.deepEqual(created.phoneNumbers, [{ value: '+100', type: 'mobile' }, { type: 'work', value: '+200' }]);
  fails('SCM-40004', () => patch(alice(), { op: 'replace', path: 'emails[value co "nowhere"].value', value: 'x' }), /matches/);
  const removed = patch(doc, { op: 'remove', path: 'emails[type eq "home"]' });
  assert.deepEqual(removed.emails, [{ value: 'a@work.example', type: 'work' }]);
  const strings = patch({ emails: ['plain@example.org'] }, { op: 'replace', path: 'emails[value eq "PLAIN@example.org"].primary', value: true });
  assert.deepEqual(strings.emails, [{ value: 'plain@example.org', primary: true }]);
});

test('remove: attributes, sub-attributes, listed values; a remove needs a path', () => {
  const out = patch(
    alice(),
    { op: 'remove', path: 'name.givenName' },
    { op: 'remove', path: 'phoneNumbers' },
    { op: 'remove', path: 'emails', value: [{ value: 'ALICE@example.org' }] },
  );
  assert.deepEqual(out.name, { familyName: 'Liddell' });
  assert.equal(out.phoneNumbers, undefined);
  assert.deepEqual(out.emails, []);
  fails('SCM-40004', () => patch(alice(), { op: 'remove' }), /needs a path/);
});

test('read-only, unknown and malformed paths are refused with the RFC scimType', () => {
  fails('SCM-40006', () => patch(alice(), { op: 'replace', path: 'id', value: 'x' }), /read-only/);
  fails('SCM-40006', () => patch(alice(), { op: 'replace', path: 'meta.created', value: 'x' }));
  fails('SCM-40006', () => patch(alice(), { op: 'replace', path: 'urn:scim:wso2:schema:lockedReason', value: 'x' }));
  fails('SCM-40003', () => patch(alice(), { op: 'add', path: 'addresses', value: [] }), /not supported/);
  fails('SCM-40003', () => patch(alice(), { op: 'add', path: 'name.middleName', value: 'x' }), /no sub-attribute/);
  fails('SCM-40003', () => patch(alice(), { op: 'add', path: 'name[givenName eq "x"]', value: 'x' }), /not multi-valued/);
  fails('SCM-40003', () => patch(alice(), { op: 'add', path: 'emails[type eq ]', value: 'x' }), /filter/);
  fails('SCM-40003', () => patch(alice(), { op: 'add', path: 'a b', value: 'x' }), /not a valid attribute path/);
  fails('SCM-40005', () => patch(alice(), { op: 'add', path: 'emails', value: [{ value: 'x', colour: 'red' }] }), /colour/);
});

test('the PatchOp message itself is checked', () => {
  fails('SCM-40002', () => readOperations('nope'));
  fails('SCM-40002', () => readOperations({ schemas: ['urn:wrong'], Operations: [{ op: 'add', value: {} }] }), /PatchOp/);
  fails('SCM-40002', () => readOperations({ Operations: [] }), /non-empty/);
  fails('SCM-40002', () => readOperations({ Operations: [{ op: 'move', path: 'x' }] }), /add, replace or remove/);
  fails('SCM-40005', () => readOperations({ Operations: [{ op: 'add', path: 'title' }] }), /needs a value/);
  fails('SCM-40005', () => readOperations({ Operations: Array.from({ length: 101 }, () => ({ op: 'remove', path: 'title' })) }), /At most 100/);
  assert.deepEqual(readOperations({ operations: [{ op: 'REMOVE', path: ' title ' }] }), [{ op: 'remove', path: 'title' }], 'key and op names are case-insensitive');
});
