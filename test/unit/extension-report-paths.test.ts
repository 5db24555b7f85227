import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { activeFilesExcludeGlobs, isExcludedReportPath, isInsideFolder, matchWatchEntry, normaliseFindingPath, watchedTestTitle } from '../../src/extension/report-paths';
import { DEFAULT_WATCH, DEFAULT_WATCH_EXCLUDE } from '../../src/model';

describe('extension report paths', () => {
  describe('normaliseFindingPath', () => {
    const root = '/work/repo';
    it('makes scanner paths workspace-relative', () => {
      assert.equal(normaliseFindingPath('./src/a.js', root), 'src/a.js');
      assert.equal(normaliseFindingPath('src\\a.js', root), 'src/a.js');
      assert.equal(normaliseFindingPath('file:///work/repo/src/a%20b.js', root), 'src/a b.js');
      assert.equal(normaliseFindingPath('/work/repo/src/./x/../a.js', root), 'src/a.js');
    });

    it('leaves paths outside the folder absolute, and does not match a sibling folder with the same prefix', () => {
      assert.equal(normaliseFindingPath('/work/repo2/a.js', root), '/work/repo2/a.js');
      assert.equal(normaliseFindingPath('/elsewhere/a.js', root), '/elsewhere/a.js');
    });

    it('handles Windows drive paths, whatever the drive letter case', () => {
      assert.equal(normaliseFindingPath('file:///c:/repo/src/a.js', '/C:/repo'), 'src/a.js');
      assert.equal(normaliseFindingPath('C:\\repo\\src\\a.js', '/c:/repo'), 'src/a.js');
    });
  });

  describe('isInsideFolder', () => {
    it('accepts the folder and what lies below it, refuses what lies outside', () => {
      assert.equal(isInsideFolder('/work/repo', '/work/repo'), true);
      assert.equal(isInsideFolder('/work/repo', '/work/repo/reports/a.sarif'), true);
      assert.equal(isInsideFolder('/work/repo', '/work/repo2/a.sarif'), false);
      assert.equal(isInsideFolder('/work/repo', '/etc/passwd'), false);
      assert.equal(isInsideFolder('/work/repo', '/work/repo/../other'), false);
    });

    it('works with Windows paths', () => {
      assert.equal(isInsideFolder('C:\\repo', 'C:\\repo\\a.sarif', path.win32), true);
      assert.equal(isInsideFolder('C:\\repo', 'D:\\repo\\a.sarif', path.win32), false);
    });
  });

  describe('matchWatchEntry', () => {
    it('matches the default patterns of the supported scanners', () => {
      for (const file of ['codeql.sarif', 'out/semgrep-results.json', 'trivy.json', 'reports/gitleaks.json', 'results_json.json', 'dependency-check-report.xml']) {
        assert.ok(matchWatchEntry(file, DEFAULT_WATCH), file);
      }
      assert.equal(matchWatchEntry('package.json', DEFAULT_WATCH), null);
    });

    it('never watches dependencies, VCS metadata or the store folder', () => {
      assert.equal(matchWatchEntry('node_modules/x/trivy.json', DEFAULT_WATCH), null);
      assert.equal(matchWatchEntry('.git/a.sarif', DEFAULT_WATCH), null);
      assert.equal(matchWatchEntry('.scan-ledger/findings.json', DEFAULT_WATCH), null);
      assert.equal(matchWatchEntry('data/findings-store.json', DEFAULT_WATCH, 'data/findings-store.json'), null);
    });

    it('issue 11: skips sample reports in test and fixture folders by default (scanLedger.watchExclude), at any depth', () => {
      for (const file of [
        'tests/fixtures/bandit.json',
        'unittests/tools/scans/semgrep/semgrep-results.json',
        'pkg/testdata/gosec-report.json',
        'web/__tests__/zap-report.xml',
        'test/a.sarif',
        'fixtures/trivy.json',
      ]) {
        assert.equal(matchWatchEntry(file, DEFAULT_WATCH, undefined, DEFAULT_WATCH_EXCLUDE), null, file);
      }
      // The user's own report at the root, and a folder whose name only contains "test".
      assert.ok(matchWatchEntry('bandit-report.json', DEFAULT_WATCH, undefined, DEFAULT_WATCH_EXCLUDE));
      assert.ok(matchWatchEntry('latest/trivy.json', DEFAULT_WATCH, undefined, DEFAULT_WATCH_EXCLUDE));
      assert.ok(matchWatchEntry('reports/eslint.sarif', DEFAULT_WATCH, undefined, DEFAULT_WATCH_EXCLUDE), 'the integration workspace writes its reports under reports/');
      // An empty setting watches the test folders again.
      assert.ok(matchWatchEntry('tests/fixtures/bandit.json', DEFAULT_WATCH, undefined, []));
    });

    it('issue 11: applies files.exclude globs, which name folders, to the files inside them', () => {
      const excludes = activeFilesExcludeGlobs({ '**/build': true, 'vendor/**': true, '**/*.tmp.json': true, '**/docs': false, '**/*.js': { when: '$(basename).ts' } });
      assert.deepEqual(excludes, ['**/build', 'vendor/**', '**/*.tmp.json'], 'only the globs that are on; conditional ones are left to the editor');
      assert.equal(isExcludedReportPath('app/build/out/codeql.sarif', excludes), true);
      assert.equal(isExcludedReportPath('vendor/lib/trivy.json', excludes), true);
      assert.equal(isExcludedReportPath('semgrep.tmp.json', excludes), true);
      assert.equal(isExcludedReportPath('docs/semgrep.json', excludes), false);
      assert.equal(isExcludedReportPath('builder/codeql.sarif', excludes), false);
      assert.deepEqual(activeFilesExcludeGlobs(['**/build']), [], 'a value of the wrong shape excludes nothing');
      assert.deepEqual(activeFilesExcludeGlobs(undefined), []);
    });

    it('takes the first matching entry, so a file keeps its engagement and test', () => {
      const entries = [
        { glob: 'ci/**/*.sarif', engagement: 'CI' },
        { glob: '**/*.sarif', engagement: 'Local' },
      ];
      assert.equal(matchWatchEntry('ci/x/codeql.sarif', entries)?.engagement, 'CI');
      assert.equal(matchWatchEntry('codeql.sarif', entries)?.engagement, 'Local');
    });
  });

  describe('watchedTestTitle', () => {
    it('defaults to the report path so two reports of one scan type keep separate tests', () => {
      assert.equal(watchedTestTitle('codeql.sarif', { glob: '**/*.sarif' }), 'codeql.sarif');
      assert.equal(watchedTestTitle('eslint.sarif', { glob: '**/*.sarif', testTitle: 'Lint' }), 'Lint');
      assert.equal(watchedTestTitle('a.sarif', null), 'a.sarif');
    });
  });
});
