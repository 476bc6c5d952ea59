/**
 * How ForEachItem cuts its items into batches (Kestra `StorageSplitInterface`):
 * `bytes` wins over `partitions`, which wins over `rows` (default 1 row).
 */
export type SplitOptions = {
  /** Start a new batch once the current one holds this much: `512`, `10KB`, `1MB`, `1GB` (1024-based). */
  bytes?: string | number;
  /** Spread the rows round-robin over this many batches (empty ones dropped). */
  partitions?: number | string;
  /** Rows per batch. @default 1 */
  rows?: number | string;
  /** What ends a row, kept at the end of each row written. @default "\n" */
  separator?: string;
};

/** A batch option that cannot be used. */
export class SplitOptionsError extends Error {
  override readonly name = 'SplitOptionsError';
  readonly code = 'SPLIT_OPTIONS';
}

/**
 * Cuts the rows of `text` into batches as Kestra's `StorageService.split`
 * does: each row is written followed by the separator; a trailing separator
 * does not make an extra empty row.
 *
 * @example
 * splitItems('a\nb\nc\n', { rows: 2 }); // ['a\nb\n', 'c\n']
 * splitItems('a\nb\nc\n', { partitions: 2 }); // ['a\nc\n', 'b\n']
 */
export function splitItems(text: string, options: SplitOptions): string[] {
  const separator = options.separator ?? '\n';
  if (separator === '') throw new SplitOptionsError('batch.separator must not be empty');
  const rows = text === '' ? [] : text.split(separator);
  if (rows.length > 0 && text.endsWith(separator)) rows.pop();
  if (options.bytes !== undefined) {
    const max = parseBytes(options.bytes);
    return cut(rows, separator, (size) => size >= max);
  }
  if (options.partitions !== undefined) {
    const n = positiveInt(options.partitions, 'batch.partitions');
    const parts: string[][] = Array.from({ length: n }, () => []);
    rows.forEach((row, i) => {
      parts[i % n]!.push(row + separator);
    });
    return parts.filter((p) => p.length > 0).map((p) => p.join(''));
  }
  const perBatch = positiveInt(options.rows ?? 1, 'batch.rows');
  return cut(rows, separator, (_size, count) => count >= perBatch);
}

function cut(rows: string[], separator: string, full: (bytes: number, rows: number) => boolean): string[] {
  const batches: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (current.length > 0 && full(bytes, current.length)) {
      batches.push(current.join(''));
      current = [];
      bytes = 0;
    }
    const line = row + separator;
    current.push(line);
    bytes += Buffer.byteLength(line);
  }
  if (current.length > 0) batches.push(current.join(''));
  return batches;
}

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Micronaut's readable bytes: a count with an optional `KB`/`MB`/`GB` (1024-based). */
export function parseBytes(v: string | number): number {
  const m = /^\s*(\d+)\s*(B|KB|MB|GB)?\s*$/i.exec(String(v));
  const n = m ? Number(m[1]) * UNITS[(m[2] ?? '').toUpperCase()]! : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new SplitOptionsError(`batch.bytes must be a size such as 512, 10KB or 1MB, got '${v}'`);
  return n;
}

function positiveInt(v: unknown, name: string): number {
  const n = typeof v === 'string' ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw new SplitOptionsError(`${name} must be an integer ≥ 1, got '${String(v)}'`);
  return n;
}
