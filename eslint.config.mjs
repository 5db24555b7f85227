// Lint configuration. Its main job is to keep the layers honest: the pure layers (model,
// engine, parsers) never reach for the editor or the file system, and dependencies point
// inward (extension → cli/store → engine/parsers → model).
import tseslint from 'typescript-eslint';

const fsModules = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'];
const noEditor = { name: 'vscode', message: 'Only src/extension may import vscode.' };
const noFs = fsModules.map((name) => ({ name, message: 'Pure layers never touch the file system; take text or data as arguments.' }));
const outward = (layers) => layers.map((l) => ({ group: [`**/${l}`, `**/${l}/**`], message: `Dependencies point inward; this layer may not import src/${l}.` }));

export default tseslint.config(
  {
    ignores: [
      'dist/**', 'media/build/**', 'node_modules/**', '.cache/**', 'test-results/**',
      // Scanner input: deliberately vulnerable sample code, not ours to lint.
      'test/fixtures/**', 'test/integration/workspace/**', 'samples/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noEditor] }],
    },
  },
  {
    files: ['src/model/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noEditor, ...noFs], patterns: outward(['engine', 'parsers', 'store', 'cli', 'extension']) }] },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noEditor, ...noFs], patterns: outward(['parsers', 'store', 'cli', 'extension']) }] },
  },
  {
    files: ['src/parsers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noEditor, ...noFs], patterns: outward(['store', 'cli', 'extension']) }] },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noEditor], patterns: outward(['cli', 'extension']) }] },
  },
  {
    // The DefectDojo client: engine semantics plus the network, never the file system (the
    // hosts read reports and write the store) and never a host.
    files: ['src/defectdojo/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noEditor, ...noFs], patterns: outward(['store', 'cli', 'extension']) }] },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noEditor], patterns: outward(['extension']) }] },
  },
  {
    files: ['src/extension/**/*.ts', 'src/extension.ts', 'test/integration/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The test-runner extension is plain CommonJS, copied as is into the editor's extensions.
    files: ['test/integration/runner-extension/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
