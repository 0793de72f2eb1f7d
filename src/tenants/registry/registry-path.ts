// Registry paths: absolute, "/"-separated, as WSO2's /_system/governance/totp/application-authentication.xml.
// A path from outside is normalised (repeated and trailing slashes dropped) and then checked; anything that
// could mean two things ("." and ".." segments, control characters, backslashes) is refused rather than
// repaired, with the problem named.
import { AppError } from '../../errors/app-error.ts';

export const ROOT = '/';
export const MAX_PATH_LENGTH = 512;
export const MAX_SEGMENT_LENGTH = 255;

function refuse(problem: string): AppError {
  return new AppError('PCS-40001', { description: `Invalid registry path: ${problem}` });
}

/** The normalised form of `raw` ("/" for the root), or a 400 naming what is wrong with it. */
export function normalisePath(raw: string): string {
  if (!raw.startsWith('/')) throw refuse('it must be absolute (start with "/").');
  if (raw.includes('\u0000')) throw refuse('it contains a NUL character.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f\u007f]/.test(raw)) throw refuse('it contains a control character.');
  if (raw.includes('\\')) throw refuse('it contains a backslash; segments are separated by "/".');
  const segments = raw.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (s === '.' || s === '..') throw refuse(`it contains a "${s}" segment.`);
    if (s.length > MAX_SEGMENT_LENGTH) throw refuse(`a segment is longer than ${MAX_SEGMENT_LENGTH} characters.`);
  }
  const path = `/${segments.join('/')}`;
  if (path.length > MAX_PATH_LENGTH) throw refuse(`it is longer than ${MAX_PATH_LENGTH} characters.`);
  return path;
}

/** The collection holding `path` (the root for a top-level name); the root has none. */
export function parentOf(path: string): string | undefined {
  if (path === ROOT) return undefined;
  const i = path.lastIndexOf('/');
  return i === 0 ? ROOT : path.slice(0, i);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every collection above `path`, outermost first, without the root: /a/b/c gives /a, /a/b. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let p = parentOf(path); p !== undefined && p !== ROOT; p = parentOf(p)) out.unshift(p);
  return out;
}

/** Whether `path` lies inside collection `collection` (at any depth). */
export function isInside(path: string, collection: string): boolean {
  return collection === ROOT ? path !== ROOT : path.startsWith(`${collection}/`);
}

/** The path of `child` (a single name) inside `collection`. */
export function join(collection: string, child: string): string {
  return collection === ROOT ? `/${child}` : `${collection}/${child}`;
}
