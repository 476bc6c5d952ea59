const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses the gateway's short durations (`250ms`, `30s`, `5m`, `1h`, `2d`) into
 * milliseconds; a bare number is milliseconds. Throws a message that names the
 * accepted forms.
 *
 * @example
 * parseShortDuration('5m'); // 300000
 */
export function parseShortDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) {
    throw new Error(`invalid duration "${text}": use a number with a unit, e.g. 250ms, 30s, 5m, 1h`);
  }
  const unit = match[2] ?? 'ms';
  return Math.round(Number(match[1]) * (UNITS[unit] ?? 1));
}
