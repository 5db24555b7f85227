import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { Ledger } from '../engine';

/**
 * What git knows about a workspace folder: the HEAD commit (recorded on each import as our own
 * `gitHead`, and as DefectDojo's `commit_hash` / `branch_tag` by the editor) and the files
 * renamed since a commit, for the fingerprint algorithm's rename tier (docs/improvements.md §4).
 * Everything degrades to "unknown" without git, outside a repository, or when a recorded commit
 * is no longer there (a shallow CI clone, a rebased branch). Shared by the CLI and the editor;
 * the editor only calls it in trusted workspaces, because a repository's configuration can name
 * programs for git to run.
 */

const GIT_TIMEOUT_MS = 5000;

/**
 * Runs git on `folder` with `-C` rather than starting it there: on Windows a bare program name
 * is looked up in the working directory before PATH (as it is on POSIX when PATH has an empty or
 * `.` entry), so a repository that commits a `git.exe` would otherwise have it run on import. The
 * process starts in the directory of the running Node or editor binary, which the user installed.
 */
function git(folder: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      const options = { cwd: path.dirname(process.execPath), timeout: GIT_TIMEOUT_MS, windowsHide: true, maxBuffer: 16 * 1024 * 1024 };
      execFile('git', ['-C', folder, ...args], options, (error, stdout) => {
        resolve(error ? null : String(stdout));
      });
    } catch {
      // execFile can throw synchronously (an invalid argument); git is then simply unknown.
      resolve(null);
    }
  });
}

export interface GitHead {
  commitHash: string;
  /** The branch name; empty when HEAD is detached. */
  branchTag: string;
}

/** The folder's HEAD commit and branch, or null outside a repository (or without git). */
export async function gitHead(folder: string): Promise<GitHead | null> {
  const commit = (await git(folder, ['rev-parse', '--verify', '-q', 'HEAD']))?.trim();
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const branch = (await git(folder, ['rev-parse', '--abbrev-ref', 'HEAD']))?.trim() ?? '';
  return { commitHash: commit, branchTag: branch === 'HEAD' ? '' : branch };
}

/**
 * Parses `git diff --name-status -M -z` output into old path → new path for renames. With
 * `-z` each field ends with NUL, so paths with spaces, tabs or newlines come through intact.
 * Copies (`C`) are not renames: the original is still there and keeps its findings.
 */
export function parseRenames(output: string): Map<string, string> {
  const fields = output.split('\0');
  const renames = new Map<string, string>();
  for (let i = 0; i < fields.length; ) {
    const status = fields[i];
    if (!status) {
      i++;
      continue;
    }
    if (status.startsWith('R') || status.startsWith('C')) {
      const from = fields[i + 1];
      const to = fields[i + 2];
      if (status.startsWith('R') && from && to) renames.set(from, to);
      i += 3;
    } else {
      i += 2;
    }
  }
  return renames;
}

/**
 * Files renamed between `sinceCommit` and the working tree, by path relative to `folder`
 * (`--relative`, so a workspace that is a sub-folder of its repository gets its own paths).
 * Empty without git, outside a repository, or when the commit is unknown.
 */
export async function gitRenames(folder: string, sinceCommit: string | null | undefined): Promise<Map<string, string>> {
  // Only a commit id is passed to git: a recorded value is data from the store, never options.
  if (!sinceCommit || !/^[0-9a-f]{7,64}$/.test(sinceCommit)) return new Map();
  const out = await git(folder, ['diff', '--name-status', '-M', '-z', '--relative', sinceCommit, '--']);
  return out === null ? new Map() : parseRenames(out);
}

/**
 * The commit the test's files were last scanned at: our own `gitHead` recorded on the test's
 * latest import that has one, else that import's `commitHash` when it is a commit id (the
 * editor recorded HEAD there before `gitHead` existed). Null for a new test.
 */
export function previousGitHead(ledger: Ledger, testId: number | undefined): string | null {
  if (testId === undefined) return null;
  const imports = ledger.importsOfTest(testId);
  for (let i = imports.length - 1; i >= 0; i--) {
    const record = imports[i];
    if (record.settings.gitHead) return record.settings.gitHead;
    if (/^[0-9a-f]{40,64}$/.test(record.commitHash)) return record.commitHash;
  }
  return null;
}
