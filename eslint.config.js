// ESLint flat config: typescript-eslint's type-checked recommended rules over every TypeScript file
// of the project (src, test, bench, examples), with the TypeScript project service supplying types.
// Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'assets/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_name` marks a value destructured away on purpose (e.g. to drop an option before passing on).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Files that read in one sitting (issue 14 §3): raw lines, comments and blank lines included, so
    // "≤ 400 lines" and "≤ 80 lines" are literally true of what a reader scrolls through.
    files: ['src/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'test/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
    },
  },
  {
    // Tests: a tap test is one long callback of subtests (setup, cases, teardown share its closure), so
    // the function bound does not apply there; the file bound does (docs/architecture.md, "File and function size").
    files: ['test/**/*.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // tap's idiom: `t.test(name, async (t) => { ... })` returns a promise tap itself awaits and
    // reports, and a subtest callback is async whether or not it awaits. Both rules misfire on it.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
