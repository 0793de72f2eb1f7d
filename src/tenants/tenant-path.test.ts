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
