// The tenant registry (WSO2's /_system/governance/...): collections and resources per tenant, with views
// (registry-view.ts) mounted at fixed paths for settings kept elsewhere. Every change is audited
// (registry.updated / registry.deleted, the path as the reason) with the admin as its actor. A collection is
// deleted only when empty (WSO2 deletes recursively; refusing is safer for a view such as the TOTP settings).
import type { AuditEventName, AuditLog } from '../../audit/audit-log.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Clock } from '../../time/clock.ts';
import type { AdminRequest } from '../../users/user-admin.ts';
import type { Tenant } from '../tenant-service.ts';
import { isInside, join, normalisePath, ROOT } from './registry-path.ts';
import type { RegistryEntry, RegistryStore } from './registry-store.ts';
import type { RegistryView } from './registry-view.ts';

export const MAX_CONTENT_BYTES = 1024 * 1024;
export const MAX_LISTED_CHILDREN = 1000;
export const MAX_PROPERTIES = 50;
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';

export type RegistryRead = { kind: 'resource'; entry: RegistryEntry; content: Buffer } | { kind: 'collection'; entry: RegistryEntry; children: RegistryEntry[] };

const notFound = (path: string) => new AppError('PCS-40400', { description: `Nothing in the registry at ${path}.` });

export class RegistryService {
  private readonly store: RegistryStore;

  constructor(
    private readonly deps: { store: RegistryStore; audit: AuditLog; clock: Clock; views: RegistryView[] },
  ) {
    this.store = deps.store;
  }

  /** The normalised path, or a 400 naming the problem. */
  path(raw: string): string {
    return normalisePath(raw);
  }

  async read(tenant: Tenant, raw: string): Promise<RegistryRead> {
    const path = normalisePath(raw);
    const view = this.viewAt(path);
    if (view) {
      const content = await view.read(tenant);
      if (!content) throw notFound(path);
      return { kind: 'resource', entry: viewEntry(view, content), content };
    }
    const entry = (await this.store.entry(tenant.id, path)) ?? (await this.impliedCollection(tenant, path));
    if (!entry) throw notFound(path);
    if (entry.kind === 'resource') {
      const resource = await this.store.resource(tenant.id, path);
      if (!resource) throw notFound(path);
      const { content, ...meta } = resource;
      return { kind: 'resource', entry: meta, content };
    }
    return { kind: 'collection', entry, children: await this.children(tenant, path) };
  }

  /** Adds or replaces a resource, creating the collections above it. */
  async put(req: AdminRequest, raw: string, content: Buffer, mediaType: string | undefined): Promise<{ status: 'created' | 'replaced'; entry: RegistryEntry }> {
    const path = normalisePath(raw);
    if (path === ROOT) throw new AppError('PCS-40900', { description: 'The root is a collection; a resource needs a name.' });
    if (content.length > MAX_CONTENT_BYTES) throw new AppError('PCS-41300', { description: `A registry resource holds at most ${MAX_CONTENT_BYTES} bytes.` });
    this.refuseUnderView(path);
    const view = this.viewAt(path);
    let status: 'created' | 'replaced';
    let entry: RegistryEntry;
    if (view) {
      const existed = (await view.read(req.tenant)) !== undefined;
      await view.write(req.tenant, content);
      status = existed ? 'replaced' : 'created';
      entry = viewEntry(view, content);
    } else {
      if (this.views().some((v) => isInside(v.path, path))) throw new AppError('PCS-40900', { description: `${path} is a collection; a resource cannot replace it.` });
      status = await this.store.putResource(req.tenant.id, path, content, checkMediaType(mediaType), this.deps.clock.now());
      entry = (await this.store.entry(req.tenant.id, path))!;
    }
    await this.audit(req, 'registry.updated', path);
    return { status, entry };
  }

  /** Creates an (empty) collection and those above it; true when it did not exist. */
  async createCollection(req: AdminRequest, raw: string): Promise<boolean> {
    const path = normalisePath(raw);
    this.refuseUnderView(path);
    if (this.viewAt(path)) throw new AppError('PCS-40900', { description: `${path} is a resource, not a collection.` });
    const created = await this.store.ensureCollection(req.tenant.id, path, this.deps.clock.now());
    if (created) await this.audit(req, 'registry.updated', path);
    return created;
  }

  async setProperties(req: AdminRequest, raw: string, properties: Record<string, string>): Promise<RegistryEntry> {
    const path = normalisePath(raw);
    if (Object.keys(properties).length > MAX_PROPERTIES) throw new AppError('PCS-40001', { description: `At most ${MAX_PROPERTIES} properties.` });
    if (this.viewAt(path)) throw new AppError('PCS-40900', { description: `${path} is a view of a setting and has no properties of its own.` });
    if (path === ROOT || !(await this.store.entry(req.tenant.id, path))) throw notFound(path);
    await this.store.setProperties(req.tenant.id, path, properties, this.deps.clock.now());
    await this.audit(req, 'registry.updated', path);
    return (await this.store.entry(req.tenant.id, path))!;
  }

  /** Removes a resource, or a collection that is empty (409 otherwise). */
  async remove(req: AdminRequest, raw: string): Promise<void> {
    const path = normalisePath(raw);
    if (path === ROOT) throw new AppError('PCS-40900', { description: 'The root collection cannot be deleted.' });
    const view = this.viewAt(path);
    if (view) {
      if (!(await view.remove(req.tenant))) throw notFound(path);
    } else {
      const entry = (await this.store.entry(req.tenant.id, path)) ?? (await this.impliedCollection(req.tenant, path));
      if (!entry) throw notFound(path);
      if (entry.kind === 'collection' && (await this.children(req.tenant, path)).length > 0) {
        throw new AppError('PCS-40900', { description: `The collection ${path} is not empty; delete what it holds first.` });
      }
      if (!(await this.store.remove(req.tenant.id, path))) throw notFound(path);
    }
    await this.audit(req, 'registry.deleted', path);
  }

  /** The stored children of a collection, with the views that exist inside it (as a resource or as the collection leading to one). */
  private async children(tenant: Tenant, path: string): Promise<RegistryEntry[]> {
    const stored = await this.store.children(tenant.id, path, MAX_LISTED_CHILDREN);
    const byPath = new Map(stored.map((e) => [e.path, e]));
    for (const view of this.views()) {
      if (!isInside(view.path, path)) continue;
      const content = await view.read(tenant);
      if (!content) continue;
      const rest = view.path.slice(path === ROOT ? 1 : path.length + 1);
      const childPath = join(path, rest.split('/')[0]!);
      if (byPath.has(childPath)) continue;
      byPath.set(childPath, childPath === view.path ? viewEntry(view, content) : implied(childPath));
    }
    return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** A collection not stored but leading to a view that exists (e.g. /_system/governance/totp). */
  private async impliedCollection(tenant: Tenant, path: string): Promise<RegistryEntry | undefined> {
    for (const view of this.views()) {
      if (isInside(view.path, path) && (await view.read(tenant))) return implied(path);
    }
    return undefined;
  }

  private viewAt(path: string): RegistryView | undefined {
    return this.views().find((v) => v.path === path);
  }

  private refuseUnderView(path: string): void {
    const view = this.views().find((v) => isInside(path, v.path));
    if (view) throw new AppError('PCS-40900', { description: `${view.path} is a resource, not a collection.` });
  }

  private views(): RegistryView[] {
    return this.deps.views;
  }

  private audit(req: AdminRequest, event: AuditEventName, path: string): Promise<void> {
    return this.deps.audit.record({ tenantId: req.tenant.id, event, outcome: 'success', actor: req.actor, application: req.via, reason: path, traceId: req.traceId, remoteAddress: req.remoteAddress });
  }
}

function viewEntry(view: RegistryView, content: Buffer): RegistryEntry {
  return { path: view.path, kind: 'resource', mediaType: view.mediaType, size: content.length, properties: {}, createdAt: null, updatedAt: null };
}

function implied(path: string): RegistryEntry {
  return { path, kind: 'collection', mediaType: null, size: 0, properties: {}, createdAt: null, updatedAt: null };
}

/** A media type as a Content-Type gives it (parameters kept, e.g. charset), bounded; octet-stream when absent. */
export function checkMediaType(value: string | undefined): string {
  const v = (value ?? '').trim();
  if (v === '') return DEFAULT_MEDIA_TYPE;
  if (v.length > 255 || !/^[\w.+-]+\/[\w.+-]+(\s*;[\x20-\x7e]*)?$/.test(v)) throw new AppError('PCS-40001', { description: 'The media type (Content-Type) is not valid.' });
  return v;
}

