import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeList, project } from './projection.ts';

const resource = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:scim:wso2:schema'],
  id: 'u1',
  userName: 'alice',
  name: { givenName: 'Alice', familyName: 'Liddell' },
  emails: [{ value: 'a@example.org', primary: true }],
  'urn:scim:wso2:schema': { accountLocked: false },
  meta: { resourceType: 'User' },
};

test('attributes: only the listed ones, plus id and schemas; names are case-insensitive', () => {
  assert.deepEqual(project(resource, attributeList('USERNAME, name.givenName,emails.value')), {
    schemas: resource.schemas,
    id: 'u1',
    userName: 'alice',
    name: { givenName: 'Alice' },
    emails: [{ value: 'a@example.org' }],
  });
  assert.deepEqual(project(resource, attributeList(['urn:scim:wso2:schema:accountLocked', 'nothing'])), {
    schemas: resource.schemas,
    id: 'u1',
    'urn:scim:wso2:schema': { accountLocked: false },
  });
});

test('excludedAttributes: drops the listed ones but never id or schemas; the input is untouched', () => {
  const out = project(resource, undefined, attributeList('meta,name.familyName,id,urn:ietf:params:scim:schemas:core:2.0:User:emails'));
  assert.deepEqual(out, { schemas: resource.schemas, id: 'u1', userName: 'alice', name: { givenName: 'Alice' }, 'urn:scim:wso2:schema': { accountLocked: false } });
  assert.ok(resource.meta, 'the resource itself keeps meta');
  assert.equal(project(resource), resource);
  assert.equal(attributeList(' , '), undefined);
});
