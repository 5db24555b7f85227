/**
 * The errors the store layer throws. Each names the file and the problem, so the CLI can print
 * it as one line (exit code 1 or 2) and the editor can show it as is.
 */
export class StoreError extends Error {
  readonly filePath: string;
  readonly problem: string;

  constructor(filePath: string, problem: string, options?: { cause?: unknown }) {
    super(`${filePath}: ${problem}`, options);
    this.name = 'StoreError';
    this.filePath = filePath;
    this.problem = problem;
  }
}

/**
 * Another process held the store's lock for longer than we were willing to wait, or took it
 * from us while we were working (our lock went stale) and changed the store in between.
 */
export class StoreLockError extends StoreError {
  constructor(filePath: string, problem: string, options?: { cause?: unknown }) {
    super(filePath, problem, options);
    this.name = 'StoreLockError';
  }
}

/** A `.vscode/settings.json` that cannot be parsed or written, or a setting value that is invalid. */
export class WorkspaceSettingsError extends Error {
  readonly filePath: string;
  readonly problem: string;

  constructor(filePath: string, problem: string, options?: { cause?: unknown }) {
    super(`${filePath}: ${problem}`, options);
    this.name = 'WorkspaceSettingsError';
    this.filePath = filePath;
    this.problem = problem;
  }
}
