/**
 * "Did you mean": the known name closest to one that was looked up and not found. Pure, and the one place the
 * rules (targets, waypoints), the constructs and the simulator (clients, hosts, backends) take suggestions from.
 */

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two adjacent characters,
 * each one edit. Stops early and returns `max + 1` once the distance must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number = Number.MAX_SAFE_INTEGER): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length] > max ? max + 1 : prev[b.length];
}

/** Edits a typo of a name this long may have: 1 up to 4 characters, 2 up to 8, 3 beyond; fewer than half of it. */
function allowedEdits(length: number): number {
  return Math.min(length <= 4 ? 1 : length <= 8 ? 2 : 3, Math.ceil(length / 2) - 1);
}

/**
 * The candidate `wanted` is most likely a typo of, or undefined when none is close: the same name in another case,
 * else the fewest edits within {@link allowedEdits} of the longer name; ties go to the first in sorted order.
 * `wanted` itself is never suggested.
 */
export function closestName(wanted: string, candidates: Iterable<string>): string | undefined {
  // hostile manifests put anything where a name belongs
  if (typeof wanted !== 'string') return undefined;
  const lower = wanted.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.MAX_SAFE_INTEGER;
  for (const c of [...new Set(candidates)].sort()) {
    if (typeof c !== 'string' || c === wanted) continue;
    if (c.toLowerCase() === lower) return c;
    const limit = allowedEdits(Math.max(c.length, wanted.length));
    const d = editDistance(wanted, c, Math.min(limit, bestDistance - 1));
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean "x"? ` when a candidate is close, else `''`: the start of a fix. */
export function didYouMean(wanted: string, candidates: Iterable<string>): string {
  const c = closestName(wanted, candidates);
  return c === undefined ? '' : `did you mean ${JSON.stringify(c)}? `;
}
