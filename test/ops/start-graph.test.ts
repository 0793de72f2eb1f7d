// What a node loads at start: the bundle's main file and the chunks it imports statically. Packages that only
// some deployments or some requests need must stay out of them (docs/operations.md, "What loads when"): each
// costs start-up time and idle memory on every node (the API reference alone was about 5 MB). The bundle is
// built in memory with the options `npm run build` uses, and its import graph read from esbuild's metafile.
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
// @ts-expect-error: a plain JavaScript build script, without type declarations.
import { bundleOptions } from '../../scripts/bundle.mjs';

const root = new URL('../../', import.meta.url);

let built: Promise<Metafile> | undefined;
/** The bundle's metafile, built once in memory for both tests with `npm run build`'s options. */
function bundleMetafile(): Promise<Metafile> {
  built ??= build({ ...bundleOptions(root, new URL('dist/', root), new URL('dist/bundle/', root)), write: false, metafile: true, logLevel: 'silent' }).then((r) => {
    assert.ok(r.metafile);
    return r.metafile;
  });
  return built;
}

/** Loaded on first use (lazyRequire, await import) or only when enabled: never by a start. */
const ON_FIRST_USE = [
  '@fastify/swagger', '@fastify/swagger-ui', '@fastify/static', 'yaml', 'glob',
  'xml-crypto', '@xmldom/xmldom', 'xpath', '@node-saml/node-saml',
  'ldapts', 'openid-client', 'oauth4webapi', 'bcryptjs',
  'oidc-provider', 'pg', 'mysql2', 'ioredis', 'nodemailer', 'prom-client', '@peculiar/x509', 'qrcode', 'node-forge', 're2-wasm',
];

const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];

function startGraph(metafile: Metafile): { files: Set<string>; packages: Set<string>; externals: Set<string>; lazy: Set<string> } {
  const outputs = metafile.outputs;
  const main = Object.keys(outputs).find((o) => o.endsWith('/main.js'))!;
  const files = new Set<string>();
  const externals = new Set<string>();
  const lazy = new Set<string>();
  const queue = [main];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const imp of outputs[file]!.imports) {
      if (imp.kind === 'dynamic-import') {
        if (!imp.external) lazy.add(imp.path);
      } else if (imp.external) externals.add(imp.path);
      else queue.push(imp.path);
    }
  }
  const packages = new Set([...files].flatMap((f) => Object.keys(outputs[f]!.inputs).map(packageOf).filter((p): p is string => p !== undefined)));
  return { files, packages, externals, lazy };
}

test('a start loads none of the packages that wait for their first use', { timeout: 120_000 }, async () => {
  const metafile = await bundleMetafile();
  const { packages, externals, lazy, files } = startGraph(metafile);
  assert.ok(packages.has('fastify') && packages.has('kysely'), `the graph was read: ${[...packages].join(', ')}`);
  const early = ON_FIRST_USE.filter((p) => packages.has(p) || externals.has(p));
  assert.deepEqual(early, [], `loaded at start by ${[...files].join(', ')}`);
  const nodeModules = [...externals].filter((e) => !e.startsWith('node:') && !builtinModules.includes(e)).sort();
  // The native addons a start needs (better-sqlite3, @node-rs/argon2) are CommonJS and loaded with require():
  // an ES module's static import of one makes Node scan it with cjs-module-lexer, which cost about 4 MB of idle
  // memory for argon2 (src/cache/lazy-module.ts).
  assert.deepEqual(nodeModules, [], 'no package from node_modules imported statically at start');
  // The API reference is a chunk of its own, still reachable by import(): built, not dropped.
  const docs = [...lazy].filter((f) => Object.keys(metafile.outputs[f]!.inputs).some((i) => i.endsWith('src/api/openapi-docs.ts')));
  assert.equal(docs.length, 1, `the API reference chunk among ${[...lazy].join(', ')}`);
  assert.ok(Object.keys(metafile.outputs[docs[0]!]!.inputs).some((i) => packageOf(i) === '@fastify/swagger-ui'));
});

test('a package our code loads with import() stays outside the bundle, with its named exports', { timeout: 120_000 }, async () => {
  // esbuild gives a bundled CommonJS package behind import() a default export only, so `const { X } = await
  // import('pkg')` would find undefined in the bundle while it works from the sources (node-saml did).
  const metafile = await bundleMetafile();
  const bundled: string[] = [];
  let external = 0;
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (!/^(src|samples)\//.test(file)) continue;
    for (const imp of input.imports) {
      if (imp.kind !== 'dynamic-import') continue;
      if (imp.external) external++;
      // reflect-metadata is imported for its side effect only (certificates.ts), before @peculiar/x509.
      else if (packageOf(imp.path) && packageOf(imp.path) !== 'reflect-metadata') bundled.push(`${file} -> ${imp.path}`);
    }
  }
  assert.ok(external >= 8, `the dynamic imports were read (${external} external)`);
  assert.deepEqual(bundled, []);
});

test('the sample, loaded at start when enabled, holds none of the packages that wait for their first use', { timeout: 120_000 }, async () => {
  // It ran its XML parser's module (and its table of HTML entities) at every start beside the server.
  const metafile = await bundleMetafile();
  const sample = Object.entries(metafile.outputs).find(([, o]) => Object.keys(o.inputs).some((i) => i.endsWith('samples/travelocity/index.ts')));
  assert.ok(sample, 'the sample is a chunk of its own');
  const [file, output] = sample;
  const bundled = new Set(Object.keys(output.inputs).map(packageOf).filter((p): p is string => p !== undefined));
  const imported = output.imports.filter((i) => i.external && i.kind !== 'dynamic-import').map((i) => i.path);
  const early = ON_FIRST_USE.filter((p) => bundled.has(p) || imported.includes(p));
  assert.deepEqual(early, [], `in ${file}`);
});
