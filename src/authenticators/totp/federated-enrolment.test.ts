import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLAIMS } from '../../claims/local-claims.ts';
import type { FederatedIdentity } from '../../identity-providers/identity-provider.ts';
import { federatedAccountLabel } from './federated-enrolment.ts';

const identity = (claims: Record<string, string>): FederatedIdentity => ({ idpId: 'i', idpName: 'Corp', subject: 's-1', username: 'bob', claims, attributes: {} });

test("the QR label is WSO2's <IdP>:<email | given name | last name | user name>", () => {
  assert.equal(federatedAccountLabel(identity({ [CLAIMS.email]: 'b@corp.example', [CLAIMS.givenName]: 'Bob' })), 'Corp:b@corp.example');
  assert.equal(federatedAccountLabel(identity({ [CLAIMS.givenName]: 'Bob', [CLAIMS.lastName]: 'Ross' })), 'Corp:Bob');
  assert.equal(federatedAccountLabel(identity({ [CLAIMS.lastName]: 'Ross' })), 'Corp:Ross');
  assert.equal(federatedAccountLabel(identity({})), 'Corp:bob');
});
