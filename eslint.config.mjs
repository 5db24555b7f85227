// Lint configuration. Its main job is to keep the layers honest: the pure layers (model,
// engine, parsers) never reach for the editor, the file system or any other Node built-in but
// node:crypto, dependencies point inward (extension → cli/store → engine/parsers → model), and a
// layer is entered through its index.ts, never through its files.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const fsModules = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
const noEditor = { name: 'vscode', message: 'Only src/extension may import vscode.' };
const noFs = [...fsModules].map((name) => ({ name, message: 'Pure layers never touch the file system; take text or data as arguments.' }));
// Every Node built-in, with and without the node: prefix, except crypto (hash codes and
// fingerprints are sha256). The engine gets time, user, settings and file text through
// EngineContext, so it needs no process, os, path or child_process either.
const noNodeBuiltins = [
  ...noFs,
  ...[...new Set(builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])))]
    .filter((name) => !fsModules.has(name) && name !== 'crypto' && name !== 'node:crypto')
    .map((name) => ({ name, message: 'Pure layers use no Node built-in but node:crypto; take what they need as arguments or through EngineContext.' })),
];
const outward = (layers) => layers.map((l) => ({ group: [`**/${l}`, `**/${l}/**`], message: `Dependencies point inward; this layer may not import src/${l}.` }));

/** The layers with an index.ts, their public surface; other layers import them through it. */
const INDEXED_LAYERS = ['model', 'engine', 'parsers', 'store', 'defectdojo'];
/**
 * Deep imports into other layers, as written from a file `prefix` away from src/ (`../` for
 * src/cli/x.ts, `../../` for src/extension/tree/x.ts). Matching the exact prefix keeps
 * src/extension/defectdojo (part of the extension) apart from the src/defectdojo layer.
 */
const deep = (prefix, own) =>
  INDEXED_LAYERS.filter((l) => l !== own).map((l) => ({
    group: [`${prefix}${l}/*`, `${prefix}${l}/**/*`],
    message: `Import src/${l} through its index.ts ('${prefix}${l}'), not its files.`,
  }));

/** What each layer may not import, beside deep imports into other layers. */
const LAYERS = {
  model: { paths: [noEditor, ...noNodeBuiltins], outward: ['engine', 'parsers', 'store', 'cli', 'extension'] },
  engine: { paths: [noEditor, ...noNodeBuiltins], outward: ['parsers', 'store', 'cli', 'extension'] },
  parsers: { paths: [noEditor, ...noNodeBuiltins], outward: ['store', 'cli', 'extension'] },
  store: { paths: [noEditor], outward: ['cli', 'extension'] },
  // The DefectDojo client: engine semantics plus the network, never the file system (the
  // hosts read reports and write the store) and never a host.
  defectdojo: { paths: [noEditor, ...noFs], outward: ['store', 'cli', 'extension'] },
  cli: { paths: [noEditor], outward: ['extension'] },
  // The VS Code host may import vscode and every layer, through their index.ts.
  extension: { paths: [], outward: [] },
};

/** One block per layer and folder depth, since flat config does not merge a rule's options. */
const layerBlocks = Object.entries(LAYERS).flatMap(([layer, { paths, outward: out }]) =>
  [
    { files: [`src/${layer}/*.ts`], prefix: '../' },
    { files: [`src/${layer}/*/*.ts`], prefix: '../../' },
    { files: [`src/${layer}/*/*/*.ts`], prefix: '../../../' },
    // src/extension.ts only wires the extension, so it is the extension layer too.
    ...(layer === 'extension' ? [{ files: ['src/extension.ts'], prefix: './' }] : []),
  ].map(({ files, prefix }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { paths, patterns: [...outward(out), ...deep(prefix, layer)] }] },
  })),
);

/**
 * The TypeScript linted with type information. The project service gives each file the
 * tsconfig.json nearest to it: the root one for src, test and scripts, media/tsconfig.json (DOM,
 * no Node) for the settings webview's script.
 */
const TYPED = ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'media/**/*.ts'];

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
    // The type-aware rules (floating promises, unsafe any, base-to-string...) on our TypeScript;
    // plain JavaScript (the .mjs scripts, the CommonJS runner) keeps the untyped set above.
    files: TYPED,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `{}` is what `unknown` narrows to once null and undefined are ruled out: any value,
      // primitives included, not an object without a toString. The rule leaves `unknown` alone
      // (checkUnknown is off), so it leaves `{}` alone too; String() of such a value is how the
      // parsers reproduce Python's str() and how the logs print whatever was thrown.
      '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', '{}'] }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noEditor] }],
    },
  },
  ...layerBlocks,
  {
    // The integration suites run inside VS Code and reach into every layer to observe it.
    files: ['test/integration/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The test-runner extension is plain CommonJS, copied as is into the editor's extensions.
    files: ['test/integration/runner-extension/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
