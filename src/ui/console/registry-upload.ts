// The one form of the console that sends a file (the registry's upload) is multipart/form-data, read by
// @fastify/multipart in its own scope. The parts are read before the console's guard runs (preValidation), and
// turned into a plain form: text fields become strings (so formOf and the CSRF check see them as for any form)
// and the one file part becomes { filename, type, data }. Bounded by the registry's size limit; a malformed
// body is 400 and one over a limit 413, never a 500.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../../errors/app-error.ts';
import { MAX_CONTENT_BYTES } from '../../tenants/registry/registry-service.ts';

export interface UploadedFile {
  filename: string;
  type: string;
  data: Buffer;
}

const malformed = () => new AppError('PCS-40000', { description: 'The form upload (multipart/form-data) is malformed.' });

/** A child scope of `app` whose routes receive multipart bodies as Record<string, string | UploadedFile>. */
export async function uploadScope(app: FastifyInstance, routes: (scope: FastifyInstance) => void): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_CONTENT_BYTES, files: 1, fields: 20, parts: 21, fieldSize: 64 * 1024 } });
    scope.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return;
      const form = Object.create(null) as Record<string, string | UploadedFile>;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') form[part.fieldname] = { filename: part.filename, type: part.mimetype, data: await part.toBuffer() };
          else if (typeof part.value === 'string') form[part.fieldname] = part.value;
          else throw malformed();
        }
      } catch (err) {
        // The plugin's limits carry a status (413); busboy's parse errors do not and are the sender's fault.
        throw isAppError(err) || (err as { statusCode?: number }).statusCode ? err : malformed();
      }
      request.body = form;
    });
    routes(scope);
  });
}
