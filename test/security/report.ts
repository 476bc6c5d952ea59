import { afterAll, it } from 'vitest';

type Row = { finding: string; attack: string; runtime: string; outcome: string };

/**
 * The security suite's table: each attack is an `it` that records its
 * outcome (`held`, or the failure it met), and the file prints the table of
 * cases and outcomes when it ends.
 *
 * @example
 * const attack = securityTable('webhook routing');
 * attack('finding 2', 'keyless run of flow webhook/x', 'process', async () => { ... });
 */
export function securityTable(title: string) {
  const rows: Row[] = [];
  afterAll(() => {
    if (rows.length === 0) return;
    const head: Row = { finding: 'finding', attack: 'attack', runtime: 'runtime', outcome: 'outcome' };
    const all = [head, ...rows];
    const width = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
    const line = (r: Row) =>
      `  ${r.finding.padEnd(width('finding'))}  ${r.attack.padEnd(width('attack'))}  ${r.runtime.padEnd(width('runtime'))}  ${r.outcome}`;
    const held = rows.filter((r) => r.outcome === 'held').length;
    process.stdout.write(
      `\n[security] ${title}: ${held}/${rows.length} attacks held\n${all.map(line).join('\n')}\n\n`,
    );
  });
  return (
    finding: string,
    attack: string,
    runtime: string,
    body: () => Promise<void>,
    timeoutMs?: number,
  ) => {
    it(
      `${finding}: ${attack} [${runtime}]`,
      async () => {
        const row: Row = { finding, attack, runtime, outcome: 'running' };
        rows.push(row);
        try {
          await body();
          row.outcome = 'held';
        } catch (err) {
          row.outcome = `NOT HELD: ${(err as Error).message.split('\n')[0]?.slice(0, 100)}`;
          throw err;
        }
      },
      timeoutMs,
    );
  };
}
