import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { EngineContext } from '../engine';

type SourcePort = NonNullable<EngineContext['source']>;

/** Source files larger than this are not read for content fingerprints (generated bundles). */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

/**
 * The workspace's files as the engine's content fingerprints read them (product.md §4): lines of
 * a workspace-relative path, read once per run. Reports are untrusted, so a path that leaves the
 * workspace folder (`../../etc/passwd`, an absolute path elsewhere) is never read.
 */
export function workspaceSource(root: string): SourcePort {
  const absoluteRoot = path.resolve(root);
  const cache = new Map<string, readonly string[] | undefined>();
  return {
    lines(filePath: string): readonly string[] | undefined {
      if (cache.has(filePath)) return cache.get(filePath);
      const lines = readLines(absoluteRoot, filePath);
      cache.set(filePath, lines);
      return lines;
    },
  };
}

function readLines(root: string, filePath: string): readonly string[] | undefined {
  const absolute = path.resolve(root, filePath);
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  try {
    const stat = statSync(absolute);
    if (!stat.isFile() || stat.size > MAX_SOURCE_BYTES) return undefined;
    return readFileSync(absolute, 'utf8').split(/\r?\n/);
  } catch {
    // A file the report names but the workspace no longer has: no content fingerprint.
    return undefined;
  }
}
