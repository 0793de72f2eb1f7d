// Secondary user stores a tenant admin added at run time, one row each (migration 011). Settings are kept as
// JSON; the secret ones (a JDBC url and password, an LDAP bind password) as one AES-256-GCM ciphertext from the
// server keyring, bound to the row's id and tenant so a value copied to another row or tenant does not decrypt.
// `version` grows with each change: the fingerprint of a tenant's (id, version) pairs tells each node, cheaply,
// whether the stores it runs are still the ones defined.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Secrets, Settings, StoreType } from './store-properties.ts';

export interface StoreDefinition {
  id: string;
  tenantId: string;
  /** Upper-case store domain, e.g. LDAP; users sign in as LDAP/name. */
  domain: string;
  type: StoreType;
  description: string;
  settings: Settings;
  secrets: Secrets;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type NewDefinition = Pick<StoreDefinition, 'tenantId' | 'domain' | 'type' | 'description' | 'settings' | 'secrets'>;

/** The keyring's two calls this needs (Keyring.encrypt / decryptString). */
export interface SecretBox {
  encrypt(plaintext: string, associatedData: string): string;
  decryptString(ciphertext: string, associatedData: string): string;
}

const boundTo = (tenantId: string, id: string) => `user_store_definitions:${tenantId}:${id}`;

export class StoreDefinitionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  /** The tenant's definitions in the order they were added (lookup order). */
  async list(tenantId: string): Promise<StoreDefinition[]> {
    const rows = await this.db.selectFrom('user_store_definitions').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.fromRow(r));
  }

  async find(tenantId: string, domain: string): Promise<StoreDefinition | undefined> {
    const row = await this.db.selectFrom('user_store_definitions').selectAll().where('tenant_id', '=', tenantId).where('domain', '=', domain.toUpperCase()).executeTakeFirst();
    return row && this.fromRow(row);
  }

  /** "id:version,..." of the tenant's definitions: changes whenever one is added, changed or removed. */
  async fingerprint(tenantId: string): Promise<string> {
    const rows = await this.db.selectFrom('user_store_definitions').select(['id', 'version']).where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => `${r.id}:${r.version}`).join(',');
  }

  /** Adds a definition; false when the tenant already has one with this domain (the unique key decides, on every node). */
  async insert(input: NewDefinition, now: number): Promise<StoreDefinition | undefined> {
    const id = randomUUID();
    const row = { id, tenant_id: input.tenantId, domain: input.domain, type: input.type, description: input.description, settings: JSON.stringify(input.settings), secrets: this.seal(input.tenantId, id, input.secrets), version: 1, created_at: now, updated_at: now };
    try {
      await this.db.insertInto('user_store_definitions').values(row).execute();
    } catch (err) {
      if (await this.find(input.tenantId, input.domain)) return undefined;
      throw err;
    }
    return this.fromRow(row);
  }

  /** Replaces settings if the row is still at `current.version`; undefined when another change came first. */
  async update(current: StoreDefinition, next: Pick<StoreDefinition, 'description' | 'settings' | 'secrets'>, now: number): Promise<StoreDefinition | undefined> {
    const result = await this.db
      .updateTable('user_store_definitions')
      .set({ description: next.description, settings: JSON.stringify(next.settings), secrets: this.seal(current.tenantId, current.id, next.secrets), version: current.version + 1, updated_at: now })
      .where('id', '=', current.id)
      .where('tenant_id', '=', current.tenantId)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return { ...current, ...next, version: current.version + 1, updatedAt: now };
  }

  async delete(def: StoreDefinition): Promise<boolean> {
    const result = await this.db.deleteFrom('user_store_definitions').where('id', '=', def.id).where('tenant_id', '=', def.tenantId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  private seal(tenantId: string, id: string, secrets: Secrets): string {
    return this.box.encrypt(JSON.stringify(secrets), boundTo(tenantId, id));
  }

  private fromRow(r: Database['user_store_definitions']): StoreDefinition {
    return {
      id: r.id,
      tenantId: r.tenant_id,
      domain: r.domain,
      type: r.type as StoreType,
      description: r.description,
      settings: JSON.parse(r.settings) as Settings,
      secrets: JSON.parse(this.box.decryptString(r.secrets, boundTo(r.tenant_id, r.id))) as Secrets,
      version: Number(r.version),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }
}
