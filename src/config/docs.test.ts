// docs/configuration.md is generated from the schema; this fails when someone forgot `npm run docs`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigDocs } from './docs.ts';
import { parseConfigText } from './load.ts';
import { TOTP_PARAMETER_NAMES } from './totp-schema.ts';

const committed = new URL('../../docs/configuration.md', import.meta.url);

test('docs/configuration.md is up to date (run `npm run docs`)', () => {
  assert.equal(readFileSync(committed, 'utf8'), renderConfigDocs());
});

test('the docs list every TOTP parameter, aliases, allowed values and hide secret defaults', () => {
  const docs = renderConfigDocs();
  for (const name of TOTP_PARAMETER_NAMES) assert.match(docs, new RegExp(`^\\| \`${name}\` \\|`, 'm'), name);
  assert.match(docs, /^## \[authentication\.authenticator\.totp\.parameters\]$/m);
  assert.match(docs, /Also accepted as `totp_authentication_endpointURL`/);
  assert.match(docs, /`"postgre"` means `"postgres"`/);
  assert.match(docs, /\| `type` \| string, one of "sqlite", "postgres", "mysql" \|/);
  assert.match(docs, /^\| `password` \| string \| \(secret\) \|/m);
  assert.ok(!/\| `password` \| string \| `"admin"`/.test(docs), 'the admin password default is not shown');
  assert.match(docs, /PORTCULLIS_CONFIG/);
  assert.match(docs, /unknown key/i);
});

test('the sample error output in the docs is what the loader prints', () => {
  const text = ['# 1', '# 2', '# 3', '# 4', '# 5', '[server]', 'prot = 9443', '', '', '', '', 'bind_address = "local host"'].join('\n');
  const sample = /```\n(config\/deployment\.toml:7:[^`]*)```/.exec(renderConfigDocs())?.[1]?.trim();
  assert.ok(sample !== undefined, 'the docs have a sample');
  assert.throws(() => parseConfigText(text, 'config/deployment.toml'), (e: unknown) => e instanceof Error && e.message === sample);
});
