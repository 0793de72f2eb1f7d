// The body of POST /api/server/v1/userstores for an LDAP store on the test slapd (WSO2 property names).
import { PEOPLE, ROOT_DN, ROOT_PASSWORD } from './slapd.ts';

export const USERSTORES = '/api/server/v1/userstores';

/** A store's WSO2 id: base64url of its domain. */
export const storeId = (domain: string) => Buffer.from(domain).toString('base64url');

export function ldapStoreBody(slapd: { url: string }, name: string, password = ROOT_PASSWORD) {
  return {
    typeName: 'UniqueIDReadOnlyLDAPUserStoreManager',
    name,
    description: 'OpenLDAP people',
    properties: [
      { name: 'ConnectionURL', value: slapd.url },
      { name: 'ConnectionName', value: ROOT_DN },
      { name: 'ConnectionPassword', value: password },
      { name: 'UserSearchBase', value: PEOPLE },
      { name: 'connect_timeout', value: '1000' },
    ],
  };
}
