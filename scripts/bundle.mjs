// The bundled server that `npm start` runs: src/main.ts and what it imports (our modules and the pure-JavaScript
// packages a node loads at start), in a few ES module files made by esbuild, whitespace and syntax minified
// (names kept, so stack traces still name functions). One file read and parsed instead of about 1,400 modules
// found, read and compiled one by one: faster to start and smaller in memory (README, "Start-up and memory").
// Called by build.mjs after tsc; bench/startup.bench.ts compares it with the tsc build and with tsx.
//
// Kept outside the bundle, loaded from node_modules as usual:
//  - native addons (a .node file cannot be bundled);
//  - the packages a node loads only on first use (src/ `await import(...)`): they stay out of the start-up
//    path either way, and each keeps the file layout it expects. It also keeps their named exports: a CommonJS
//    package that esbuild bundles behind import() has only a default export;
//  - re2-wasm, which claims/claim-pattern.ts resolves and loads by path with its WebAssembly file.
// The CommonJS packages our synchronous code loads on first use (`lazyRequire` in src/cache/lazy-module.ts: the
// XML stack, ldapts, node-forge) are not imported statically, so esbuild leaves them where they are too.
// Dynamic imports of our own modules (the OIDC provider, metrics, the API reference, the travelocity sample)
// become chunks of their own (`splitting`), loaded when first imported. test/ops/start-graph.test.ts checks
// that none of this reaches the files a node loads at start.
//
// Paths: a module that finds files relative to itself (`import.meta.url`, or `__dirname`/`__filename` in a
// CommonJS package) would otherwise look beside the bundle. Each such reference is rewritten to the place the
// file has outside the bundle: for our sources, where tsc put them in dist/ (the views and assets are copied
// there), for a package, its own folder in node_modules. Every output file lands in one folder, so one path
// relative to that folder is right wherever the module's code ends up.
import { build } from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, extname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Loaded on first use or native: never bundled. */
export const EXTERNAL = [
  'better-sqlite3', '@node-rs/argon2', 're2-wasm',
  'oidc-provider', 'pg', 'mysql2', 'ioredis', 'nodemailer', 'prom-client', '@peculiar/x509', 'qrcode', 'node-forge',
  'openid-client', 'bcryptjs', '@node-saml/node-saml',
];

// Every output file starts with these: `require` for the CommonJS packages inside the bundle (esbuild's
// ES module output has none), and the helpers the rewritten path references call.
const BANNER = [
  "import { createRequire as __pcsCreateRequire } from 'node:module';",
  "import { fileURLToPath as __pcsFileURLToPath } from 'node:url';",
  'const require = __pcsCreateRequire(import.meta.url);',
  'const __pcsUrl = (path) => new URL(path, import.meta.url).href;',
  'const __pcsPath = (path) => __pcsFileURLToPath(__pcsUrl(path));',
].join(' ');

const LOADERS = { '.ts': 'ts', '.js': 'js', '.cjs': 'js', '.mjs': 'js' };

/**
 * esbuild's options for the bundle (also read by test/ops/start-graph.test.ts, which builds it in memory).
 * @param {URL} root the repository
 * @param {URL} distDir the dist/ being built (tsc's output is already there)
 * @param {URL} outDir where the bundle goes, inside distDir
 * @returns {import('esbuild').BuildOptions}
 */
export function bundleOptions(root, distDir, outDir) {
  const rootPath = fileURLToPath(root);
  const out = fileURLToPath(outDir);
  // Where a file is at run time: sources as compiled by tsc into dist/, packages where they are.
  const runtimePath = (path) => {
    const inRepo = relative(rootPath, path);
    if (!inRepo.startsWith('..') && /^(src|samples)\//.test(inRepo)) return fileURLToPath(new URL(inRepo.replace(/\.ts$/, '.js'), distDir));
    return path;
  };
  const fromOut = (path) => JSON.stringify(relative(out, path) || '.');
  return {
    entryPoints: { main: fileURLToPath(new URL('src/main.ts', root)) },
    absWorkingDir: rootPath,
    outdir: out,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Paths into node_modules as the install has them (relative to dist/), not through a symlinked folder's target.
    preserveSymlinks: true,
    external: EXTERNAL,
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: BANNER },
    logLevel: 'warning',
    plugins: [
      {
        name: 'runtime-paths',
        setup(b) {
          b.onLoad({ filter: /\.(ts|js|cjs|mjs)$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            if (!/import\.meta\.url|__dirname|__filename/.test(text)) return undefined;
            const file = runtimePath(args.path);
            // `var` in a CommonJS package is local to esbuild's wrapper around it; an ES module has neither name.
            const header = /__dirname|__filename/.test(text) ? `var __dirname = __pcsPath(${fromOut(dirname(file))}), __filename = __pcsPath(${fromOut(file)});\n` : '';
            return { contents: header + text.replaceAll('import.meta.url', `__pcsUrl(${fromOut(file)})`), loader: LOADERS[extname(args.path)] };
          });
        },
      },
    ],
  };
}

/** Builds the bundle into outDir (see bundleOptions). */
export async function bundle(root, distDir, outDir) {
  const result = await build(bundleOptions(root, distDir, outDir));
  if (result.errors.length > 0) throw new Error(`esbuild failed: ${result.errors.length} errors`);
  // `npm start`'s entry: sizes the thread pool before the bundle (an ES module) is loaded (src/start.cjs).
  copyFileSync(new URL('src/start.cjs', root), new URL('start.cjs', outDir));
}
