import { promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isInsideFolder } from './report-paths';

/**
 * Where a finding's file really is. Report paths are untrusted and so is the repository: a
 * lexical check (`isOutsideFolderPath`) refuses `../../etc/passwd`, but a committed symbolic
 * link `src/config -> /etc` passes it. Every place that opens or points the editor at a
 * finding's file resolves the real path first and refuses targets outside the folder.
 */
export type FolderFile =
  | { kind: 'inside'; uri: vscode.Uri }
  | { kind: 'outside'; real: string }
  | { kind: 'missing' };

/** A workspace-relative path that cannot be resolved on disk (missing, or a broken link). */
function missingOrOutside(error: unknown): FolderFile {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
  // A loop of links (ELOOP) or an unreadable parent is not a file we may open.
  return { kind: 'outside', real: String((error as Error)?.message ?? error) };
}

function classify(folder: vscode.Uri, relative: string, realRoot: string, real: string): FolderFile {
  if (!isInsideFolder(realRoot, real)) return { kind: 'outside', real };
  return { kind: 'inside', uri: vscode.Uri.joinPath(folder, relative) };
}

/**
 * Resolves a workspace-relative path of a folder on disk. Folders that are not on this file
 * system (a virtual workspace) have no symbolic links we could follow, so the lexical check
 * the callers already made is all there is.
 */
export async function resolveFolderFile(folder: vscode.Uri, relative: string): Promise<FolderFile> {
  const uri = vscode.Uri.joinPath(folder, relative);
  if (folder.scheme !== 'file') return { kind: 'inside', uri };
  try {
    const realRoot = await fs.realpath(folder.fsPath);
    const real = await fs.realpath(path.join(folder.fsPath, relative));
    return classify(folder, relative, realRoot, real);
  } catch (error) {
    return missingOrOutside(error);
  }
}

/**
 * The same check, synchronous, for the diagnostics refresh (which rebuilds every file's
 * entries at once). The folder's own real path is resolved once per refresh by the caller.
 */
export class FolderFileResolver {
  private readonly realRoot: string | null;

  constructor(private readonly folder: vscode.Uri) {
    let root: string | null = null;
    if (folder.scheme === 'file') {
      try {
        root = realpathSync(folder.fsPath);
      } catch {
        root = null;
      }
    }
    this.realRoot = root;
  }

  /** Whether a diagnostic may point at this path: inside the folder, or not on disk at all. */
  resolve(relative: string): FolderFile {
    const uri = vscode.Uri.joinPath(this.folder, relative);
    if (this.folder.scheme !== 'file' || this.realRoot === null) return { kind: 'inside', uri };
    try {
      return classify(this.folder, relative, this.realRoot, realpathSync(path.join(this.folder.fsPath, relative)));
    } catch (error) {
      return missingOrOutside(error);
    }
  }
}
