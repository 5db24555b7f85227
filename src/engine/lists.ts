/**
 * The two list operations the engine's indexes share: keeping values in lists under a key, and
 * finding a place in a sorted list. One copy of each, so every index groups and searches alike.
 */

/**
 * Pushes `value` into the list under `key`, creating the list on first use. No key (null or
 * undefined: a finding with no fingerprint, no file) adds nothing; the empty string is a key.
 */
export function addTo<K, V>(map: Map<K, V[]>, key: K | null | undefined, value: V): void {
  if (key === null || key === undefined) return;
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The first index of a sorted list whose element is not `before` the value sought (the list's
 * length when every element is), by binary search: `before` must hold for a prefix of the list
 * and fail for the rest.
 */
export function partitionPoint<T>(list: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(list[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
