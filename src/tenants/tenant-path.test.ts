import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitTenantPath, tenantQualifiedPath } from './tenant-path.ts';

test('reads the tenant from /t/{tenant}/ paths', () => {
  assert.deepEqual(splitTenantPath('/t/Example.com/scim2/Users?filter=x'), { tenantDomain: 'example.com', rest: '/scim2/Users?filter=x' });
  assert.deepEqual(splitTenantPath('/t/example.com'), { tenantDomain: 'example.com', rest: '/' });
  assert.deepEqual(splitTenantPath('/t/carbon.super/api/users/v1/me/totp'), { tenantDomain: 'carbon.super', rest: '/api/users/v1/me/totp' });
  assert.deepEqual(splitTenantPath('/scim2/Users'), { tenantDomain: undefined, rest: '/scim2/Users' });
  assert.deepEqual(splitTenantPath('/totally/t/x/'), { tenantDomain: undefined, rest: '/totally/t/x/' });
  assert.deepEqual(splitTenantPath('/t/'), { tenantDomain: undefined, rest: '/t/' });
});

test('builds tenant-qualified paths; the super tenant keeps plain paths', () => {
  assert.equal(tenantQualifiedPath('carbon.super', '/commonauth'), '/commonauth');
  assert.equal(tenantQualifiedPath('example.com', '/commonauth'), '/t/example.com/commonauth');
});

test('never throws: a segment that is not a tenant domain is reported invalid, the rest still split off', () => {
  for (const segment of ['%E0', '%', '%zz', '%C0%AF', 'a%00b', 'bad_name!', '-x', `${'a'.repeat(254)}`, `${'%61'.repeat(300)}`]) {
    assert.deepEqual(splitTenantPath(`/t/${segment}/console?x=1`), { tenantDomain: undefined, rest: '/console?x=1', invalid: true }, segment);
  }
  assert.deepEqual(splitTenantPath('/t/EXAMPLE%2ECOM/health'), { tenantDomain: 'example.com', rest: '/health' });
});
