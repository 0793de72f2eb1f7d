// The tenant's SAML signing keys, in the database so every node of a cluster signs with the same key (WSO2
// also keeps one key per tenant). The first key is made on first use (RSA 2048, self-signed); a rotation adds
// a key that signs from then on, and the previous one stays published in metadata until its grace period
// ends. Private keys are encrypted with the keyring, bound to their row. Loaded keys are cached briefly; the
// TTL bounds how long another node keeps signing with a key that was just rotated out (still published).
import { createPrivateKey, randomBytes, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { BoundedCache } from '../../cache/bounded-cache.ts';
import { createSelfSigned } from '../../crypto/certificates.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { AppError } from '../../errors/app-error.ts';
import { isUniqueViolation } from '../../storage/database.ts';
import type { Database } from '../../storage/schema.ts';
import type { Tenant } from '../../tenants/tenant-service.ts';
import type { Clock } from '../../time/clock.ts';

export const SAML_SIGNING = 'saml';
/** A random HMAC key for persistent NameIDs; kept apart from the keyring so rotating that key never changes them. */
const NAMEID_SECRET = 'saml-nameid';
export const DEFAULT_GRACE_MS = 14 * 86_400_000;

export type KeyStatus = 'active' | 'next' | 'retired';

export interface SigningKey {
  id: string;
  generation: number;
  status: KeyStatus;
  certificatePem: string;
  /** Base64 DER of the certificate, as metadata and KeyInfo carry it. */
  certificateBase64: string;
  privateKey: KeyObject;
  createdAt: number;
  retiredAt: number | null;
  publishUntil: number | null;
}

export interface TenantKeys {
  /** The key that signs. */
  active: SigningKey;
  /** Every key relying parties should accept: the active one first, then retired ones still in their grace period. */
  published: SigningKey[];
}

/** What the keys API shows: never the private key. */
export interface KeyInfo {
  id: string;
  generation: number;
  status: KeyStatus;
  published: boolean;
  certificatePem: string;
  createdAt: number;
  retiredAt: number | null;
  publishUntil: number | null;
}

/** A SigningKey from a PEM pair (also what unit tests sign with). */
export function signingKeyFromPem(certificatePem: string, privateKeyPem: string, meta: Partial<Pick<SigningKey, 'id' | 'generation' | 'status'>> = {}): SigningKey {
  return {
    id: meta.id ?? 'local',
    generation: meta.generation ?? 1,
    status: meta.status ?? 'active',
    certificatePem,
    certificateBase64: new X509Certificate(certificatePem).raw.toString('base64'),
    privateKey: createPrivateKey(privateKeyPem),
    createdAt: 0,
    retiredAt: null,
    publishUntil: null,
  };
}

type Row = Selectable<Database['signing_keys']>;

export interface KeyCacheOptions {
  ttlMs?: number;
  /** Tenants whose keys (and, apart, NameID secrets) are held. */
  max?: number;
}

export class SigningKeyStore {
  // One load per tenant at a time on this node (single flight), so a burst of first requests makes one key.
  private readonly cache: BoundedCache<string, TenantKeys>;
  // NameID secrets never change once made; the TTL only lets an idle tenant's secret leave memory.
  private readonly secrets: BoundedCache<string, Buffer>;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    clock: Clock,
    options: KeyCacheOptions = {},
  ) {
    this.now = () => clock.now();
    const max = options.max ?? 1000;
    this.cache = new BoundedCache({ ttlMs: options.ttlMs ?? 10_000, max, clock });
    this.secrets = new BoundedCache({ ttlMs: 3_600_000, max, clock });
  }

  private aad(tenantId: string, id: string): string {
    return `signing_keys:${tenantId}:${id}`;
  }

  private toKey(row: Row): SigningKey {
    const pem = this.keyring.decryptString(row.private_key, this.aad(row.tenant_id, row.id));
    return {
      ...signingKeyFromPem(row.certificate, pem, { id: row.id, generation: Number(row.generation), status: row.status as KeyStatus }),
      createdAt: Number(row.created_at),
      retiredAt: row.retired_at === null ? null : Number(row.retired_at),
      publishUntil: row.publish_until === null ? null : Number(row.publish_until),
    };
  }

  /** The tenant's keys, creating the first one if there is none. */
  async keys(tenant: Pick<Tenant, 'id' | 'domain'>): Promise<TenantKeys> {
    return this.cache.get(tenant.id, () => this.load(tenant));
  }

  private async load(tenant: Pick<Tenant, 'id' | 'domain'>): Promise<TenantKeys> {
    let keys = await this.read(tenant.id);
    if (!keys) {
      await this.insert(tenant, await this.nextGeneration(tenant.id));
      keys = await this.read(tenant.id);
    }
    if (!keys) throw new Error('no active signing key after creating one');
    return keys;
  }

  private async read(tenantId: string): Promise<TenantKeys | undefined> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).where('purpose', '=', SAML_SIGNING).orderBy('generation', 'desc').execute();
    const now = this.now();
    const active = rows.find((r) => r.status === 'active');
    if (!active) return undefined;
    // Besides the active key: keys published ahead of use, retired keys in their grace period, and an older
    // active key for the moment a rotation on another node has not yet retired it.
    const published = rows.filter((r) => r !== active && (r.status !== 'retired' || (r.publish_until !== null && Number(r.publish_until) > now)));
    const activeKey = this.toKey(active);
    return { active: activeKey, published: [activeKey, ...published.map((r) => this.toKey(r))] };
  }

  private async nextGeneration(tenantId: string): Promise<number> {
    const top = await this.db
      .selectFrom('signing_keys')
      .select((eb) => eb.fn.max('generation').as('generation'))
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', SAML_SIGNING)
      .executeTakeFirst();
    return Number(top?.generation ?? 0) + 1;
  }

  /**
   * Inserts one row of key material (private part encrypted, bound to the row); undefined when another node
   * inserted that (tenant, purpose, generation) first.
   */
  private async insertRow(tenantId: string, purpose: string, generation: number, certificate: string, secret: string | Buffer): Promise<{ id: string } | undefined> {
    const id = randomUUID();
    try {
      await this.db
        .insertInto('signing_keys')
        .values({
          id,
          tenant_id: tenantId,
          purpose,
          generation,
          certificate,
          private_key: this.keyring.encrypt(secret, this.aad(tenantId, id)),
          status: 'active',
          created_at: this.now(),
          retired_at: null,
          publish_until: null,
        })
        .execute();
      return { id };
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  /** Inserts a signing key of the given generation; undefined when another node inserted that generation first. */
  private async insert(tenant: Pick<Tenant, 'id' | 'domain'>, generation: number): Promise<{ id: string } | undefined> {
    const pair = await createSelfSigned({ commonName: `Portcullis SAML signing ${tenant.domain}`, days: 3650, now: new Date(this.now()) });
    return this.insertRow(tenant.id, SAML_SIGNING, generation, pair.certificatePem, pair.privateKeyPem);
  }

  /** Makes a new key that signs from now on; the previous active key stays published for `graceMs`. */
  async rotate(tenant: Pick<Tenant, 'id' | 'domain'>, graceMs = DEFAULT_GRACE_MS): Promise<TenantKeys> {
    await this.keys(tenant); // the first key exists before there is anything to rotate
    const inserted = await this.insert(tenant, await this.nextGeneration(tenant.id));
    if (!inserted) throw new AppError('SAML-40901');
    const now = this.now();
    await this.db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: now, publish_until: now + graceMs })
      .where('tenant_id', '=', tenant.id)
      .where('purpose', '=', SAML_SIGNING)
      .where('status', '=', 'active')
      .where('id', '!=', inserted.id)
      .execute();
    this.cache.delete(tenant.id);
    return this.keys(tenant);
  }

  /** Every signing key of the tenant (certificates and dates only), newest first; makes the first key if needed. */
  async list(tenant: Pick<Tenant, 'id' | 'domain'>): Promise<KeyInfo[]> {
    await this.keys(tenant);
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['id', 'generation', 'status', 'certificate', 'created_at', 'retired_at', 'publish_until'])
      .where('tenant_id', '=', tenant.id)
      .where('purpose', '=', SAML_SIGNING)
      .orderBy('generation', 'desc')
      .execute();
    const now = this.now();
    return rows.map((r) => ({
      id: r.id,
      generation: Number(r.generation),
      status: r.status as KeyStatus,
      published: r.status !== 'retired' || (r.publish_until !== null && Number(r.publish_until) > now),
      certificatePem: r.certificate,
      createdAt: Number(r.created_at),
      retiredAt: r.retired_at === null ? null : Number(r.retired_at),
      publishUntil: r.publish_until === null ? null : Number(r.publish_until),
    }));
  }

  /** The tenant's secret for persistent NameIDs, made once (the unique generation decides a race). */
  async nameIdSecret(tenantId: string): Promise<Buffer> {
    return this.secrets.get(tenantId, () => this.loadNameIdSecret(tenantId));
  }

  private async loadNameIdSecret(tenantId: string): Promise<Buffer> {
    const read = async () =>
      this.db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).where('purpose', '=', NAMEID_SECRET).where('generation', '=', 1).executeTakeFirst();
    let row = await read();
    if (!row) {
      await this.insertRow(tenantId, NAMEID_SECRET, 1, '', randomBytes(32));
      row = await read();
    }
    return this.keyring.decrypt(row!.private_key, this.aad(tenantId, row!.id));
  }
}
