// The tenant's registry (WSO2's /_system/governance/...): browse collections, view a resource (text shown,
// escaped; anything else offered as a download served as an attachment), upload a file into a collection,
// create a collection, delete. Every change goes through the registry service (which audits it with the admin
// as the actor) and every form carries the session's CSRF token (the upload form too: multipart, read by
// registry-upload.ts). /_system/governance/totp/application-authentication.xml is the TOTP settings page's
// setting seen as WSO2's XML file: uploading it validates every parameter.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.ts';
import { MAX_CONTENT_BYTES, type RegistryRead } from '../../tenants/registry/registry-service.ts';
import { ancestorsOf, join, nameOf, parentOf, ROOT } from '../../tenants/registry/registry-path.ts';
import { problemOf, type ConsoleKit } from './context.ts';
import { formOf, text } from './forms.ts';
import { uploadScope, type UploadedFile } from './registry-upload.ts';

const PAGE = '/console/registry';
const SHOWN_BYTES = 64 * 1024;

const isText = (type: string) => /^text\/|^application\/([\w.-]+\+)?(xml|json)\b/i.test(type);
const pageOf = (path: string) => `${PAGE}?path=${encodeURIComponent(path)}`;

export async function registerRegistryPages(app: FastifyInstance, kit: ConsoleKit): Promise<void> {
  const { registry } = kit.deps;

  const show = async (request: FastifyRequest, reply: FastifyReply, rawPath: string, problem = '', status = 200) => {
    const { tenant } = kit.ctx(request);
    let read: RegistryRead;
    let path: string;
    try {
      path = registry.path(rawPath || ROOT);
      read = await registry.read(tenant, path);
    } catch (err) {
      return kit.render(request, reply, 'registry', 'Registry', { path: rawPath, crumbs: [], problem: problemOf(err), collection: undefined, resource: undefined }, err instanceof AppError ? err.status : 500);
    }
    const crumbs = [ROOT, ...ancestorsOf(path), ...(path === ROOT ? [] : [path])].map((p) => ({ name: p === ROOT ? '(root)' : nameOf(p), href: kit.url(tenant, pageOf(p)) }));
    const entry = { path, parent: parentOf(path) ?? '', updatedAt: read.entry.updatedAt ? new Date(read.entry.updatedAt).toISOString() : '', properties: Object.entries(read.entry.properties) };
    if (read.kind === 'collection') {
      const children = read.children.map((c) => ({ name: nameOf(c.path), path: c.path, kind: c.kind, href: kit.url(tenant, pageOf(c.path)), mediaType: c.mediaType ?? '', size: c.kind === 'resource' ? c.size : '', updatedAt: c.updatedAt ? new Date(c.updatedAt).toISOString() : '' }));
      return kit.render(request, reply, 'registry', 'Registry', { ...entry, crumbs, problem, collection: { children, maxBytes: MAX_CONTENT_BYTES }, resource: undefined }, status);
    }
    const mediaType = read.entry.mediaType ?? 'application/octet-stream';
    const shown = isText(mediaType) && read.content.length <= SHOWN_BYTES ? read.content.toString('utf8') : undefined;
    const resource = { mediaType, size: read.content.length, shown, download: kit.url(tenant, `${PAGE}/download?path=${encodeURIComponent(path)}`) };
    return kit.render(request, reply, 'registry', `Registry: ${nameOf(path)}`, { ...entry, crumbs, problem, collection: undefined, resource }, status);
  };

  app.get(PAGE, async (request, reply) => show(request, reply, text(formOf(request.query), 'path')));

  app.get(`${PAGE}/download`, async (request, reply) => {
    const read = await registry.read(kit.ctx(request).tenant, text(formOf(request.query), 'path'));
    if (read.kind !== 'resource') throw new AppError('PCS-40400', { description: 'Only a resource can be downloaded.' });
    return reply
      .type(read.entry.mediaType ?? 'application/octet-stream')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(nameOf(read.entry.path))}`)
      .header('content-security-policy', "sandbox; default-src 'none'")
      .send(read.content);
  });

  await uploadScope(app, (upload) =>
    upload.post(`${PAGE}/upload`, async (request, reply) => {
    const ctx = kit.ctx(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = formOf(body);
    const collection = text(form, 'path') || ROOT;
    const file = body.file as UploadedFile | undefined;
    try {
      if (!file || typeof file !== 'object' || !Buffer.isBuffer(file.data)) throw new AppError('PCS-40001', { description: 'Choose a file to upload.' });
      const name = text(form, 'name').trim() || file.filename;
      if (!name || name.includes('/')) throw new AppError('PCS-40001', { description: 'Give the resource a name (without "/").' });
      const path = join(registry.path(collection), name);
      await registry.put(kit.adminRequest(request), path, file.data, file.type || undefined);
      return kit.done(reply, ctx, pageOf(path), 'registry-saved');
    } catch (err) {
      return show(request, reply, collection, problemOf(err), 400);
    }
    }),
  );

  app.post(`${PAGE}/collection`, async (request, reply) => {
    const ctx = kit.ctx(request);
    const form = formOf(request.body);
    const parent = text(form, 'path') || ROOT;
    try {
      const name = text(form, 'name').trim();
      if (!name || name.includes('/')) throw new AppError('PCS-40001', { description: 'Give the collection a name (without "/").' });
      const path = join(registry.path(parent), name);
      await registry.createCollection(kit.adminRequest(request), path);
      return kit.done(reply, ctx, pageOf(path), 'registry-collection');
    } catch (err) {
      return show(request, reply, parent, problemOf(err), 400);
    }
  });

  app.post(`${PAGE}/delete`, async (request, reply) => {
    const ctx = kit.ctx(request);
    const path = text(formOf(request.body), 'path');
    try {
      await registry.remove(kit.adminRequest(request), path);
      return kit.done(reply, ctx, pageOf(parentOf(registry.path(path)) ?? ROOT), 'registry-deleted');
    } catch (err) {
      return show(request, reply, path, problemOf(err), 400);
    }
  });
}
