import { strict as assert } from 'node:assert';
import { ImportQueue, type QueueTimers } from '../../src/extension/import-queue';

/** Timers driven by the test: `advance(ms)` fires what is due, in order. */
class ManualTimers implements QueueTimers {
  private now = 0;
  private nextHandle = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.due.set(handle, { at: this.now + ms, fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [handle, t] of [...this.due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.now) {
        this.due.delete(handle);
        t.fn();
      }
    }
  }

  get pending(): number {
    return this.due.size;
  }
}

/** A job the test finishes by hand, to observe overlap. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('extension import queue', () => {
  it('turns a burst of events for one report into one import after the quiet period', async () => {
    const timers = new ManualTimers();
    const queue = new ImportQueue(timers, () => assert.fail('no error expected'));
    const runs: string[] = [];
    for (let i = 0; i < 5; i++) {
      queue.debounce('trivy.json', 500, () => {
        runs.push(`run ${i}`);
        return Promise.resolve();
      });
      timers.advance(100);
    }
    assert.deepEqual(runs, [], 'nothing runs while events keep coming');
    timers.advance(500);
    await queue.idle();
    assert.deepEqual(runs, ['run 4'], 'the last job runs once');
  });

  it('debounces each report on its own', async () => {
    const timers = new ManualTimers();
    const queue = new ImportQueue(timers, () => undefined);
    const runs: string[] = [];
    queue.debounce('a', 500, () => Promise.resolve(void runs.push('a')));
    timers.advance(300);
    queue.debounce('b', 500, () => Promise.resolve(void runs.push('b')));
    timers.advance(200);
    await queue.idle();
    assert.deepEqual(runs, ['a']);
    timers.advance(300);
    await queue.idle();
    assert.deepEqual(runs, ['a', 'b']);
  });

  it('runs imports one at a time, in order', async () => {
    const queue = new ImportQueue(new ManualTimers(), () => undefined);
    const first = deferred();
    const events: string[] = [];
    const a = queue.enqueue(async () => {
      events.push('a start');
      await first.promise;
      events.push('a end');
    });
    const b = queue.enqueue(() => {
      events.push('b start');
      return Promise.resolve();
    });
    await flush();
    assert.deepEqual(events, ['a start'], 'b waits for a');
    assert.equal(queue.busy, true);
    first.resolve();
    await Promise.all([a, b]);
    assert.deepEqual(events, ['a start', 'a end', 'b start']);
    assert.equal(queue.busy, false);
  });

  it('does not queue a report twice while it waits, and imports it again when it changes during its import', async () => {
    const queue = new ImportQueue(new ManualTimers(), () => undefined);
    const blocker = deferred();
    void queue.enqueue(() => blocker.promise);
    let runs = 0;
    const job = (): Promise<void> => {
      runs++;
      return Promise.resolve();
    };
    void queue.enqueueKeyed('r', job);
    void queue.enqueueKeyed('r', job);
    blocker.resolve();
    await queue.idle();
    assert.equal(runs, 1, 'the waiting job covers both events');

    const running = deferred();
    void queue.enqueueKeyed('r', async () => {
      runs++;
      await running.promise;
    });
    await flush();
    void queue.enqueueKeyed('r', job);
    running.resolve();
    await queue.idle();
    assert.equal(runs, 3, 'a change during the import is imported afterwards');
  });

  it('reports a failing import and goes on with the next', async () => {
    const errors: string[] = [];
    const queue = new ImportQueue(new ManualTimers(), (key, error) => errors.push(`${key}: ${(error as Error).message}`));
    let ran = false;
    void queue.enqueueKeyed('bad.sarif', () => Promise.reject(new Error('malformed')));
    void queue.enqueueKeyed('good.sarif', () => {
      ran = true;
      return Promise.resolve();
    });
    await queue.idle();
    assert.deepEqual(errors, ['bad.sarif: malformed']);
    assert.equal(ran, true);
  });

  it('keeps running after an unkeyed job rejects, and hands the rejection to its caller', async () => {
    const queue = new ImportQueue(new ManualTimers(), () => undefined);
    await assert.rejects(
      queue.enqueue(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await queue.enqueue(() => Promise.resolve(42)), 42);
  });

  it('drops debounced imports on dispose', async () => {
    const timers = new ManualTimers();
    const queue = new ImportQueue(timers, () => undefined);
    let ran = false;
    queue.debounce('a', 500, () => {
      ran = true;
      return Promise.resolve();
    });
    queue.dispose();
    assert.equal(timers.pending, 0);
    timers.advance(1000);
    await queue.idle();
    assert.equal(ran, false);
  });
});
