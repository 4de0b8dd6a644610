/** Small statistics and formatting helpers of the benchmark. */

/**
 * Median of a list (the mean of the two middle values for an even count).
 * @param values - samples
 * @returns the median, or NaN for an empty list
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Nearest-rank percentile.
 * @param values - samples
 * @param p - 0..100
 * @returns the value at rank ceil(p/100·n), or NaN for an empty list
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Rounds for the report.
 * @param value - a number
 * @param digits - decimals @defaultValue 2
 * @returns the rounded number
 */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Bytes → MiB. */
export function mib(bytes: number): number {
  return bytes / 1_048_576;
}

/** Runs the collected garbage twice (needs --expose-gc; a no-op without). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** True when the process runs with --expose-gc. */
export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/**
 * CPU milliseconds (user + system) this process has used: what the bench times with, because the
 * machine is shared and wall time counts other processes' turns too.
 * @returns ms since the process started
 */
export function cpuNowMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}
