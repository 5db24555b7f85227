// Regenerates the demo workspace's ESLint SARIF reports from the three versions of the sample
// app (v1 → v2 fixes the eval and adds a `new Buffer` → v3 reintroduces the eval). The reports
// are committed as sample data, so the demo itself never needs ESLint; run this only when the
// sample app changes:  node samples/demo-app/generate-reports.mjs
//
// Each version is linted from the same scratch folder, so unchanged findings keep identical
// locations across reports, exactly as they would in a CI job that always checks out into the
// same directory. The formatter writes absolute `file://` URIs; they are rewritten relative to
// the app root so the reports are portable and the file paths match the workspace layout.
import { ESLint } from 'eslint';
import security from 'eslint-plugin-security';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const sarifFormatter = require('@microsoft/eslint-formatter-sarif');

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, '..', 'demo-workspace');
const reportsDir = join(workspace, 'reports');
mkdirSync(reportsDir, { recursive: true });

// The recommended security rules warn (SARIF `warning`, DefectDojo Medium); the ones that allow
// code or command injection are raised to errors (SARIF `error`, DefectDojo High).
const config = [
  security.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 },
    rules: {
      'security/detect-eval-with-expression': 'error',
      'security/detect-child-process': 'error',
      'security/detect-non-literal-require': 'error',
    },
  },
];

const scratch = mkdtempSync(join(tmpdir(), 'scan-ledger-demo-app-'));
const appRoot = join(scratch, 'demo-app');
const rootUri = pathToFileURL(appRoot).href + '/';

try {
  for (const version of ['v1', 'v2', 'v3']) {
    rmSync(appRoot, { recursive: true, force: true });
    cpSync(join(here, version), appRoot, { recursive: true });
    const eslint = new ESLint({ cwd: appRoot, overrideConfigFile: true, overrideConfig: config });
    const results = await eslint.lintFiles(['src/**/*.js']);
    const log = JSON.parse(sarifFormatter(results, { rulesMeta: eslint.getRulesMetaForResults(results) }));
    // The formatter reads the version from the ESLint that loaded it, which is this script.
    log.runs[0].tool.driver.version = ESLint.version;
    const portable = JSON.stringify(log, null, 2).split(rootUri).join('');
    writeFileSync(join(reportsDir, `eslint-${version}.sarif`), portable.endsWith('\n') ? portable : portable + '\n');
    const count = results.reduce((n, r) => n + r.messages.length, 0);
    console.log(`${version}: ${count} results → reports/eslint-${version}.sarif`);
  }
  // The workspace's own source is the latest version, so the editor shows the last report's
  // findings on the lines they point at.
  rmSync(join(workspace, 'src'), { recursive: true, force: true });
  cpSync(join(here, 'v3', 'src'), join(workspace, 'src'), { recursive: true });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
