// Migrations in order. Append new ones; never edit one that has shipped.
import type { Migration } from 'kysely';
import * as m001 from './001-initial.ts';
import * as m002 from './002-email-templates.ts';
import * as m003 from './003-login-flows.ts';
import * as m004 from './004-signing-keys.ts';
import * as m005 from './005-account-disabled.ts';
import * as m006 from './006-audit-actor.ts';
import * as m007 from './007-rate-limits.ts';
import * as m008 from './008-sweeper-lease.ts';
import * as m009 from './009-totp-credentials.ts';
import * as m010 from './010-registry.ts';
import * as m011 from './011-user-store-definitions.ts';
import * as m012 from './012-totp-secret-in-store.ts';
import * as m014 from './014-oidc-storage.ts';
import * as m015 from './015-identity-providers.ts';
import * as m016 from './016-import-origins.ts';
import * as m017 from './017-saml-assertion-ids.ts';

export const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-email-templates': m002,
  '003-login-flows': m003,
  '004-signing-keys': m004,
  '005-account-disabled': m005,
  '006-audit-actor': m006,
  '007-rate-limits': m007,
  '008-sweeper-lease': m008,
  '009-totp-credentials': m009,
  '010-registry': m010,
  '011-user-store-definitions': m011,
  '012-totp-secret-in-store': m012,
  '014-oidc-storage': m014,
  '015-identity-providers': m015,
  '016-import-origins': m016,
  '017-saml-assertion-ids': m017,
};
