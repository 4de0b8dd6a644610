/**
 * Wall-clock start times of segments, for object keys and EXT-X-PROGRAM-DATA-TIME.
 *
 * Within a timeline, a segment's start is the timeline's anchor plus media time, so consecutive keys
 * differ by exactly the segment durations and a playlist generator can tell a real gap from
 * rounding. The anchor is the wall clock at the timeline's first frame (live) or, for inputs
 * processed faster than real time, the configured origin plus the media time already used. A live
 * anchor is moved when the encoder's clock drifts more than a second from the wall clock. Start
 * times are strictly increasing per stream, so keys never collide.
 */
import type { DiscontinuityReason } from '../types.js';

const MAX_DRIFT_MS = 1_000;

/** Maps a stream's 90 kHz PTS to wall-clock ms. */
export class SegmentClock {
  readonly #now: () => number;
  readonly #mediaOrigin: number | undefined;
  #anchorMs = 0;
  #anchorPts = 0;
  #lastStartMs = -1;
  #lastEndMs = 0;

  /**
   * @param now - wall clock, ms since the epoch
   * @param mediaTimeOriginMs - when set, time comes from media time only (file inputs)
   */
  constructor(now: () => number, mediaTimeOriginMs: number | undefined) {
    if (mediaTimeOriginMs !== undefined && (!Number.isFinite(mediaTimeOriginMs) || mediaTimeOriginMs < 0)) {
      throw new RangeError(`mediaTimeOriginMs must be a non-negative number of ms since the epoch, got ${mediaTimeOriginMs}`);
    }
    this.#now = now;
    this.#mediaOrigin = mediaTimeOriginMs;
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
      this.#anchorMs = this.#now();
    }
  }

  /** Start time (integer ms) of a segment whose first frame has PTS `firstPts`, lasting `durationTicks`. */
  startTimeMs(firstPts: number, durationTicks: number): number {
    let t = this.#anchorMs + (firstPts - this.#anchorPts) / 90;
    if (this.#mediaOrigin === undefined) {
      const wall = this.#now() - durationTicks / 90; // the segment is finished now: it started about this long ago
      if (Math.abs(t - wall) > MAX_DRIFT_MS) {
        this.#anchorMs += wall - t;
        t = wall;
      }
    }
    let ms = Math.floor(t);
    if (ms <= this.#lastStartMs) ms = this.#lastStartMs + 1;
    this.#lastStartMs = ms;
    this.#lastEndMs = t + durationTicks / 90;
    return ms;
  }
}
