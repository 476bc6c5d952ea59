/**
 * Reads a duration the way flows write them: a number of ms (the parser's
 * normal form) or an ISO-8601 duration (`PT1S`, `PT0.250S`, `P1DT2H`).
 * Throws a message naming the value when it is neither.
 *
 * @example
 * durationMs('PT1.5S'); // 1500
 */
export function durationMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const m =
      /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
        value.trim(),
      );
    if (m && value.trim().length > 1) {
      const [, d, h, min, s] = m;
      return Math.round(
        Number(d ?? 0) * 86_400_000 +
          Number(h ?? 0) * 3_600_000 +
          Number(min ?? 0) * 60_000 +
          Number(s ?? 0) * 1000,
      );
    }
    if (/^\d+$/.test(value.trim())) return Number(value.trim());
  }
  throw new Error(`invalid duration ${JSON.stringify(value)}: expected ISO-8601 like PT1S`);
}
