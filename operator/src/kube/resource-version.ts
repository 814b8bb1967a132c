/**
 * Ordering two resourceVersions of the same resource. Kubernetes long kept them opaque (equality
 * only); KEP-5504 made them comparable, stable since v1.35: a resourceVersion is a positive
 * decimal integer without leading zeros, and a larger one is newer. An apiserver that still hands
 * out something else (an aggregated API with its own scheme) gets `undefined`, and callers fall
 * back to equality.
 */
const COMPARABLE = /^[1-9][0-9]*$/u;

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b`; undefined when either is not comparable. */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  if (!COMPARABLE.test(a) || !COMPARABLE.test(b)) return undefined;
  // Compared as digit strings: a resourceVersion may exceed what a double holds exactly.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** True when `candidate` is known to be `version` or newer. */
export function isAtLeast(candidate: string, version: string): boolean {
  const order = compareResourceVersions(candidate, version);
  return order === undefined ? candidate === version : order >= 0;
}
