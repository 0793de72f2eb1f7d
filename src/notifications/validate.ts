// Checks a template an admin sends before it is stored: the fields, their sizes, and the placeholders the
// type needs (a TOTP email without {{token}} would tell the user nothing), and no placeholder naming a claim the
// claim read policy keeps out of emails. Limits follow the table columns.
import { releaseRefusal } from '../claims/claim-read-policy.ts';
import { AppError } from '../errors/app-error.ts';
import { placeholdersOf } from './render.ts';
import { claimOfPlaceholder, CONTENT_TYPES, type ContentType, type EmailTemplate, type TemplateType } from './template-types.ts';

export const MAX_SUBJECT_CHARS = 255;
/** 64 KiB less one byte: MySQL's TEXT column holds 65535 bytes. */
export const MAX_BODY_BYTES = 65535;

function invalid(description: string): AppError {
  return new AppError('NTF-40002', { description });
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string.`);
  return value;
}

function contentTypeOf(value: unknown): ContentType {
  const raw = optionalString(value, 'contentType');
  if (raw === undefined) return 'text/plain';
  const base = raw.split(';')[0]!.trim().toLowerCase();
  const found = CONTENT_TYPES.find((t) => t === base);
  if (!found) throw invalid(`contentType must be one of ${CONTENT_TYPES.join(', ')}.`);
  return found;
}

function limitBytes(value: string, field: string): string {
  if (Buffer.byteLength(value, 'utf8') > MAX_BODY_BYTES) throw invalid(`${field} must be at most 64 KiB (${MAX_BODY_BYTES} bytes in UTF-8).`);
  return value;
}

/** The stored form of a template from an API body, or AppError NTF-40002 saying what is wrong. */
export function parseTemplate(type: TemplateType, input: unknown): EmailTemplate {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('The request body must be a JSON object.');
  const fields = input as Record<string, unknown>;
  const subject = optionalString(fields.subject, 'subject')?.trim();
  if (!subject) throw invalid('subject is required.');
  if (subject.length > MAX_SUBJECT_CHARS) throw invalid(`subject must be at most ${MAX_SUBJECT_CHARS} characters.`);
  if (/[\r\n]/.test(subject)) throw invalid('subject must be one line.');
  const body = optionalString(fields.body, 'body');
  if (!body?.trim()) throw invalid('body is required.');
  const footer = optionalString(fields.footer, 'footer') ?? '';
  const present = new Set(placeholdersOf(body));
  for (const name of type.requiredPlaceholders) {
    if (!present.has(name)) throw invalid(`The body of a ${type.displayName} template must contain the placeholder {{${name}}}.`);
  }
  // A template must not be able to mail a secret or account state: refused here, and never filled when sent.
  for (const name of placeholdersOf(`${subject}\n${body}\n${footer}`)) {
    const uri = claimOfPlaceholder(name);
    if (uri === undefined) continue;
    // Claim URIs are short (claim-metadata.ts allows 200 characters after the dialect); keeps the message short too.
    if (uri.length > 255) throw invalid('A {{user.claim.X}} placeholder names a claim URI of at most 255 characters.');
    const refusal = releaseRefusal(uri, 'email');
    if (refusal) throw invalid(`The placeholder {{${name}}} cannot be used: ${refusal}`);
  }
  return { contentType: contentTypeOf(fields.contentType), subject, body: limitBytes(body, 'body'), footer: limitBytes(footer, 'footer') };
}
