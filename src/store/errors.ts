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

/**
 * A store path taken from the workspace's own settings (`scanLedger.storePath` in
 * `.vscode/settings.json`) that resolves outside the workspace folder or into `.git`. A
 * repository is untrusted input: a pull request must not make Scan Ledger write elsewhere on
 * the machine or replace a git hook. It is a bad input, not a failure of the store.
 */
export class StorePathError extends StoreError {
  constructor(filePath: string, problem: string, options?: { cause?: unknown }) {
    super(filePath, problem, options);
    this.name = 'StorePathError';
  }
}

/**
 * The store file could not be read (corrupt, newer or broken older schema) and the caller asked
 * not to carry on with an empty store (`onUnreadable: 'set-aside-and-fail'` or `'fail'`). A
 * command that needs the store's contents, a gate above all, must fail rather than answer for
 * an empty store. `setAsideTo` is where the bytes now are, or null when they were left in place.
 */
export class StoreUnreadableError extends StoreError {
  readonly reason: string;
  readonly setAsideTo: string | null;

  constructor(filePath: string, reason: string, setAsideTo: string | null) {
    super(filePath, setAsideTo ? `cannot read the store (${reason}); it was moved aside to ${setAsideTo}` : `cannot read the store (${reason})`);
    this.name = 'StoreUnreadableError';
    this.reason = reason;
    this.setAsideTo = setAsideTo;
  }
}
