import * as path from 'node:path';
import picomatch from 'picomatch';
import type { WatchEntry } from '../model';

/**
 * Path rules shared by the watcher, the decorations and the import commands. Pure: no
 * `vscode`, no file system, so the rules that keep reports inside the workspace and match
 * findings to documents can be unit tested.
 */

/**
 * Turns a file path as a scanner wrote it into a workspace-relative POSIX path, so a finding
 * written as `./src/a.js`, `src\a.js`, `file:///repo/src/a.js` or `/repo/src/a.js` matches the
 * document `src/a.js`. Returns the cleaned absolute path when it lies outside the folder, so
 * the caller can still try a suffix match (reports made on a CI machine carry its checkout
 * path).
 *
 * @param folderPath the workspace folder as a POSIX path (`Uri.path`), e.g. `/work/repo`.
 */
export function normaliseFindingPath(raw: string, folderPath: string): string {
  let p = raw.trim();
  if (/^file:\/\//i.test(p)) {
    p = p.replace(/^file:\/\/[^/]*/i, '');
    try {
      p = decodeURIComponent(p);
    } catch {
      // A malformed escape stays as written; it then simply matches no document.
    }
  }
  p = p.replace(/\\/g, '/');
  // `file:///C:/x` leaves `/C:/x`; a Windows drive path is absolute either way.
  if (/^\/[A-Za-z]:\//.test(p)) p = p.slice(1);
  const absolute = p.startsWith('/') || /^[A-Za-z]:\//.test(p);
  p = path.posix.normalize(p);
  if (absolute) {
    const root = path.posix.normalize(folderPath.replace(/\\/g, '/')).replace(/\/+$/, '');
    const rootCompare = /^\/[A-Za-z]:\//.test(root) ? root.slice(1) : root;
    if (startsWithRoot(p, rootCompare)) return p.slice(rootCompare.length + 1);
    return p;
  }
  p = p.replace(/^(\.\/)+/, '');
  if (p === '.') return '';
  return p;
}

/**
 * True when `p` lies below `root`. Drive letters differ in case between tools (`c:` vs `C:`);
 * the rest is compared exactly, because POSIX file systems are case sensitive.
 */
function startsWithRoot(p: string, root: string): boolean {
  if (p.length <= root.length || p[root.length] !== '/') return false;
  if (/^[A-Za-z]:/.test(root)) {
    return p[0].toLowerCase() === root[0].toLowerCase() && p.slice(1, root.length) === root.slice(1);
  }
  return p.startsWith(root);
}

/** True when a normalised finding path is still absolute, i.e. outside the folder. */
export function isAbsoluteFindingPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/**
 * True when a normalised finding path does not name a file inside the folder: absolute, or
 * climbing out with `..` (a report may write `../../etc/passwd`). Such paths are never joined
 * to the folder URI, so no diagnostic or editor action points at a file outside the workspace.
 */
export function isOutsideFolderPath(p: string): boolean {
  return isAbsoluteFindingPath(p) || p === '..' || p.startsWith('../');
}

/**
 * True when `target` is `root` or lies below it. Both must already be real paths
 * (`fs.realpath`), so a symbolic link inside the folder that points outside is refused.
 */
export function isInsideFolder(root: string, target: string, pathApi: typeof path = path): boolean {
  const rel = pathApi.relative(root, target);
  if (rel === '') return true;
  return !rel.startsWith('..') && !pathApi.isAbsolute(rel);
}

/** Folders never searched for reports: dependencies, VCS metadata, our own store. */
export const EXCLUDED_REPORT_GLOBS: readonly string[] = ['**/node_modules/**', '**/.git/**', '**/.scan-ledger/**'];

/**
 * The globs of a `files.exclude` value that are on: VS Code's setting maps a glob to `true`,
 * `false`, or `{ "when": ... }` (a sibling condition, which needs the folder listing and is
 * left to the editor's own views). Anything else a hand-edited file holds is ignored.
 */
export function activeFilesExcludeGlobs(filesExclude: unknown): string[] {
  if (typeof filesExclude !== 'object' || filesExclude === null || Array.isArray(filesExclude)) return [];
  return Object.entries(filesExclude as Record<string, unknown>)
    .filter(([glob, on]) => on === true && glob.trim() !== '')
    .map(([glob]) => glob.trim());
}

/**
 * True when a workspace-relative path is in an excluded place: our fixed folders, or one of
 * `excludes` (`scanLedger.watchExclude` and `files.exclude`). A glob excludes a file when it
 * matches the file or one of its folders, because `files.exclude` usually names a folder
 * (`build` at any depth) while the default `scanLedger.watchExclude` names a folder's contents;
 * both mean the same to a user.
 */
export function isExcludedReportPath(relPath: string, excludes: readonly string[] = []): boolean {
  const p = relPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const globs = [...EXCLUDED_REPORT_GLOBS, ...excludes];
  const candidates = [p];
  for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) candidates.push(p.slice(0, i));
  return globs.some((g) => candidates.some((c) => picomatch.isMatch(c, g, { dot: true })));
}

/**
 * The first watch entry whose glob matches a workspace-relative path, or null when none does
 * or the path is in an excluded folder (`excludes`: the folder's `scanLedger.watchExclude` and
 * `files.exclude`). VS Code's file watcher is created per entry, but one file can match several
 * entries; taking the first keeps its engagement and test stable.
 */
export function matchWatchEntry(relPath: string, entries: readonly WatchEntry[], storeRelPath?: string, excludes: readonly string[] = []): WatchEntry | null {
  const p = relPath.replace(/\\/g, '/');
  if (storeRelPath && p === storeRelPath.replace(/\\/g, '/').replace(/^\.\//, '')) return null;
  if (isExcludedReportPath(p, excludes)) return null;
  for (const entry of entries) {
    if (picomatch.isMatch(p, entry.glob, { dot: true })) return entry;
  }
  return null;
}

/**
 * Which test a watched report goes into: the entry's title when it names one, otherwise the
 * report's workspace-relative path, so two SARIF files of different tools (both scan type
 * `SARIF`) each keep their own test instead of closing each other's findings.
 */
export function watchedTestTitle(relPath: string, entry: WatchEntry | null): string {
  return entry?.testTitle?.trim() || relPath;
}

/** The file-picker filter: the extensions every supported report format uses. */
export const REPORT_FILE_EXTENSIONS: readonly string[] = ['sarif', 'json', 'xml', 'csv'];
