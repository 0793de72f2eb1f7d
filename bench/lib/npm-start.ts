// `npm start`'s own command line ("node <flags> dist/bundle/start.cjs", from package.json), so that a bench
// measures the server the way production runs it, flags included.
import { readFileSync } from 'node:fs';

/** The node arguments of `npm start`: its flags, then the script. */
export function npmStartArgs(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).slice(1);
}
