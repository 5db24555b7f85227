import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourcePort, SuppressionSources } from '../engine';
import { StoreError } from './errors';

/**
 * The workspace's files as the engine reads them (docs/improvements.md §4–§5): the lines of a source file
 * for content fingerprints and inline suppressions (`# nosec`, `nosemgrep`, `checkov:skip=`),
 * and the ignore files at the root (`.gitleaksignore`, `.trivyignore`, `.trivyignore.yaml`).
 * The CLI and the editor both read through this one implementation, so they compute the same
 * fingerprints from the same bytes.
 *
 * Reports are untrusted: a path they name that leaves the workspace folder (`../../etc/passwd`,
 * an absolute path elsewhere, a symbolic link pointing out) is never read.
 */

/** Files larger than this are not read for fingerprints (generated bundles, minified code). */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024;
/** Ignore files larger than this are not read: a real one is a few kilobytes. */
export const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

/** Whether `candidate` (already resolved) lies inside `root` (already resolved), or is it. */
export function isInsideRoot(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/** The absolute path a report's file path names inside the workspace folder `root`. */
function workspacePath(root: string, filePath: string): string {
  return path.resolve(root, filePath.replace(/^file:\/\//i, ''));
}

/** The real path of the workspace folder, or null when there is none to read from. */
function workspaceRealPath(root: string): string | null {
  try {
    return fs.realpathSync.native(root);
  } catch {
    return null;
  }
}

/**
 * Reads a file, given as a path already resolved against the workspace folder whose real path is
 * `realRoot`, as text; undefined when it is missing, not a regular file, over `maxBytes`, or
 * resolves (through symbolic links) outside the folder.
 */
function readResolvedText(candidate: string, maxBytes: number, realRoot: string): string | undefined {
  try {
    // A file the report names that is not there is the usual case for a report imported
    // without its sources; a stat that returns nothing costs a fifth of realpath's exception.
    // It follows symbolic links, so it describes the file the real path below names.
    const stat = fs.statSync(candidate, { throwIfNoEntry: false });
    if (!stat || !stat.isFile() || stat.size > maxBytes) return undefined;
    // The native realpath is one system call; the JavaScript one lstats every path component,
    // which for a report naming 100,000 files was most of a reimport's file-system time.
    const real = fs.realpathSync.native(candidate);
    if (real === realRoot || !isInsideRoot(realRoot, real)) return undefined;
    return fs.readFileSync(real, 'utf8');
  } catch {
    // A file the report names but the workspace lacks (deleted, generated elsewhere): the
    // engine falls back to its other identities.
    return undefined;
  }
}

/**
 * A source port over the workspace folder `root`: one instance serves one import and caches
 * what it read, so every finding of a file sees the same text. `renames` are git's renames
 * since the previous import of the test (see `gitRenames`), for the fingerprint rename tier.
 */
export function workspaceSource(root: string, renames: ReadonlyMap<string, string> = new Map()): SourcePort & Required<Pick<SourcePort, 'renamedFiles'>> {
  const cache = new Map<string, readonly string[] | undefined>();
  // Whether each folder the report names exists. A report imported without its sources (an
  // artifact of another job) names thousands of files in a few hundred folders: one look at each
  // folder instead of one per file (a stat of a missing path costs several microseconds).
  const folders = new Map<string, boolean>();
  const folderExists = (folder: string): boolean => {
    let exists = folders.get(folder);
    if (exists === undefined) {
      try {
        exists = fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory() ?? false;
      } catch {
        // A path through a file, one too long or with a NUL byte (a hostile report): no folder.
        exists = false;
      }
      folders.set(folder, exists);
    }
    return exists;
  };
  // The root's real path, looked up once: null when there is no root to read from, so a
  // missing root is not looked up again for every file the report names.
  let realRoot: string | null | undefined;
  const rootRealPath = (): string | null => (realRoot === undefined ? (realRoot = workspaceRealPath(root)) : realRoot);
  return {
    renamedFiles: () => renames,
    lines(filePath: string): readonly string[] | undefined {
      if (cache.has(filePath)) return cache.get(filePath);
      const real = rootRealPath();
      const candidate = workspacePath(root, filePath);
      // Split on \r?\n in every host, so a file with Windows line ends fingerprints the same
      // in the editor, the CLI and CI.
      const lines = real !== null && folderExists(path.dirname(candidate)) ? readResolvedText(candidate, MAX_SOURCE_BYTES, real)?.split(/\r?\n/) : undefined;
      cache.set(filePath, lines);
      return lines;
    },
  };
}

/**
 * What `applyNativeSuppressions` reads: the source lines (through the same port the engine
 * fingerprints with) and the ignore files at the workspace root; a missing or oversized ignore
 * file is absent.
 */
export function readSuppressionSources(root: string, source: Pick<SourcePort, 'lines'>): SuppressionSources {
  // The root's real path is looked up once for the three ignore files.
  const realRoot = workspaceRealPath(root);
  const ignoreFile = (name: string) => (realRoot === null ? null : readResolvedText(workspacePath(root, name), MAX_IGNORE_FILE_BYTES, realRoot) ?? null);
  return {
    lines: (filePath) => source.lines(filePath),
    gitleaksIgnore: ignoreFile('.gitleaksignore'),
    trivyIgnore: ignoreFile('.trivyignore'),
    trivyIgnoreYaml: ignoreFile('.trivyignore.yaml'),
  };
}

/**
 * Refuses a file of ours (the store, the triage file) that resolves outside the workspace
 * folder. Both live in `.scan-ledger/`, which arrives through git, so a pull request can make
 * the file or its folder a symbolic link: reading through it would parse a file elsewhere on the
 * machine, and writing would put files outside the workspace. The file is checked when it
 * exists, else its folder; nothing is checked when the workspace folder itself is missing.
 */
export async function assertResolvesInsideWorkspace(workspaceRoot: string, file: string, what = 'the file'): Promise<void> {
  let realRoot: string;
  try {
    realRoot = await fs.promises.realpath(workspaceRoot);
  } catch {
    return;
  }
  for (const candidate of [file, path.dirname(file)]) {
    let real: string;
    try {
      real = await fs.promises.realpath(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new StoreError(file, `cannot resolve the path: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (real !== realRoot && !isInsideRoot(realRoot, real)) {
      throw new StoreError(file, `resolves to ${real}, outside the workspace folder; ${what} is only read and written inside it`);
    }
    return;
  }
}
