import { execFile } from 'node:child_process';

/**
 * What git knows about a workspace folder, for import records (commit and branch, as
 * DefectDojo's `commit_hash` and `branch_tag`) and for the fingerprint algorithm's rename tier
 * (files renamed since the previous scan). Everything degrades to "unknown" without git. Git
 * is only run in trusted workspaces: a repository's configuration can name programs to run.
 */

const GIT_TIMEOUT_MS = 5000;

function git(folder: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: folder, timeout: GIT_TIMEOUT_MS, windowsHide: true, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
      resolve(error ? null : String(stdout));
    });
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

/** Files renamed between `sinceCommit` and the working tree, by workspace-relative path. */
export async function gitRenamesSince(folder: string, sinceCommit: string): Promise<Map<string, string>> {
  if (!/^[0-9a-f]{7,64}$/.test(sinceCommit)) return new Map();
  const out = await git(folder, ['diff', '--name-status', '-M', '-z', '--relative', sinceCommit, '--']);
  return out === null ? new Map() : parseRenames(out);
}
