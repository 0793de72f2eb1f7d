// `npm run build` (and `prepare`, so `npm ci` builds): compiles src/, the travelocity sample and the import
// command (scripts/import-wso2.ts) to dist/ with tsc, then copies the files the server reads from disk beside
// its modules (views, css/js assets), so that dist/ is laid out like the sources and
// `new URL('./views/', import.meta.url)` finds them in either; last, bundles the server into dist/bundle/
// (bundle.mjs), which `npm start` runs.
// Built into a fresh directory and then swapped in, so a failed build leaves the previous dist/ whole.
import { spawnSync } from 'node:child_process';
import { cpSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const root = new URL('..', import.meta.url);
const dist = new URL('dist/', root);
const next = new URL(`dist.build-${process.pid}/`, root);
rmSync(next, { recursive: true, force: true });
try {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', fileURLToPath(next)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc failed (exit ${r.status})`);
  for (const dir of ['src/ui/views/', 'src/ui/assets/']) {
    cpSync(new URL(dir, root), new URL(dir, next), { recursive: true, filter: (src) => !src.endsWith('.ts') });
  }
  await bundle(root, next, new URL('bundle/', next));
  rmSync(dist, { recursive: true, force: true });
  renameSync(next, dist);
} finally {
  rmSync(next, { recursive: true, force: true });
}
