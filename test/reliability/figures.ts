import { afterAll } from 'vitest';

/**
 * The reliability suite's table of figures: each scenario records named
 * figures (counts, latencies, seconds), and the file prints one table when
 * it ends, so a CI log and the issue's note show the same numbers.
 *
 * @example
 * const figures = figureTable('fuzzing through the gateway');
 * figures.record('flow YAML', { cases: 120, '5xx': 0 });
 */
export function figureTable(title: string) {
  const rows: Array<{ scenario: string; figures: Record<string, string | number> }> = [];
  afterAll(() => {
    if (rows.length === 0) return;
    const width = Math.max(...rows.map((r) => r.scenario.length));
    const lines = rows.map(
      (r) =>
        `  ${r.scenario.padEnd(width)}  ${Object.entries(r.figures)
          .map(([k, v]) => `${k}=${v}`)
          .join('  ')}`,
    );
    process.stdout.write(`\n[reliability] ${title}\n${lines.join('\n')}\n\n`);
  });
  return {
    record(scenario: string, figures: Record<string, string | number>): void {
      rows.push({ scenario, figures });
    },
  };
}
