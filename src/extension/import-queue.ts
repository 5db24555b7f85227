/**
 * Debounced, one-at-a-time running of imports. Pure (timers injected), so the rules are unit
 * tested without waiting:
 * - a burst of file events for one report (scanners often write a file in several chunks)
 *   becomes one import, `delayMs` after the last event;
 * - imports never overlap: the store is one file and DefectDojo's reimport is not commutative;
 * - a report already waiting in the queue is not queued twice (the waiting job reads the file
 *   when it runs, so it sees the newest content); one that changes while its import runs is
 *   imported again afterwards;
 * - a failing job is reported and does not stop the queue.
 */

export interface QueueTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_TIMERS: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type ImportJob = () => Promise<void>;

export class ImportQueue {
  private readonly pending = new Map<string, { handle: unknown; job: ImportJob }>();
  /** Keys whose job is queued and not started yet. */
  private readonly waiting = new Set<string>();
  private tail: Promise<void> = Promise.resolve();
  private running = 0;
  private disposed = false;

  constructor(
    private readonly timers: QueueTimers,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  /**
   * Schedules `job` for `key` after `delayMs` of quiet: a later call for the same key restarts
   * the wait and replaces the job.
   */
  debounce(key: string, delayMs: number, job: ImportJob): void {
    if (this.disposed) return;
    const seen = this.pending.get(key);
    if (seen) this.timers.clearTimeout(seen.handle);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      void this.enqueueKeyed(key, job);
    }, delayMs);
    this.pending.set(key, { handle, job });
  }

  /**
   * Queues a keyed job now. Resolves when it has run (or when the already waiting job for the
   * same key has run, which does the same work).
   */
  enqueueKeyed(key: string, job: ImportJob): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.waiting.has(key)) return this.tail;
    this.waiting.add(key);
    return this.enqueue(async () => {
      this.waiting.delete(key);
      try {
        await job();
      } catch (error) {
        this.onError(key, error);
      }
    });
  }

  /** Queues any job (a manual import with the user's choices) behind the running ones. */
  enqueue<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.running++;
      try {
        return await job();
      } finally {
        this.running--;
      }
    });
    // The chain must survive a failure, or every later import would be skipped.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** True while an import runs or waits (debounced ones included). */
  get busy(): boolean {
    return this.running > 0 || this.waiting.size > 0 || this.pending.size > 0;
  }

  /** Resolves once everything queued so far has run (debounced jobs not yet due excluded). */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Drops debounced jobs; queued ones finish, later calls do nothing. */
  dispose(): void {
    this.disposed = true;
    for (const { handle } of this.pending.values()) this.timers.clearTimeout(handle);
    this.pending.clear();
  }
}
