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

/**
 * A Jupyter server process is started, polled for readiness and stopped in src/jupyter/ only:
 * elsewhere in the library a server's settings and its status and shutdown endpoints do not appear.
 */
const JUPYTER_HOME_MESSAGE = 'start, poll and stop Jupyter server processes through src/jupyter/process.ts';
const ONE_JUPYTER_HOME = [
  { selector: 'Literal[value=/api\\/(status|shutdown)|ServerApp\\.(port|ip|root_dir)=/]', message: JUPYTER_HOME_MESSAGE },
  { selector: 'TemplateElement[value.raw=/api\\/(status|shutdown)|ServerApp\\.(port|ip|root_dir)=/]', message: JUPYTER_HOME_MESSAGE },
];

/**
 * Command lines are parsed by commander, not scanned by hand; setup.mjs alone uses Node's own
 * util.parseArgs, because it runs before the dependencies are installed.
 */
const ARGV_MESSAGE = 'parse the command line with commander instead of scanning process.argv';
const ONE_COMMAND_LINE_PARSER = [
  {
    selector: "MemberExpression[object.object.name='process'][object.property.name='argv'][property.name=/^(includes|indexOf|find|findIndex|some|at|splice)$/]",
    message: ARGV_MESSAGE,
  },
];
const NO_PARSE_ARGS = {
  'no-restricted-imports': ['error', { paths: [{ name: 'node:util', importNames: ['parseArgs'], message: 'command lines are parsed with commander' }] }],
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
  {
    files: ['src/**/*.ts', 'kernel/**/*.ts'],
    ignores: ['src/jupyter/**'],
    rules: { 'no-restricted-syntax': [...SYNC_READ_RULE['no-restricted-syntax'], ...ONE_JUPYTER_HOME, ...ONE_COMMAND_LINE_PARSER], ...NO_PARSE_ARGS },
  },
  { files: ['src/jupyter/**/*.ts'], rules: { 'no-restricted-syntax': [...SYNC_READ_RULE['no-restricted-syntax'], ...ONE_COMMAND_LINE_PARSER], ...NO_PARSE_ARGS } },
  {
    // The scripts are plain ES modules, checked without types.
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { ...UNUSED, 'no-restricted-syntax': ['error', ...ONE_COMMAND_LINE_PARSER], ...NO_PARSE_ARGS },
  },
  { files: ['scripts/setup.mjs'], rules: { 'no-restricted-imports': 'off' } },
);
