import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The repository root, from which the workers are run so `tsx` resolves. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A worker script of this folder, run by Node with tsx's loader. */
export function spawnWorker(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code and signal once the process has ended. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Collects a child's stdout lines and stderr text as they arrive. */
export function collectOutput(child: ChildProcess): { lines: string[]; stderr: () => string; onLine: (fn: (line: string) => void) => void } {
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const fn of listeners) fn(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return { lines, stderr: () => stderr, onLine: (fn) => listeners.push(fn) };
}

export { seededRandom } from '../seeded-random';
