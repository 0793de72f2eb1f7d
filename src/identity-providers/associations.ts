// Upstream accounts linked to local users (WSO2's IDN_ASSOCIATED_ID): one upstream account (provider, subject)
// links to at most one local user of the tenant; the unique key decides when two requests race.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export interface Association {
  id: string;
  tenantId: string;
  idpId: string;
  /** The upstream subject. */
  idpUserId: string;
  userId: string;
  createdAt: number;
}

export class AssociationStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The local user id linked to this upstream account, if any. */
  async localUserOf(tenantId: string, idpId: string, idpUserId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('federated_associations').select('user_id').where('tenant_id', '=', tenantId).where('idp_id', '=', idpId).where('idp_user_id', '=', idpUserId).executeTakeFirst();
    return row?.user_id;
  }

  async ofUser(tenantId: string, userId: string): Promise<Association[]> {
    const rows = await this.db.selectFrom('federated_associations').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, idpId: r.idp_id, idpUserId: r.idp_user_id, userId: r.user_id, createdAt: Number(r.created_at) }));
  }

  /** Links the account; false when this upstream account is already linked (to anyone). */
  async link(tenantId: string, idpId: string, idpUserId: string, userId: string, now: number): Promise<Association | undefined> {
    const row = { id: randomUUID(), tenant_id: tenantId, idp_id: idpId, idp_user_id: idpUserId, user_id: userId, created_at: now };
    try {
      await this.db.insertInto('federated_associations').values(row).execute();
    } catch (err) {
      if (await this.localUserOf(tenantId, idpId, idpUserId)) return undefined;
      throw err;
    }
    return { id: row.id, tenantId, idpId, idpUserId, userId, createdAt: now };
  }

  /** Removes one of the user's links; false when the user has no such link. */
  async unlink(tenantId: string, userId: string, associationId: string): Promise<Association | undefined> {
    const found = (await this.ofUser(tenantId, userId)).find((a) => a.id === associationId);
    if (!found) return undefined;
    await this.db.deleteFrom('federated_associations').where('tenant_id', '=', tenantId).where('id', '=', associationId).where('user_id', '=', userId).execute();
    return found;
  }

  /** Removes the link of an upstream account (its local user is gone). */
  async removeSubject(tenantId: string, idpId: string, idpUserId: string): Promise<void> {
    await this.db.deleteFrom('federated_associations').where('tenant_id', '=', tenantId).where('idp_id', '=', idpId).where('idp_user_id', '=', idpUserId).execute();
  }

  /** Removes all links of a user (the user was deleted). */
  async removeUser(tenantId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('federated_associations').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  }
}
