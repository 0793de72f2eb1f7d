// Identity providers, one row each (migration 015). Settings are JSON; the secrets (an OIDC client secret) one
// AES-256-GCM ciphertext from the server keyring, bound to the row's id and tenant, so a value copied to
// another row or tenant does not decrypt. Secrets leave this file only towards the upstream provider.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, IdentityProvidersTable } from '../storage/schema.ts';
import type { IdentityProvider, IdpSecrets, IdpSettings, IdpType } from './identity-provider.ts';

/** The keyring's two calls this needs (Keyring.encrypt / decryptString). */
export interface SecretBox {
  encrypt(plaintext: string, associatedData: string): string;
  decryptString(ciphertext: string, associatedData: string): string;
}

export type NewProvider = Pick<IdentityProvider, 'tenantId' | 'name' | 'type' | 'description' | 'enabled' | 'settings' | 'secrets'>;

const boundTo = (tenantId: string, id: string) => `identity_providers:${tenantId}:${id}`;

export class IdpStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async list(tenantId: string): Promise<IdentityProvider[]> {
    const rows = await this.db.selectFrom('identity_providers').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
    return rows.map((r) => this.fromRow(r));
  }

  async get(tenantId: string, id: string): Promise<IdentityProvider | undefined> {
    const row = await this.db.selectFrom('identity_providers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row && this.fromRow(row);
  }

  async byName(tenantId: string, name: string): Promise<IdentityProvider | undefined> {
    const row = await this.db.selectFrom('identity_providers').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
    return row && this.fromRow(row);
  }

  /** Adds a provider; undefined when the tenant already has one with this name (the unique key decides). */
  async insert(input: NewProvider, now: number): Promise<IdentityProvider | undefined> {
    const id = randomUUID();
    const row: IdentityProvidersTable = {
      id,
      tenant_id: input.tenantId,
      name: input.name,
      type: input.type,
      description: input.description,
      enabled: input.enabled ? 1 : 0,
      settings: JSON.stringify(input.settings),
      secrets: this.seal(input.tenantId, id, input.secrets),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('identity_providers').values(row).execute();
    } catch (err) {
      if (await this.byName(input.tenantId, input.name)) return undefined;
      throw err;
    }
    return this.fromRow(row);
  }

  /** Replaces a provider's fields; false when the row is gone or the new name is taken. */
  async update(current: IdentityProvider, next: NewProvider, now: number): Promise<boolean> {
    try {
      const result = await this.db
        .updateTable('identity_providers')
        .set({ name: next.name, description: next.description, enabled: next.enabled ? 1 : 0, settings: JSON.stringify(next.settings), secrets: this.seal(current.tenantId, current.id, next.secrets), updated_at: now })
        .where('id', '=', current.id)
        .where('tenant_id', '=', current.tenantId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    } catch (err) {
      const other = await this.byName(current.tenantId, next.name);
      if (other && other.id !== current.id) return false;
      throw err;
    }
  }

  /** Removes the provider and every account linked through it. */
  async delete(idp: IdentityProvider): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('federated_associations').where('tenant_id', '=', idp.tenantId).where('idp_id', '=', idp.id).execute();
      const result = await trx.deleteFrom('identity_providers').where('id', '=', idp.id).where('tenant_id', '=', idp.tenantId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    });
  }

  private seal(tenantId: string, id: string, secrets: IdpSecrets): string {
    return this.box.encrypt(JSON.stringify(secrets), boundTo(tenantId, id));
  }

  private fromRow(r: IdentityProvidersTable): IdentityProvider {
    return {
      id: r.id,
      tenantId: r.tenant_id,
      name: r.name,
      type: r.type as IdpType,
      description: r.description,
      enabled: Number(r.enabled) === 1,
      settings: JSON.parse(r.settings) as IdpSettings,
      secrets: JSON.parse(this.box.decryptString(r.secrets, boundTo(r.tenant_id, r.id))) as IdpSecrets,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }
}
