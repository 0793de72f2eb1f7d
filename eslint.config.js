// Lint rules: the recommended sets, the few that catch real bugs in async server code, and the layering of
// src/ (docs/architecture.md) as a rule that fails the build.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// Each folder of src/ is an element; an element may import its own folder and the tiers below it, never above:
//   app (src/*.ts: start-up and composition root)
//   import                            one-off commands that move data in from another server (import/wso2/): they
//                                     build the services as the root does, so they sit beside it
//   fronts: api, ui, protocols        the doors from outside; they never import each other, except that ui
//                                     (the console) administers the protocols' settings; they may import
//                                     the Services type (not code) from the root, and api tenant provisioning
//   http, views (src/ui/views.ts)     Fastify plumbing and the page renderer the fronts share
//   flows                             the protocol-neutral login engine
//   authenticators
//   credentials                       a user's second factors and their operations (credentials/totp/, ...)
//   keys                              the tenants' signing keys of every purpose (SAML, OIDC) and their JWKS
//   domain: users, claims, tenants, applications, audit, notifications, metrics, totp (pure: imports nothing of ours)
//   storage
//   shared: errors, config, crypto, time, cache, encoding (guarded decoders for outside input), saml-core (SAML
//           names, XML readers, signatures with XSW hardening, the Redirect binding: both SAML sides use them)
const FOLDERS = ['import', 'api', 'ui', 'protocols', 'http', 'flows', 'authenticators', 'credentials', 'keys', 'identity-providers', 'users', 'claims', 'tenants', 'applications', 'audit', 'notifications', 'metrics', 'totp', 'storage', 'errors', 'config', 'crypto', 'time', 'cache', 'encoding', 'saml-core'];
const FRONTS = ['api', 'ui', 'protocols'];
const SHARED = ['errors', 'config', 'crypto', 'time', 'cache', 'encoding', 'saml-core'];
const DOMAIN = ['users', 'claims', 'tenants', 'applications', 'audit', 'notifications', 'metrics', 'totp', 'identity-providers'];
const BELOW_FLOWS = ['authenticators', 'credentials', 'keys', ...DOMAIN, 'storage', ...SHARED];
const may = (from, to, extra = {}) => ({ from: { element: { type: from } }, allow: { to: { element: { type: to } }, ...extra } });
const mayFile = (from, category) => ({ from: { element: { type: from } }, allow: { to: { file: { categories: category } } } });

const layering = {
  files: ['src/**/*.ts'],
  // Tests may reach into any layer to set up what they check.
  ignores: ['**/*.test.ts'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': [
      ...FOLDERS.map((type) => ({ type, pattern: `src/${type}`, partialMatch: false })),
      // A new folder is 'unplaced' until it is given a tier here: nothing may import it and it may import nothing.
      { type: 'unplaced', pattern: 'src/*', partialMatch: false },
      { type: 'app', pattern: 'src', partialMatch: false },
    ],
    'boundaries/files': [
      // The page renderer, apart from the pages in ui/ that use it: http's error pages and the protocols render with it.
      { category: 'views', pattern: 'src/ui/views.ts' },
      // Creating a tenant (claims, admin, built-in applications) is a use-case over all the services.
      { category: 'provisioning', pattern: 'src/provisioning.ts' },
    ],
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        policies: [
          // Within a folder, files import each other freely.
          ...FOLDERS.map((type) => may(type, type)),
          may('app', ['app', ...FOLDERS]),
          may('import', ['app', ...FOLDERS]),
          may(FRONTS, ['http', 'flows', ...BELOW_FLOWS]),
          may('ui', 'protocols'),
          mayFile([...FRONTS, 'http'], 'views'),
          mayFile('api', 'provisioning'),
          // Fronts receive the composition root's Services bag: its type only, never its code.
          may(FRONTS, 'app', { dependency: { kind: 'type' } }),
          may('http', ['flows', ...BELOW_FLOWS]),
          may('flows', BELOW_FLOWS),
          may('authenticators', ['credentials', ...DOMAIN, 'storage', ...SHARED]),
          may('credentials', ['users', 'claims', 'tenants', 'audit', 'storage', 'totp', ...SHARED]),
          may('keys', ['tenants', 'storage', ...SHARED]),
          may(DOMAIN.filter((d) => d !== 'totp'), [...DOMAIN, 'storage', ...SHARED]),
          may('storage', SHARED),
          may(SHARED, SHARED),
        ],
      },
    ],
  },
};

// Time comes from the injected clock (src/time/clock.ts), so that expiry is tested by moving a ManualClock.
const oneClock = {
  files: ['src/**/*.ts'],
  ignores: [
    '**/*.test.ts',
    'src/time/clock.ts',
  ],
  rules: {
    'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Take "now" from the injected Clock (services.clock).' }],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', '.ci/', 'test-results/', 'dist/', 'dist.build-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  layering,
  oneClock,
  {
    // The TOTP seeds in clear are for the TOTP credentials layer and its authenticator alone
    // (claims/claim-read-policy.ts): no other part of the server may import the decrypting reader or the
    // binding, so a new front cannot reach a seed by accident; fronts call credentials/totp/ instead.
    files: ['src/**/*.ts'],
    ignores: ['src/claims/**', 'src/authenticators/totp/**', 'src/credentials/**', 'src/login-services.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/secret-claims.ts', '**/secret-claims'], message: 'Only the TOTP credentials layer reads secret claims; read claims for anything outward with ClaimValueService.readReleasable.' }] }],
    },
  },
  {
    files: ['src/ui/assets/**/*.js'],
    languageOptions: { globals: { document: 'readonly', navigator: 'readonly', window: 'readonly' } },
  },
  {
    files: ['scripts/**', 'bench/**', '**/*.test.ts', 'test/**', 'samples/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
