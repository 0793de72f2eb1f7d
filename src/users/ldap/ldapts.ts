// ldapts, loaded when a node first uses an LDAP or Active Directory store (a connection, a filter, a password
// change), not at start: most nodes have no such store (docs/operations.md, "What loads when"). Its CommonJS
// build, through the one loader every LDAP module here uses, so the classes our `instanceof` checks name are
// the ones the client throws.
import type * as Ldapts from 'ldapts';
import { lazyRequire } from '../../cache/lazy-module.ts';

export const ldapts = lazyRequire<typeof Ldapts>('ldapts');
