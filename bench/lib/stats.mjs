/** Small statistics and formatting helpers for the benchmark harness. */

/** The q-quantile (0..1) of `values` by nearest rank; undefined for no values. */
export function quantile(values, q) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** p50, p95, p99, min, max, mean and count of a list of numbers. */
export function summary(values) {
  const n = values.length;
  const mean = n === 0 ? undefined : values.reduce((a, b) => a + b, 0) / n;
  return {
    n,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    min: n === 0 ? undefined : Math.min(...values),
    max: n === 0 ? undefined : Math.max(...values),
    mean,
  };
}

/** a / b, or undefined when either is missing or b is 0. */
export function ratio(a, b) {
  if (a === undefined || b === undefined || a === null || b === null || b === 0) return undefined;
  return a / b;
}

/** Milliseconds with a sensible number of digits. */
export function ms(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (value < 1) return `${value.toFixed(3)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value)} ms`;
}

export function mb(bytes) {
  if (bytes === undefined || bytes === null) return '–';
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function num(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function times(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return `${value.toFixed(2)}×`;
}

export const sleep = (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs));

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight; returns the results in order. */
export async function pool(count, concurrency, fn) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
  return results;
}
