// Reading the key material out of a WSO2 deployment.toml for --wso2-config.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Wso2ConfigError, wso2ConfigKeys } from './wso2-config.ts';

const PATH = '/opt/wso2is/repository/conf/deployment.toml';

test('[encryption] keys, and a PKCS#12 primary keystore found in repository/resources/security', () => {
  const keys = wso2ConfigKeys(
    `[server]\nhostname = "localhost"\n\n[encryption]\nkey = "${'ab'.repeat(32)}"\nold_key = "03BAFEB27A8E871CAD83C5CD4E771DAB"\ntotpKey = "0123456789abcdef0123456789abcdef"\n\n[keystore.primary]\nfile_name = "wso2carbon.p12"\npassword = "store-pw"\n`,
    PATH,
  );
  assert.deepEqual(keys, {
    key: 'ab'.repeat(32),
    oldKey: '03BAFEB27A8E871CAD83C5CD4E771DAB',
    totpKey: '0123456789abcdef0123456789abcdef',
    keystore: { path: join('/opt/wso2is/repository/resources/security', 'wso2carbon.p12'), password: 'store-pw' },
  });
});

test('the internal keystore wins over the primary one; a JKS store is left to the operator to convert', () => {
  const both = wso2ConfigKeys(`[keystore.primary]\nfile_name = "primary.p12"\n[keystore.internal]\nfile_name = "/keys/internal.p12"\npassword = "i"\n`, PATH);
  assert.deepEqual(both.keystore, { path: '/keys/internal.p12', password: 'i' });
  assert.equal(wso2ConfigKeys(`[keystore.primary]\nfile_name = "wso2carbon.jks"\n`, PATH).keystore, undefined);
  assert.deepEqual(wso2ConfigKeys('', PATH), {});
});

test('secure vault references and broken files are refused without quoting values', () => {
  assert.throws(() => wso2ConfigKeys('[encryption]\nkey = "$secret{encryption_key}"\n', PATH), (e: Error) => e instanceof Wso2ConfigError && /\[encryption\] key is a secure vault reference/.test(e.message));
  assert.throws(() => wso2ConfigKeys('[keystore.primary]\nfile_name = "a.p12"\npassword = "$secret{keystore_password}"\n', PATH), /secure vault/);
  assert.throws(() => wso2ConfigKeys('[encryption\nkey = "x"', PATH), /cannot be parsed/);
});
