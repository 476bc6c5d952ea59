/**
 * ISO-8601 durations as Java's `java.time.Duration.parse` reads them (Kestra's
 * durations are `Duration`s): `PnDTnHnMn.nS`, each part optional, signs
 * allowed, case-insensitive. Weeks, months and years are not durations in Java.
 */
const ISO_DURATION =
  /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/**
 * Parses an ISO-8601 duration into milliseconds, or `undefined` if the text is
 * not one.
 *
 * @example
 * parseIsoDuration('PT1S'); // 1000
 * parseIsoDuration('P1DT2H'); // 93_600_000
 * parseIsoDuration('1s'); // undefined
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = ISO_DURATION.exec(text.trim());
  if (!m) return undefined;
  const [, sign, d, h, min, s, frac] = m;
  if (d === undefined && h === undefined && min === undefined && s === undefined) return undefined;
  if (/T$/i.test(text.trim())) return undefined;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  const fraction = frac ? Number(`0.${frac}`) * (s?.startsWith('-') ? -1 : 1) : 0;
  const ms = ((n(d) * 24 + n(h)) * 60 + n(min)) * 60_000 + (n(s) + fraction) * 1000;
  return Math.round(sign === '-' ? -ms : ms);
}
