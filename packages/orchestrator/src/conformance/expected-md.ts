import { readFileSync } from 'node:fs';

/** One row of a scenario table of EXPECTED.md, cells as written. */
export type ExpectedRow = {
  section: string;
  file: string;
  exercises: string;
  setup: string;
  finalState: string;
  n: string;
  facts: string;
  test: string;
};

/**
 * Reads the scenario tables of `EXPECTED.md` (every table whose header
 * starts with `| file |`). "(same file)"/"(same)" rows inherit the file above.
 */
export function readExpectedMd(path: string): ExpectedRow[] {
  const rows: ExpectedRow[] = [];
  let section = '';
  let inTable = false;
  let lastFile = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = splitRow(line);
    if (cells[0] === 'file') {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+$/.test(cells[0] ?? '')) continue;
    const fileCell = (cells[0] ?? '').replace(/`/g, '');
    const file = fileCell.startsWith('(') || fileCell === '' ? lastFile : fileCell;
    lastFile = file;
    rows.push({
      section,
      file,
      exercises: cells[1] ?? '',
      setup: cells[2] ?? '',
      finalState: cells[3] ?? '',
      n: cells[4] ?? '',
      facts: cells[5] ?? '',
      test: cells[6] ?? '',
    });
  }
  return rows;
}

/** Splits a markdown table row on `|` outside backticks. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let tick = false;
  for (const ch of line.trim().slice(1, -1)) {
    if (ch === '`') tick = !tick;
    if (ch === '|' && !tick) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

/** The expected final state: `SUCCESS`, `— (FAILED)` (implied) or undefined (`—`). */
export function expectedState(cell: string): string | undefined {
  // `SUCCESS (both)`: the state every execution of the row ends in.
  const m = /([A-Z]{4,})\)?\s*(\(both\))?\s*$/.exec(cell.replace(/\*/g, ''));
  return m ? m[1] : undefined;
}

/** The expected task-run count: `11`, `— (1)`, or the last of `1, then 3`. */
export function expectedCount(cell: string): number | undefined {
  const nums = cell.match(/\d+/g);
  return nums ? Number(nums[nums.length - 1]) : undefined;
}
