import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorePathError } from './errors';
import { isInsideRoot } from './workspace-source';

/**
 * Where a store path configured by the workspace itself may point (issue 16, item 6).
 *
 * `scanLedger.storePath` in `.vscode/settings.json` arrives with the repository, and the CLI runs
 * in CI on pull-request checkouts with no Workspace Trust: a pull request that sets it to
 * `../elsewhere/store.json`, an absolute path or `.git/hooks/pre-commit` would make Scan Ledger
 * move that file aside and write a store (plus `.gitignore` and lock files) there. A path from
 * the workspace's settings must therefore stay inside the workspace folder and out of `.git`,
 * judged on the real path: existing folders on the way are resolved through their symbolic
 * links, so a committed link out of the folder does not pass either. A path the user gives
 * explicitly (`--store`, the user's own settings) is not judged here: that is their choice.
 */

/** Whether any component of a relative path is `.git`, in any case (Windows and macOS fold case). */
function hasGitComponent(relative: string): boolean {
  return relative.split(/[\\/]+/).some((part) => part.toLowerCase() === '.git');
}

/** Where a symbolic link at `file` points, or null when `file` is not a link. */
function linkTarget(file: string): string | null {
  try {
    if (!fs.lstatSync(file).isSymbolicLink()) return null;
    return path.resolve(path.dirname(file), fs.readlinkSync(file));
  } catch {
    return null;
  }
}

/**
 * The real path `candidate` would have once written: its longest existing ancestor resolved
 * through symbolic links, with the parts that do not exist yet appended as they are (they will
 * be created as plain folders). A dangling link on the way is followed to where it points, since
 * creating or writing through it would land there.
 */
function realPathOf(candidate: string, depth = 0): string {
  if (depth > 40) throw new Error('too many levels of symbolic links');
  const pending: string[] = [];
  let current = candidate;
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...pending.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      const target = linkTarget(current);
      if (target) return realPathOf(path.join(target, ...pending.reverse()), depth + 1);
      pending.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves a store path taken from the workspace's settings against the workspace folder `root`
 * and returns the absolute path to use, or throws a `StorePathError` naming the setting and the
 * problem when the path leaves the folder or enters `.git`, lexically or through a link.
 * Nothing is created or written.
 */
export function resolveWorkspaceStorePath(root: string, configured: string): string {
  const absoluteRoot = path.resolve(root);
  const candidate = path.resolve(absoluteRoot, configured);
  const refuse = (problem: string): never => {
    throw new StorePathError(
      candidate,
      `the store path "${configured}" from the workspace settings (scanLedger.storePath) ${problem}; ` +
        'a store path set by the repository must stay inside the workspace folder and out of .git ' +
        '(a place outside it can be chosen explicitly: --store on the command line, or your user settings in the editor)',
    );
  };
  if (candidate === absoluteRoot || !isInsideRoot(absoluteRoot, candidate)) refuse('leaves the workspace folder');
  if (hasGitComponent(path.relative(absoluteRoot, candidate))) refuse('points into .git');

  let realRoot: string;
  try {
    realRoot = fs.realpathSync(absoluteRoot);
  } catch {
    // No workspace folder yet: nothing on disk can redirect the path, and the lexical checks hold.
    return candidate;
  }
  let real: string;
  try {
    real = realPathOf(candidate);
  } catch (error) {
    throw new StorePathError(candidate, `cannot resolve the store path: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (real === realRoot || !isInsideRoot(realRoot, real)) refuse(`resolves to ${real}, outside the workspace folder`);
  if (hasGitComponent(path.relative(realRoot, real))) refuse(`resolves to ${real}, inside .git`);
  return candidate;
}
