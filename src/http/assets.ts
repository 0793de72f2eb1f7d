// Static assets of the pages (one stylesheet today), read once at start and served with a long cache.
// Only files in the folder's listing are served: names never reach the file system.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';

const TYPES: Record<string, string> = { css: 'text/css; charset=utf-8', svg: 'image/svg+xml', png: 'image/png', js: 'text/javascript; charset=utf-8' };

export function registerAssets(app: FastifyInstance, dir = fileURLToPath(new URL('../ui/assets/', import.meta.url))): void {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.split('.').pop() ?? ''];
    if (type) files.set(name, { type, body: readFileSync(new URL(name, `file://${dir.endsWith('/') ? dir : `${dir}/`}`)) });
  }
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const file = files.get(request.params.name);
    if (!file) throw new AppError('PCS-40400');
    return reply.header('cache-control', 'public, max-age=3600').type(file.type).send(file.body);
  });
}
