// `npm run build` (and `prepare`, so `npm ci` builds): compiles src/ and the travelocity sample to dist/ with
// tsc, then copies the files the server reads from disk beside its modules (views, css/js assets), so that
// dist/ is laid out like the sources and `new URL('./views/', import.meta.url)` finds them in either.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
const dist = new URL('dist/', root);
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
for (const dir of ['src/ui/views/', 'src/ui/assets/']) {
  cpSync(new URL(dir, root), new URL(dir, dist), { recursive: true, filter: (src) => !src.endsWith('.ts') });
}
