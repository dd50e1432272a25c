// ESLint for the library, the kernel, the tests and the scripts: type-aware rules for promises that
// nobody awaits or that are passed where a plain function is expected, values never used, and the
// project's own guards. `npm run lint`; `npm test` runs it, and tests/lint.test.ts applies the
// guards to the notebooks' code cells too.
import tseslint from 'typescript-eslint';

/**
 * No synchronous tensor read (`dataSync()`, `arraySync()`, `bufferSync()`): on the webgpu backend
 * (chosen automatically on a GPU) Dawn's Node binding cannot read synchronously, so such a read
 * fails there only, far from any test run on cpu or wasm. Read with `await tensor.data()` or
 * `await tensor.array()`.
 */
export const SYNC_READ_RULE = {
  'no-restricted-syntax': [
    'error',
    {
      selector: "CallExpression > MemberExpression.callee > Identifier.property[name=/^(dataSync|arraySync|bufferSync)$/]",
      message: 'no synchronous tensor read (webgpu cannot): use await tensor.data() or await tensor.array()',
    },
  ],
};

const UNUSED = {
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
  '@typescript-eslint/no-unused-expressions': 'error',
};

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'lab/**', 'node_modules/**', 'tests/fixtures/**'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['src/**/*.ts', 'kernel/**/*.ts', 'tests/**/*.ts', 'vitest.config.mts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      ...UNUSED,
    },
  },
  { files: ['src/**/*.ts', 'kernel/**/*.ts'], rules: SYNC_READ_RULE },
  {
    // The scripts are plain ES modules, checked without types.
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: UNUSED,
  },
);
