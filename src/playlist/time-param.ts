/**
 * Parses the `start`/`end` query values a playlist request may carry: ISO 8601 with a zone
 * (`2026-11-22T03:00:00Z`, `...+01:00`), epoch seconds (`1795316400`, 9 to 11 digits, fractions
 * allowed), or the reference demo's `YYYY-MM-DD HH:mm:ss` (read as UTC, because keys and folders
 * are UTC).
 *
 * A `+` typed into a query string unencoded arrives as a space (form encoding,
 * application/x-www-form-urlencoded), so one space where an ISO offset goes
 * (`2026-11-22T04:00:00 01:00`) is read as `+01:00`: the space cannot mean anything else there.
 */

/** A time value that could not be parsed; the message names the parameter and the value. */
export class TimeParamError extends RangeError {
  /** The query parameter, e.g. `start`. */
  readonly param: string;
  /**
   * @param param - the parameter name
   * @param message - the sentence to show
   */
  constructor(param: string, message: string) {
    super(message);
    this.name = 'TimeParamError';
    this.param = param;
  }
}

// 9 digits at least: 8 would also be a compact date (20261122), and nobody means 1970 by it.
const EPOCH_SECONDS = /^\d{9,11}(\.\d{1,6})?$/;
const SHORT_NUMBER = /^\d{1,8}(\.\d*)?$/;
// The offset's sign may be a space: a raw `+` in a query string decodes to one.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+\- ]\d{2}:?\d{2})$/;
const REFERENCE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function utc(y: string, mo: string, d: string, h: string, mi: string, s: string | undefined): number | undefined {
  const [Y, M, D, H, Mi, S] = [y, mo, d, h, mi, s ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (M < 1 || M > 12 || D < 1 || D > 31 || H > 23 || Mi > 59 || S > 59) return undefined;
  // Not Date.UTC: it maps years 0..99 to 1900..1999. setUTCFullYear takes the year as written.
  const date = new Date(0);
  date.setUTCFullYear(Y, M - 1, D);
  date.setUTCHours(H, Mi, S, 0);
  // Feb 30 rolls over into March: reject dates that do not exist.
  if (date.getUTCDate() !== D) return undefined;
  return date.getTime();
}

/**
 * Parses one time value.
 *
 * @param value - the raw query value
 * @param param - its name, for the message (`start`, `end`)
 * @returns ms since the Unix epoch (an integer)
 * @throws TimeParamError when the value is not one of the accepted forms or is out of range
 */
export function parseTimeParam(value: string, param: string): number {
  // Trimming is safe: a space that stands for an offset's `+` is inside the value, never at an end.
  const v = value.trim();
  let ms: number | undefined;
  if (SHORT_NUMBER.test(v)) {
    throw new TimeParamError(param, `${param} ${JSON.stringify(v.slice(0, 64))} is too short for epoch seconds (9 to 11 digits); for a date write YYYY-MM-DD`);
  }
  if (EPOCH_SECONDS.test(v)) {
    ms = Math.round(Number(v) * 1000);
  } else {
    let m = ISO.exec(v);
    if (m) {
      const base = utc(m[1], m[2], m[3], m[4], m[5], m[6]);
      if (base !== undefined) {
        const fraction = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
        const zone = m[8];
        let offsetMin: number | undefined = 0;
        if (zone !== 'Z') {
          const digits = zone.replace(':', '');
          const hours = Number(digits.slice(1, 3));
          const minutes = Number(digits.slice(3, 5));
          // ISO 8601 offsets are at most 23:59 (real ones span -12:00..+14:00).
          offsetMin = hours > 23 || minutes > 59 ? undefined : (digits.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
        }
        if (offsetMin !== undefined) ms = base + fraction - offsetMin * 60_000;
      }
    } else if ((m = REFERENCE.exec(v))) {
      ms = utc(m[1], m[2], m[3], m[4], m[5], m[6]);
    } else if ((m = DATE_ONLY.exec(v))) {
      ms = utc(m[1], m[2], m[3], '00', '00', '00');
    }
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > 9_999_999_999_999) {
    throw new TimeParamError(
      param,
      `${param} ${JSON.stringify(value.slice(0, 64))} is not a time: use ISO 8601 with a zone (2026-11-22T03:00:00Z), epoch seconds, or "YYYY-MM-DD HH:mm:ss" (UTC)`,
    );
  }
  return ms;
}
