// The rows of the tenant registry (storage: registry_resources). Paths arrive normalised (registry-path.ts);
// every query names the tenant, so one tenant's registry is invisible to another. Parent collections are
// created as needed, one row at a time and tolerant of a concurrent writer creating the same one (no
// dialect-specific upsert: the same code runs on SQLite, PostgreSQL and MySQL).
import type { Kysely } from 'kysely';
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../../storage/schema.ts';
import { ancestorsOf, parentOf, ROOT } from './registry-path.ts';

export type EntryKind = 'collection' | 'resource';

export interface RegistryEntry {
  path: string;
  kind: EntryKind;
  mediaType: string | null;
  size: number;
  properties: Record<string, string>;
  createdAt: number | null;
  updatedAt: number | null;
}

export interface RegistryResource extends RegistryEntry {
  content: Buffer;
}

type Row = Omit<Database['registry_resources'], 'content'>;

function entryOf(row: Row): RegistryEntry {
  return {
    path: row.path,
    kind: row.kind,
    mediaType: row.media_type,
    size: Number(row.size),
    properties: JSON.parse(row.properties) as Record<string, string>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const COLUMNS = ['path', 'parent_path', 'kind', 'media_type', 'size', 'properties', 'created_at', 'updated_at', 'tenant_id'] as const;

export class RegistryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async entry(tenantId: string, path: string): Promise<RegistryEntry | undefined> {
    if (path === ROOT) return { path: ROOT, kind: 'collection', mediaType: null, size: 0, properties: {}, createdAt: null, updatedAt: null };
    const row = await this.db.selectFrom('registry_resources').select(COLUMNS).where('tenant_id', '=', tenantId).where('path', '=', path).executeTakeFirst();
    return row ? entryOf(row) : undefined;
  }

  async resource(tenantId: string, path: string): Promise<RegistryResource | undefined> {
    const row = await this.db.selectFrom('registry_resources').selectAll().where('tenant_id', '=', tenantId).where('path', '=', path).where('kind', '=', 'resource').executeTakeFirst();
    return row ? { ...entryOf(row), content: Buffer.from(row.content ?? Buffer.alloc(0)) } : undefined;
  }

  async children(tenantId: string, path: string, limit: number): Promise<RegistryEntry[]> {
    const rows = await this.db.selectFrom('registry_resources').select(COLUMNS).where('tenant_id', '=', tenantId).where('parent_path', '=', path).orderBy('path').limit(limit).execute();
    return rows.map(entryOf);
  }

  async hasChildren(tenantId: string, path: string): Promise<boolean> {
    return (await this.children(tenantId, path, 1)).length > 0;
  }

  /** Creates `path` and every collection above it that is missing; refuses (409) if one of them is a resource. */
  async ensureCollection(tenantId: string, path: string, now: number): Promise<boolean> {
    let created = false;
    for (const p of [...ancestorsOf(path), ...(path === ROOT ? [] : [path])]) created = (await this.createCollection(tenantId, p, now)) || created;
    return created;
  }

  private async createCollection(tenantId: string, path: string, now: number): Promise<boolean> {
    const existing = await this.entry(tenantId, path);
    if (existing?.kind === 'resource') throw new AppError('PCS-40900', { description: `${path} is a resource, not a collection.` });
    if (existing) return false;
    try {
      await this.db.insertInto('registry_resources').values({ tenant_id: tenantId, path, parent_path: parentOf(path)!, kind: 'collection', content: null, media_type: null, size: 0, properties: '{}', created_at: now, updated_at: now }).execute();
      return true;
    } catch (err) {
      // Another writer created it meanwhile: fine if it is a collection.
      const now2 = await this.entry(tenantId, path);
      if (now2?.kind === 'collection') return false;
      throw err;
    }
  }

  /** Adds or replaces the resource at `path`; 'created' or 'replaced'. The caller checked the path is not a collection. */
  async putResource(tenantId: string, path: string, content: Buffer, mediaType: string, now: number): Promise<'created' | 'replaced'> {
    await this.ensureCollection(tenantId, parentOf(path)!, now);
    const existing = await this.entry(tenantId, path);
    if (existing?.kind === 'collection') throw new AppError('PCS-40900', { description: `${path} is a collection; a resource cannot replace it.` });
    const values = { content, media_type: mediaType, size: content.length, updated_at: now };
    if (existing) {
      await this.db.updateTable('registry_resources').set(values).where('tenant_id', '=', tenantId).where('path', '=', path).execute();
      return 'replaced';
    }
    await this.db.insertInto('registry_resources').values({ ...values, tenant_id: tenantId, path, parent_path: parentOf(path)!, kind: 'resource', properties: '{}', created_at: now }).execute();
    return 'created';
  }

  async setProperties(tenantId: string, path: string, properties: Record<string, string>, now: number): Promise<void> {
    await this.db.updateTable('registry_resources').set({ properties: JSON.stringify(properties), updated_at: now }).where('tenant_id', '=', tenantId).where('path', '=', path).execute();
  }

  /** Removes one row; the caller checked that a collection is empty. */
  async remove(tenantId: string, path: string): Promise<boolean> {
    const result = await this.db.deleteFrom('registry_resources').where('tenant_id', '=', tenantId).where('path', '=', path).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
