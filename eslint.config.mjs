// Lint for the extension, the webview, the tests and the scripts; formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Stages below `engine/` and `readers/` may not reach up; the webview reaches the host only through its protocol file. */
const upward = (patterns, message = 'a lower stage imports nothing above it (see the Development section of the README)') => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test/fixtures/', 'test-results/', '**/*.vsix', 'media/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-duplicate-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/readers/**/*.ts'],
    rules: upward(['**/roles/**', '**/engine/**', '**/analysis/**', '**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']),
  },
  {
    files: ['src/roles/**/*.ts'],
    rules: upward(['**/engine/**', '**/analysis/**', '**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']),
  },
  { files: ['src/engine/**/*.ts'], rules: upward(['**/analysis/**', '**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['src/analysis/**/*.ts'], rules: upward(['**/protocol/**', '**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  { files: ['src/protocol/**/*.ts'], rules: upward(['**/host/**', '**/panel/**', '**/worker/**', '**/cli/**', 'vscode']) },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+src/(?!protocol/webview$)', message: 'the webview imports only src/protocol/webview.ts' },
            { group: ['vscode', 'node:*'], message: 'the webview runs in a browser sandbox' },
          ],
        },
      ],
    },
  },
  {
    // The CLI, the benchmark and the tests print their results.
    files: ['src/cli.ts', 'src/cli/**', 'bench/**', 'scripts/**', 'test/**', 'esbuild.mjs'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read the generators' expected.json, whose shape is the generator's to define.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['bench/slider.mjs'], languageOptions: { globals: { document: 'readonly', Event: 'readonly', window: 'readonly' } } },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
      },
    },
  },
);
