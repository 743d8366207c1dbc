// Lint for the extension, the webview, the tests and the scripts; formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Stages below `engine/` and `readers/` may not reach up; the webview reaches the host only through its protocol file. */
const upward = (patterns) => ({ 'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message: 'a lower stage imports nothing above it (see the Development section of the README)' })) }] });

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test/fixtures/', 'test-results/', '**/*.vsix', 'media/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-duplicate-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  { files: ['src/readers/**/*.ts'], rules: upward(['**/roles/**', '**/engine/**', '**/analysis/**', '**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['src/roles/**/*.ts'], rules: upward(['**/engine/**', '**/analysis/**', '**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['src/engine/**/*.ts'], rules: upward(['**/analysis/**', '**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['src/analysis/**/*.ts'], rules: upward(['**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['src/protocol/**/*.ts'], rules: upward(['**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['webview/**/*.ts'], rules: upward(['../src/*', '../src/!(protocol)/**', 'vscode', 'node:*']) },
  {
    // The CLI, the benchmark and the tests print their results.
    files: ['src/cli.ts', 'src/cli/**', 'bench/**', 'scripts/**', 'test/**', 'esbuild.mjs'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly' } },
  },
);
