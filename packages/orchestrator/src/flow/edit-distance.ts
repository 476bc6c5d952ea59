/**
 * Levenshtein distance between two strings (insert, delete, substitute: 1 each).
 *
 * @example
 * editDistance('Logg', 'Log'); // 1
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `given`, or `undefined` when none is reasonably close
 * (more than half of the longer string would have to change). Candidates are
 * compared whole and by their last dotted segment, case-insensitively, so
 * `schedule` finds `io.kestra.plugin.core.trigger.Schedule`.
 *
 * @example
 * closest('io.kestra.plugin.core.log.Logg', ['io.kestra.plugin.core.log.Log']); // 'io.kestra.plugin.core.log.Log'
 */
export function closest(given: string, candidates: Iterable<string>): string | undefined {
  const g = given.toLowerCase();
  const gShort = g.slice(g.lastIndexOf('.') + 1);
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const cShort = c.slice(c.lastIndexOf('.') + 1);
    const whole = editDistance(g, c) / Math.max(g.length, c.length);
    const short = editDistance(gShort, cShort) / Math.max(gShort.length, cShort.length) + 0.01;
    const score = Math.min(whole, short);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return bestScore <= 0.5 ? best : undefined;
}
