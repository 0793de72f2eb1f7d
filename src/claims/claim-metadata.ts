// Local claim definitions per tenant: display name, description, flags and the attribute each user store
// maps the claim to. Every tenant is seeded with the default dialect; admins add their own claims.
import type { Kysely } from 'kysely';
import { BoundedCache } from '../cache/bounded-cache.ts';
import { AppError } from '../errors/app-error.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../time/clock.ts';
import { PRIMARY_DOMAIN } from '../users/qualified-name.ts';
import { checkClaimPattern } from './claim-pattern.ts';
import { isSecretAttribute, isSecretClaim } from './claim-read-policy.ts';
import { DEFAULT_LOCAL_CLAIMS, LOCAL_DIALECT } from './local-claims.ts';
import { secretAttributeClash } from './secret-attribute-clash.ts';

export interface AttributeMapping {
  userstore: string;
  mappedAttribute: string;
}

export interface LocalClaim {
  uri: string;
  displayName: string;
  description: string;
  displayOrder: number;
  supportedByDefault: boolean;
  readOnly: boolean;
  hidden: boolean;
  required: boolean;
  regex: string | null;
  attributeMappings: AttributeMapping[];
}

export type LocalClaimInput = Omit<LocalClaim, 'displayOrder' | 'supportedByDefault' | 'readOnly' | 'hidden' | 'required' | 'regex'> &
  Partial<Pick<LocalClaim, 'displayOrder' | 'supportedByDefault' | 'readOnly' | 'hidden' | 'required' | 'regex'>>;

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const CLAIM_URI = new RegExp(`^${LOCAL_DIALECT.replace(/[.]/g, '\\.')}/[A-Za-z0-9._~/-]{1,200}$`);

/** WSO2's claim id: the claim URI in unpadded base64url. */
export function claimId(uri: string): string {
  return Buffer.from(uri, 'utf8').toString('base64url');
}

export function claimUriFromId(id: string): string {
  return Buffer.from(id, 'base64url').toString('utf8');
}

function validate(claim: LocalClaimInput): void {
  const problem = (description: string) => new AppError('CLM-40001', { description });
  if (!CLAIM_URI.test(claim.uri)) throw problem(`A local claim URI starts with ${LOCAL_DIALECT}/ and uses URI characters only.`);
  if (!claim.displayName.trim() || claim.displayName.length > 255) throw problem('The display name is required (at most 255 characters).');
  if (claim.description.length > 1024) throw problem('The description has at most 1024 characters.');
  if (claim.attributeMappings.length === 0) throw problem('At least one attribute mapping is required.');
  for (const m of claim.attributeMappings) {
    if (!ATTRIBUTE.test(m.mappedAttribute)) throw problem(`"${m.mappedAttribute}" is not a valid attribute name.`);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(m.userstore)) throw problem('A user store domain name is required in each mapping.');
    // Another claim on a secret's attribute would read the secret under a name the read policy releases.
    if (isSecretAttribute(m.mappedAttribute) && !isSecretClaim(claim.uri)) throw problem(`"${m.mappedAttribute}" holds a TOTP secret; only its own claim may map to it.`);
  }
  if (claim.regex) checkClaimPattern(claim.regex);
}

export interface ClaimCacheOptions {
  ttlMs?: number;
  /** Tenants whose claim list is held. */
  max?: number;
}

export class ClaimMetadataStore {
  // Every claim read consults the tenant's claim list; edits here clear it at once, other nodes within the TTL.
  private readonly cache: BoundedCache<string, LocalClaim[]>;

  constructor(
    private readonly db: Kysely<Database>,
    clock: Clock,
    options: ClaimCacheOptions = {},
  ) {
    this.cache = new BoundedCache({ ttlMs: options.ttlMs ?? 5000, max: options.max ?? 1000, clock });
  }

  async seedDefaults(tenantId: string): Promise<void> {
    const existing = await this.db.selectFrom('claims').select('uri').where('tenant_id', '=', tenantId).execute();
    const have = new Set(existing.map((r) => r.uri));
    for (const def of DEFAULT_LOCAL_CLAIMS) {
      if (have.has(def.uri)) continue;
      try {
        await this.add(tenantId, { ...def, regex: def.regex ?? null, attributeMappings: [{ userstore: PRIMARY_DOMAIN, mappedAttribute: def.attribute }] });
      } catch (err) {
        // Another node seeding the same tenant at the same moment added it first.
        if (!(err instanceof AppError && err.code === 'CLM-40901')) throw err;
      }
    }
  }

  async list(tenantId: string): Promise<LocalClaim[]> {
    return this.cache.get(tenantId, () => this.load(tenantId));
  }

  private async load(tenantId: string): Promise<LocalClaim[]> {
    const rows = await this.db.selectFrom('claims').selectAll().where('tenant_id', '=', tenantId).orderBy('display_order').orderBy('uri').execute();
    const maps = await this.db.selectFrom('claim_mappings').selectAll().where('tenant_id', '=', tenantId).execute();
    return rows.map((r) => ({
      uri: r.uri,
      displayName: r.display_name,
      description: r.description,
      displayOrder: Number(r.display_order),
      supportedByDefault: Number(r.supported_by_default) === 1,
      readOnly: Number(r.read_only) === 1,
      hidden: Number(r.hidden) === 1,
      required: Number(r.required) === 1,
      regex: r.regex,
      attributeMappings: maps
        .filter((m) => m.claim_uri === r.uri)
        .map((m) => ({ userstore: m.store_domain, mappedAttribute: m.attribute }))
        .sort((a, b) => a.userstore.localeCompare(b.userstore)),
    }));
  }

  async get(tenantId: string, uri: string): Promise<LocalClaim | undefined> {
    return (await this.list(tenantId)).find((c) => c.uri === uri);
  }

  /** The attribute a claim is stored under in a user store (PRIMARY's mapping when the store has none). */
  attributeFor(claim: { readonly attributeMappings: readonly AttributeMapping[] }, storeDomain: string): string {
    const own = claim.attributeMappings.find((m) => m.userstore.toUpperCase() === storeDomain);
    return (own ?? claim.attributeMappings.find((m) => m.userstore.toUpperCase() === PRIMARY_DOMAIN) ?? claim.attributeMappings[0]!).mappedAttribute;
  }

  /** Refuses a claim list where an ordinary claim shares a TOTP secret's attribute in some store. */
  private async checkSecretAttributes(tenantId: string, claim: LocalClaim): Promise<void> {
    const next = [...(await this.list(tenantId)).filter((c) => c.uri !== claim.uri), claim];
    const clash = secretAttributeClash(next, (c, domain) => this.attributeFor(c, domain), claim.uri);
    if (clash) throw new AppError('CLM-40001', { description: clash });
  }

  async add(tenantId: string, input: LocalClaimInput): Promise<LocalClaim> {
    validate(input);
    const claim = normalise(input);
    await this.checkSecretAttributes(tenantId, claim);
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('claims').values(toRow(tenantId, claim)).execute();
        await trx.insertInto('claim_mappings').values(mappingRows(tenantId, claim)).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CLM-40901');
      throw err;
    }
    this.cache.delete(tenantId);
    return claim;
  }

  async update(tenantId: string, uri: string, input: LocalClaimInput): Promise<LocalClaim> {
    if (input.uri !== uri) throw new AppError('CLM-40001', { description: 'The claim URI cannot be changed.' });
    if (!(await this.get(tenantId, uri))) throw new AppError('CLM-40401');
    validate(input);
    const claim = normalise(input);
    await this.checkSecretAttributes(tenantId, claim);
    await this.db.transaction().execute(async (trx) => {
      const { tenant_id: _t, uri: _u, ...rest } = toRow(tenantId, claim);
      await trx.updateTable('claims').set(rest).where('tenant_id', '=', tenantId).where('uri', '=', uri).execute();
      await trx.deleteFrom('claim_mappings').where('tenant_id', '=', tenantId).where('claim_uri', '=', uri).execute();
      await trx.insertInto('claim_mappings').values(mappingRows(tenantId, claim)).execute();
    });
    this.cache.delete(tenantId);
    return claim;
  }

  async remove(tenantId: string, uri: string): Promise<void> {
    if (DEFAULT_LOCAL_CLAIMS.some((c) => c.uri === uri)) {
      throw new AppError('CLM-40002', { description: 'Claims of the default dialect cannot be deleted; the server relies on them.' });
    }
    if (!(await this.get(tenantId, uri))) throw new AppError('CLM-40401');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('claim_mappings').where('tenant_id', '=', tenantId).where('claim_uri', '=', uri).execute();
      await trx.deleteFrom('claims').where('tenant_id', '=', tenantId).where('uri', '=', uri).execute();
    });
    this.cache.delete(tenantId);
  }
}

function normalise(input: LocalClaimInput): LocalClaim {
  const seen = new Set<string>();
  const attributeMappings = input.attributeMappings
    .map((m) => ({ userstore: m.userstore.toUpperCase(), mappedAttribute: m.mappedAttribute }))
    .filter((m) => !seen.has(m.userstore) && seen.add(m.userstore));
  return {
    uri: input.uri,
    displayName: input.displayName.trim(),
    description: input.description,
    displayOrder: input.displayOrder ?? 0,
    supportedByDefault: input.supportedByDefault ?? false,
    readOnly: input.readOnly ?? false,
    hidden: input.hidden ?? false,
    required: input.required ?? false,
    regex: input.regex || null,
    attributeMappings,
  };
}

function toRow(tenantId: string, c: LocalClaim): Database['claims'] {
  return {
    tenant_id: tenantId,
    uri: c.uri,
    display_name: c.displayName,
    description: c.description,
    display_order: c.displayOrder,
    supported_by_default: c.supportedByDefault ? 1 : 0,
    read_only: c.readOnly ? 1 : 0,
    hidden: c.hidden ? 1 : 0,
    required: c.required ? 1 : 0,
    regex: c.regex,
  };
}

function mappingRows(tenantId: string, c: LocalClaim): Database['claim_mappings'][] {
  return c.attributeMappings.map((m) => ({ tenant_id: tenantId, claim_uri: c.uri, store_domain: m.userstore, attribute: m.mappedAttribute }));
}
