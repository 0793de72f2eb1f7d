// Replay of upstream SAML assertions (SAML profiles 4.1.4.5): an Assertion ID is accepted once per tenant and
// provider, and remembered until the assertion's NotOnOrAfter (plus the clock skew allowed when checking it),
// in the database (migration 017) so two nodes cannot both accept it. One INSERT decides: its unique key is
// the check, so two concurrent posts of the same Response cannot both pass.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../storage/database.ts';
import { deleteDueBatch } from '../storage/purge.ts';
import type { Database } from '../storage/schema.ts';

export class AssertionIdStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** True the first time this Assertion ID is seen (and remembers it until `expiresAt`); false for a replay. */
  async firstUse(tenantId: string, idpId: string, assertionId: string, expiresAt: number): Promise<boolean> {
    const id = createHash('sha256').update(`${tenantId}\n${idpId}\n${assertionId}`).digest('hex');
    try {
      await this.db.insertInto('saml_assertion_ids').values({ id, expires_at: expiresAt }).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** One bounded batch of IDs past their expiry (the sweeper). */
  purgeExpired(now: number, limit: number): Promise<number> {
    return deleteDueBatch(this.db, { table: 'saml_assertion_ids', key: 'id', time: 'expires_at' }, now, limit);
  }
}
