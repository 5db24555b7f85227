import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInsideFolder } from './report-paths';

/**
 * The engine's window on source files, for content fingerprints (product.md §4): the lines of a
 * workspace-relative file as it is on disk (what the scanner saw). Reports are untrusted, so a
 * path that leaves the folder (`../../etc/passwd`, an absolute path, a symbolic link pointing
 * out) is never read. One instance serves one import and caches what it read.
 */
export interface SourceLines {
  lines(filePath: string): readonly string[] | undefined;
  /** Old path → new path for files git saw renamed since the previous scan. */
  renamedFiles(): ReadonlyMap<string, string>;
}

/** Files larger than this are not fingerprinted by content (generated bundles); the CLI's limit. */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

export function workspaceSourceReader(folderPath: string, renames: ReadonlyMap<string, string> = new Map()): SourceLines {
  const cache = new Map<string, readonly string[] | undefined>();
  let root: string | undefined;
  const rootPath = (): string => (root ??= fs.realpathSync(folderPath));
  return {
    renamedFiles: () => renames,
    lines(filePath: string): readonly string[] | undefined {
      if (cache.has(filePath)) return cache.get(filePath);
      let result: readonly string[] | undefined;
      try {
        const candidate = path.resolve(folderPath, filePath.replace(/^file:\/\//i, ''));
        const real = fs.realpathSync(candidate);
        if (isInsideFolder(rootPath(), real)) {
          const stat = fs.statSync(real);
          if (stat.isFile() && stat.size <= MAX_SOURCE_BYTES) {
            // Split exactly as the CLI does, so both compute the same content fingerprints.
            result = fs.readFileSync(real, 'utf8').split(/\r?\n/);
          }
        }
      } catch {
        // A file the report names but the workspace lacks (deleted, generated elsewhere) has
        // no content fingerprint; the engine falls back to its other identities.
        result = undefined;
      }
      cache.set(filePath, result);
      return result;
    },
  };
}
