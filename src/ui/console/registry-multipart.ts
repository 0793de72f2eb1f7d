// The one form of the console that sends a file (the registry's upload) is multipart/form-data; this reads it
// without a dependency: the text fields become strings (so formOf and the CSRF check see them as for any form)
// and a file part becomes { filename, type, data }. Bounded by the parser's bodyLimit; anything malformed is 400.
import { AppError } from '../../errors/app-error.ts';

export interface UploadedFile {
  filename: string;
  type: string;
  data: Buffer;
}

const MAX_PARTS = 20;

const malformed = () => new AppError('PCS-40000', { description: 'The form upload (multipart/form-data) is malformed.' });

function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw malformed();
  return b;
}

function utf8(data: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new AppError('PCS-40002');
  }
}

export function parseMultipart(body: Buffer, contentType: string): Record<string, string | UploadedFile> {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const out: Record<string, string | UploadedFile> = Object.create(null) as Record<string, string | UploadedFile>;
  let at = body.indexOf(delimiter);
  if (at !== 0) throw malformed();
  for (let parts = 0; ; parts++) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return out;
    if (parts >= MAX_PARTS || body.subarray(at, at + 2).toString() !== '\r\n') throw malformed();
    const headerEnd = body.indexOf('\r\n\r\n', at + 2);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), at);
    if (headerEnd < 0 || next < 0 || headerEnd > next) throw malformed();
    const headers = body.subarray(at + 2, headerEnd).toString('latin1').split('\r\n');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (!name || name === '__proto__') throw malformed();
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      const type = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '').trim() ?? '';
      out[name] = { filename: Buffer.from(filename, 'latin1').toString('utf8'), type, data: Buffer.from(data) };
    } else {
      out[name] = utf8(data);
    }
    at = next + 2;
  }
}
