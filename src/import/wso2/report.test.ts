// The import report: counts per kind, skips grouped by reason with the names, notes apart from skips, and a
// bounded list of names however many were skipped for one reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImportReport } from './report.ts';

test('counts, reasons and notes per kind, in text and JSON', () => {
  const report = new ImportReport();
  report.imported('users', 2);
  report.already('users');
  report.skipped('users', 'a user of this name already exists here', 'admin');
  report.skipped('totp secrets', 'cannot decrypt: no given symmetric key decrypts the value', 'carol');
  report.note('applications', 'imported without its inbound samlsso settings', 'travel-app: travelocity.com');
  report.warn('the identity database has no SP_APP table');
  const text = report.format();
  assert.match(text, /^warning: the identity database has no SP_APP table$/m);
  assert.match(text, /^users: 2 imported, 1 already imported by an earlier run, 1 skipped$/m);
  assert.match(text, /^ {2}skipped 1: a user of this name already exists here \(admin\)$/m);
  assert.match(text, /^applications: 0 imported, 0 already imported by an earlier run, 0 skipped$/m);
  assert.match(text, /^ {2}note, 1: imported without its inbound samlsso settings \(travel-app: travelocity.com\)$/m);
  const json = report.toJSON();
  assert.deepEqual(json.users, { imported: 2, alreadyImported: 1, skipped: 1, reasons: { 'a user of this name already exists here': { count: 1, names: ['admin'] } }, notes: {} });
  assert.equal(json.applications.skipped, 0);
  assert.deepEqual(json.warnings, ['the identity database has no SP_APP table']);
});

test('a reason with many names lists twenty and says how many more; the count stays complete', () => {
  const report = new ImportReport();
  for (let i = 0; i < 25; i++) report.skipped('claims', 'the attribute "x" has no claim', `user${i}`);
  assert.match(report.format(), /skipped 25: the attribute "x" has no claim \(user0, .*user19, and 5 more\)/);
  assert.deepEqual([report.toJSON().claims.skipped, report.toJSON().claims.reasons['the attribute "x" has no claim']!.names.length], [25, 20]);
});
