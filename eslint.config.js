// Lint rules: the recommended sets, plus the few that catch real bugs in async server code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', '.ci/', 'test-results/'] },
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
  {
    // The TOTP seeds in clear are for the TOTP authenticator alone (claims/claim-read-policy.ts): no other part
    // of the server may import the decrypting reader, so a new front cannot reach a seed by accident.
    files: ['src/**/*.ts'],
    ignores: ['src/claims/**', 'src/authenticators/totp/**', 'src/login-services.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/secret-claims.ts', '**/secret-claims'], message: 'Only the TOTP authenticator reads secret claims; read claims for anything outward with ClaimValueService.readReleasable.' }] }],
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
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
