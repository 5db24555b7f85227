// Types of scripts/check-lockfile.mjs, for the unit tests that import it.
export type FloatingKind = 'tag' | 'wildcard';
export interface UnpinnedSpec {
  owner: string;
  path: string;
  field: string;
  dependency: string;
  spec: string;
  kind: FloatingKind;
}
export function floatingKind(spec: string): FloatingKind | null;
export function isPinned(overrides: Record<string, unknown>, dependency: string, ancestors: string[]): boolean;
export function findUnpinnedSpecs(lock: unknown, manifest: { overrides?: Record<string, unknown> }): UnpinnedSpec[];
