/**
 * Wall-clock start times of segments, for object keys and EXT-X-PROGRAM-DATA-TIME.
 *
 * Within a timeline, a segment's start is the timeline's anchor plus media time, so consecutive keys
 * differ by exactly the segment durations and a playlist generator can tell a real gap from
 * rounding. The anchor is the live clock at the timeline's first frame (live) or, for inputs
 * processed faster than real time, the configured origin plus the media time already used. A live
 * anchor is moved when the encoder's clock drifts more than a second from the live clock. Start
 * times are strictly increasing per timeline, so keys never collide.
 *
 * The live clock is an {@link AnchoredClock}: monotonic, re-anchored to the wall clock only when the
 * wall clock steps. {@link SegmentClock.steppedSinceLastCheck} tells the stream that a step happened,
 * and the stream starts a new timeline (`clock-step`) whose times follow the new wall clock, back or
 * forward; only then may start times go back (keys stay unique: they carry the media sequence).
 */
import type { DiscontinuityReason } from '../types.js';
import { AnchoredClock } from './anchored-clock.js';

const MAX_DRIFT_MS = 1_000;

/** Maps a stream's 90 kHz PTS to wall-clock ms. */
export class SegmentClock {
  readonly #clock: AnchoredClock;
  readonly #mediaOrigin: number | undefined;
  #generation: number;
  /** A step was reported and the next restart has not happened yet. */
  #stepPending = false;
  #anchorMs = 0;
  #anchorPts = 0;
  #lastStartMs = -1;
  #lastEndMs = 0;

  /**
   * @param now - wall clock, ms since the epoch; when it is not `Date.now` (a test's clock) and no
   *   `clock` is given, it is also the monotonic clock (no step detection, the old behaviour)
   * @param mediaTimeOriginMs - when set, time comes from media time only (file inputs)
   * @param clock - the live clock (shared by the streams of a process) @defaultValue a new one
   */
  constructor(now: () => number, mediaTimeOriginMs: number | undefined, clock?: AnchoredClock) {
    if (mediaTimeOriginMs !== undefined && (!Number.isFinite(mediaTimeOriginMs) || mediaTimeOriginMs < 0)) {
      throw new RangeError(`mediaTimeOriginMs must be a non-negative number of ms since the epoch, got ${mediaTimeOriginMs}`);
    }
    this.#clock = clock ?? new AnchoredClock(now === Date.now ? {} : { wallNow: now, monotonicNow: now });
    this.#mediaOrigin = mediaTimeOriginMs;
    this.#generation = this.#clock.generation;
  }

  /**
   * Live streams: checks the wall clock; true once per step of it (the caller starts a new
   * timeline with reason `clock-step`). Always false for file inputs.
   */
  steppedSinceLastCheck(): boolean {
    if (this.#mediaOrigin !== undefined) return false;
    const g = this.#clock.check();
    if (g === this.#generation) return false;
    this.#generation = g;
    this.#stepPending = true;
    return true;
  }

  /** The device's own wall clock for live streams (segment metadata), undefined for file inputs. */
  deviceTimeMs(): number | undefined {
    return this.#mediaOrigin === undefined ? Math.round(this.#clock.wallNow()) : undefined;
  }

  /** Starts a new timeline whose first frame has PTS `pts`. */
  restart(pts: number, reason: DiscontinuityReason): void {
    // Frames dropped (pool full) leave the timestamps continuous: keep the anchor, so the dropped
    // media time stays a gap in start times (and in playlists) instead of being squeezed out.
    if (reason === 'dropped-frames' && this.#lastStartMs >= 0) return;
    this.#anchorPts = pts;
    if (this.#mediaOrigin !== undefined) {
      this.#anchorMs = this.#lastStartMs < 0 ? this.#mediaOrigin : this.#lastEndMs;
    } else {
      this.#anchorMs = this.#clock.now();
      // The wall clock stepped: the new timeline follows it, back too (a discontinuity says so),
      // whatever other reason starts it.
      if (this.#stepPending || reason === 'clock-step') this.#lastStartMs = -1;
      this.#stepPending = false;
    }
  }

  /** Start time (integer ms) of a segment whose first frame has PTS `firstPts`, lasting `durationTicks`. */
  startTimeMs(firstPts: number, durationTicks: number): number {
    let t = this.#anchorMs + (firstPts - this.#anchorPts) / 90;
    if (this.#mediaOrigin === undefined) {
      const live = this.#clock.now() - durationTicks / 90; // the segment is finished now: it started about this long ago
      if (Math.abs(t - live) > MAX_DRIFT_MS) {
        this.#anchorMs += live - t;
        t = live;
      }
    }
    let ms = Math.floor(t);
    if (ms <= this.#lastStartMs) ms = this.#lastStartMs + 1;
    this.#lastStartMs = ms;
    this.#lastEndMs = t + durationTicks / 90;
    return ms;
  }
}
