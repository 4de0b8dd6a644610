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
    // Not yet split, each owned by another change in flight; remove an entry when its file complies.
    // - src/stream/hls-stream.ts (458 lines): the muxperf branch splits it (a TS writer under mpegts/, the segmenter under stream/).
    files: ['src/stream/hls-stream.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // - bench/pipeline-bench.ts (step, 84 lines): the muxperf branch is reworking the pipeline bench.
    files: ['bench/pipeline-bench.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // - src/playback/record-source.ts (recordPages, 86 lines): the lateupload branch owns src/playback.
    files: ['src/playback/record-source.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // - test/browser/player-page.test.ts (423 lines): the player branch owns test/browser.
    // - test/checker/ts-checker.ts (435 lines): the muxperf branch runs test/checker unchanged.
    files: ['test/browser/player-page.test.ts', 'test/checker/ts-checker.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // - src/server/playlist-routes.ts (createPlaylistRoutes, 180 lines): the player branch is changing the routes
    //   (index.m3u8 for the player page); split it after that lands.
    files: ['src/server/playlist-routes.ts'],
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
