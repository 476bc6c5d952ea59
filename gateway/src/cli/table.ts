/**
 * Renders rows as a plain-text table for people (`--json` is for scripts).
 *
 * @example
 * formatTable([{ id: 'acme', state: 'running' }], ['id', 'state']);
 * // ID    STATE
 * // acme  running
 */
export function formatTable(rows: Record<string, unknown>[], columns: string[]): string {
  const text = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const cells = rows.map((row) => columns.map((c) => text(row[c])));
  const header = columns.map((c) => c.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/** Renders one object as `key: value` lines, nested objects indented. */
export function formatRecord(record: Record<string, unknown>, indent = ''): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      lines.push(`${indent}${key}:`);
      lines.push(formatRecord(value as Record<string, unknown>, `${indent}  `));
    } else {
      lines.push(
        `${indent}${key}: ${value === null || value === undefined ? '-' : JSON.stringify(value).replace(/^"|"$/g, '')}`,
      );
    }
  }
  return lines.join('\n');
}
