// The compiled server (dist/, `npm run build`) for the tests that run it as `npm start` does: rebuilt first unless
// it is newer than every source file, so such a test never passes on a stale build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).filter((n) => n !== 'node_modules').map((n) => newestMtime(join(path, n))));
}

export function ensureBuilt(): void {
  const main = join(root, 'dist/bundle/main.js');
  const sources = Math.max(...['src', 'samples/travelocity', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/bundle.mjs', 'scripts/import-wso2.ts'].map((p) => newestMtime(join(root, p))));
  if (existsSync(main) && statSync(main).mtimeMs > sources) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}
