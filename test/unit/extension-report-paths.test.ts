import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { isInsideFolder, matchWatchEntry, normaliseFindingPath, watchedTestTitle } from '../../src/extension/report-paths';
import { DEFAULT_WATCH } from '../../src/model';

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
