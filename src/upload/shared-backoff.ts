/**
 * The uploader's retry delays (docs/upload.md): full jitter under an exponential cap per segment, and
 * one gate shared by all streams while the link keeps failing, lifted by the first success.
 */

/** Exponential backoff with full jitter, and the shared gate of consecutive transient failures. */
export class SharedBackoff {
  /** Transient failures since the last success, across all streams (the shared backoff's exponent). */
  private consecutiveFailures = 0;
  /** No attempt starts before this time (ms, `performance.now()`): the shared backoff after a transient failure. */
  private gateMs = 0;

  /**
   * @param baseDelayMs - the cap of the first retry's delay, ms
   * @param maxDelayMs - the largest cap, ms
   */
  constructor(
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
  ) {}

  /** The time (ms, monotonic) before which no attempt starts; 0 when the gate is open. */
  get gateUntilMs(): number {
    return this.gateMs;
  }

  /**
   * Full jitter (random in [0, cap)): spreads a fleet's retries after a shared outage.
   * @param exponent - retries so far (the cap doubles with each, up to `maxDelayMs`)
   * @returns the delay, ms
   */
  delayMs(exponent: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(Math.max(exponent, 0), 30));
    return Math.round(Math.random() * cap);
  }

  /**
   * A transient failure: while S3 (or the uplink) keeps failing, the other queued segments wait too,
   * instead of each spending an attempt on a dead connection.
   * @param nowMs - `performance.now()`
   */
  transientFailure(nowMs: number): void {
    this.consecutiveFailures++;
    this.gateMs = Math.max(this.gateMs, nowMs + this.delayMs(this.consecutiveFailures - 1));
  }

  /**
   * A success: the link works again. The gate is lifted too, or segments handed in now would wait
   * out a delay chosen during the outage (up to retry.maxDelayMs).
   */
  succeeded(): void {
    this.consecutiveFailures = 0;
    this.gateMs = 0;
  }
}
