// The tenants' signing keys for every purpose (SAML, OIDC), in the database so every node of a cluster signs
// with the same key (WSO2 also keeps one key per tenant). The first key of a purpose is made on first use (RSA
// 2048, self-signed); a rotation adds a key that signs from then on, and the previous one stays published (SAML
// metadata, JWKS) until its grace period ends. Private keys are encrypted with the keyring, bound to their row.
// Loaded keys are cached briefly; the TTL bounds how long another node keeps signing with a key that was just
// rotated out (still published), and how long it keeps publishing a key whose grace period ended.
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { createSelfSigned } from '../crypto/certificates.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { AppError } from '../errors/app-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { Tenant } from '../tenants/tenant-service.ts';
import type { Clock } from '../time/clock.ts';
import { privateJwk, publicJwk, type JwkSet } from './jwks.ts';
import { DEFAULT_GRACE_MS, isPublished, signingKeyFromPem, type KeyInfo, type KeyPurpose, type KeyStatus, type SigningKey, type TenantKeys } from './signing-key.ts';

/**
 * Random per-tenant secrets kept beside the keys (same table, same encryption), apart from the keyring so
 * rotating the keyring never changes what they derive: 'saml-nameid' keys the persistent NameIDs.
 */
export type SecretPurpose = 'saml-nameid';

type KeyTenant = Pick<Tenant, 'id' | 'domain'>;
type Row = Selectable<Database['signing_keys']>;

/** The certificate's name, and the code a rotation racing another one answers (SAML's predates this service). */
const PURPOSES: Record<KeyPurpose, { label: string; conflict: ErrorCode }> = {
  saml: { label: 'SAML', conflict: 'SAML-40901' },
  oidc: { label: 'OIDC', conflict: 'KEY-40901' },
};

export interface KeyCacheOptions {
  ttlMs?: number;
  /** Tenant and purpose pairs whose keys (and, apart, secrets) are held. */
  max?: number;
}

export class KeyService {
  // One load per tenant and purpose at a time on this node (single flight), so a burst of first requests makes one key.
  private readonly cache: BoundedCache<string, TenantKeys>;
  // Secrets never change once made; the TTL only lets an idle tenant's secret leave memory.
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

  /** The tenant's keys of this purpose, creating the first one if there is none. */
  async keys(tenant: KeyTenant, purpose: KeyPurpose): Promise<TenantKeys> {
    return this.cache.get(`${tenant.id} ${purpose}`, () => this.load(tenant, purpose));
  }

  /** Changes whenever the published set changes (a rotation, a retired key leaving its grace period). */
  async keySetVersion(tenant: KeyTenant, purpose: KeyPurpose): Promise<string> {
    const { published } = await this.keys(tenant, purpose);
    return createHash('sha256').update(published.map((k) => k.id).join(' ')).digest('base64url').slice(0, 22);
  }

  /** The OIDC keys as oidc-provider's `jwks` takes them: the active key first, then those still in their grace period. */
  async privateJwks(tenant: KeyTenant): Promise<JwkSet> {
    return { keys: (await this.keys(tenant, 'oidc')).published.map(privateJwk) };
  }

  /** The same keys, public parts only: what /oauth2/jwks serves. */
  async publicJwks(tenant: KeyTenant): Promise<JwkSet> {
    return { keys: (await this.keys(tenant, 'oidc')).published.map(publicJwk) };
  }

  /** Makes a new key that signs from now on; the previous active key stays published for `graceMs`. */
  async rotate(tenant: KeyTenant, purpose: KeyPurpose, graceMs = DEFAULT_GRACE_MS): Promise<TenantKeys> {
    await this.keys(tenant, purpose); // the first key exists before there is anything to rotate
    const inserted = await this.insertKey(tenant, purpose, await this.nextGeneration(tenant.id, purpose));
    if (!inserted) throw new AppError(PURPOSES[purpose].conflict);
    return this.retireAllBut(tenant, purpose, inserted.id, graceMs);
  }

  /**
   * Makes a key pair from outside (WSO2's primary keystore, [keystore.primary]) the active key of this purpose,
   * unless it already is: service providers that trust that certificate keep verifying. Like a rotation, the
   * previous active key stays published for `graceMs`. Returns whether it changed anything (false on a restart,
   * or when another node adopted it first).
   */
  async adopt(tenant: KeyTenant, purpose: KeyPurpose, certificatePem: string, privateKeyPem: string, graceMs = DEFAULT_GRACE_MS): Promise<boolean> {
    const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
    const current = await this.read(tenant.id, purpose);
    if (current && fingerprint(current.active.certificatePem) === fingerprint(certificatePem)) return false;
    const inserted = await this.insertRow(tenant.id, purpose, await this.nextGeneration(tenant.id, purpose), certificatePem, privateKeyPem);
    if (!inserted) return false;
    await this.retireAllBut(tenant, purpose, inserted.id, graceMs);
    return true;
  }

  private async retireAllBut(tenant: KeyTenant, purpose: KeyPurpose, id: string, graceMs: number): Promise<TenantKeys> {
    const now = this.now();
    await this.db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: now, publish_until: now + graceMs })
      .where('tenant_id', '=', tenant.id)
      .where('purpose', '=', purpose)
      .where('status', '=', 'active')
      .where('id', '!=', id)
      .execute();
    this.cache.delete(`${tenant.id} ${purpose}`);
    return this.keys(tenant, purpose);
  }

  /** Every key of the tenant for this purpose (certificates and dates only), newest first; makes the first key if needed. */
  async list(tenant: KeyTenant, purpose: KeyPurpose): Promise<KeyInfo[]> {
    await this.keys(tenant, purpose);
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['id', 'generation', 'status', 'certificate', 'created_at', 'retired_at', 'publish_until'])
      .where('tenant_id', '=', tenant.id)
      .where('purpose', '=', purpose)
      .orderBy('generation', 'desc')
      .execute();
    const now = this.now();
    return rows.map((r) => ({
      id: r.id,
      generation: Number(r.generation),
      status: r.status as KeyStatus,
      published: isPublished(r, now),
      certificatePem: r.certificate,
      createdAt: Number(r.created_at),
      retiredAt: r.retired_at === null ? null : Number(r.retired_at),
      publishUntil: r.publish_until === null ? null : Number(r.publish_until),
    }));
  }

  /** The tenant's random secret for this purpose, made once (the unique generation decides a race between nodes). */
  async secret(tenantId: string, purpose: SecretPurpose): Promise<Buffer> {
    return this.secrets.get(`${tenantId} ${purpose}`, () => this.loadSecret(tenantId, purpose));
  }

  private async loadSecret(tenantId: string, purpose: SecretPurpose): Promise<Buffer> {
    const read = async () => this.db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).where('purpose', '=', purpose).where('generation', '=', 1).executeTakeFirst();
    let row = await read();
    if (!row) {
      await this.insertRow(tenantId, purpose, 1, '', randomBytes(32));
      row = await read();
    }
    return this.keyring.decrypt(row!.private_key, this.aad(tenantId, row!.id));
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

  private async load(tenant: KeyTenant, purpose: KeyPurpose): Promise<TenantKeys> {
    let keys = await this.read(tenant.id, purpose);
    if (!keys) {
      await this.insertKey(tenant, purpose, await this.nextGeneration(tenant.id, purpose));
      keys = await this.read(tenant.id, purpose);
    }
    if (!keys) throw new Error('no active signing key after creating one');
    return keys;
  }

  private async read(tenantId: string, purpose: KeyPurpose): Promise<TenantKeys | undefined> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).where('purpose', '=', purpose).orderBy('generation', 'desc').execute();
    const now = this.now();
    const active = rows.find((r) => r.status === 'active');
    if (!active) return undefined;
    // Besides the active key: keys published ahead of use, retired keys in their grace period, and an older
    // active key for the moment a rotation on another node has not yet retired it.
    const published = rows.filter((r) => r !== active && isPublished(r, now));
    const activeKey = this.toKey(active);
    return { active: activeKey, published: [activeKey, ...published.map((r) => this.toKey(r))] };
  }

  private async nextGeneration(tenantId: string, purpose: KeyPurpose): Promise<number> {
    const top = await this.db
      .selectFrom('signing_keys')
      .select((eb) => eb.fn.max('generation').as('generation'))
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return Number(top?.generation ?? 0) + 1;
  }

  /** Inserts a signing key of the given generation; undefined when another node inserted that generation first. */
  private async insertKey(tenant: KeyTenant, purpose: KeyPurpose, generation: number): Promise<{ id: string } | undefined> {
    const pair = await createSelfSigned({ commonName: `Portcullis ${PURPOSES[purpose].label} signing ${tenant.domain}`, days: 3650, now: new Date(this.now()) });
    return this.insertRow(tenant.id, purpose, generation, pair.certificatePem, pair.privateKeyPem);
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
        .values({ id, tenant_id: tenantId, purpose, generation, certificate, private_key: this.keyring.encrypt(secret, this.aad(tenantId, id)), status: 'active', created_at: this.now(), retired_at: null, publish_until: null })
        .execute();
      return { id };
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }
}
