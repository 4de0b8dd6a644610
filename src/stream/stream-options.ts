/**
 * The options of an HlsStream, its events, and their validation.
 */
import type { AnchoredClock } from './anchored-clock.js';
import type { ErrorCodeValue } from '../errors.js';
import { muxDelayTicks } from '../mpegts/pcr-clock.js';
import type { SegmentSink } from '../types.js';

/** Options of one stream. */
export interface HlsStreamOptions {
  /** Camera id; used in stats, events and by sinks (object key prefixes). */
  readonly streamId: string;
  /** Where finished segments go. May also be set later with {@link HlsStream.setSink}. */
  readonly sink?: SegmentSink | undefined;
  /** Pool size in bytes, allocated once. @defaultValue 4 MiB (the reference C SDK's) */
  readonly poolBytes?: number | undefined;
  /** Segment target in seconds; segments are cut at the first IDR at or after each multiple. @defaultValue 2 */
  readonly targetSegmentSeconds?: number | undefined;
  /**
   * Wall-clock of the stream's first frame, ms since the epoch, for inputs processed faster than
   * real time (files): segment times are then this origin plus media time. When absent, the wall
   * clock at the first frame anchors the timeline (live inputs).
   */
  readonly mediaTimeOriginMs?: number | undefined;
  /** A forward timestamp jump larger than this starts a new timeline. @defaultValue 5000 */
  readonly maxTimestampGapMs?: number | undefined;
  /**
   * How long before its decode time every PES arrives, by the PCR (PCR = DTS − this): the slack a
   * decoder's buffer gets (ISO/IEC 13818-1 T-STD). Between 200 and 5000 ms. It changes no byte count
   * (PCR is a clock field), so pool use does not depend on it. @defaultValue 700 (FFmpeg's `-muxdelay`)
   */
  readonly muxDelayMs?: number | undefined;
  /**
   * Longest a segment cut waits for the previous segment's audio, ms: video from the cut on is held
   * (copied) until audio reaches the cut, so each segment's audio starts with its video. @defaultValue 1000
   */
  readonly maxAudioWaitMs?: number | undefined;
  /** Wall clock, ms since the epoch (tests inject one). @defaultValue Date.now */
  readonly now?: (() => number) | undefined;
  /**
   * Live clock: monotonic, anchored to the wall clock, re-anchored (discontinuity `clock-step`) when
   * the wall clock steps; share one between the streams of a process (docs/keys.md, "Clocks").
   * @defaultValue one of its own
   */
  readonly clock?: AnchoredClock | undefined;
}

/** A dropped-frames report, from the 'drop' event. */
export interface DropEvent {
  /** The camera (stream id). */
  readonly streamId: string;
  /** `video` or `audio`. */
  readonly kind: 'video' | 'audio';
  /** The error code of the drop, e.g. `POOL_FULL`, `BAD_TIMESTAMP`. */
  readonly code: ErrorCodeValue;
  /** One sentence naming the problem. */
  readonly message: string;
  /** How many frames this report covers (a rolled-back GOP counts all of its frames). */
  readonly frames: number;
}

/** Events of a stream. */
export interface HlsStreamEvents {
  /** Frames were dropped (counted in stats().droppedByReason). */
  drop: [DropEvent];
  /** A sink threw from onSegment; the segment was released so the pool does not leak. */
  'sink-error': [Error];
}

/** Options checked and turned into 90 kHz ticks. */
export interface ResolvedOptions {
  readonly streamId: string;
  readonly targetTicks: number;
  readonly maxGapTicks: number;
  readonly maxWaitTicks: number;
  readonly muxDelayTicks: number;
}

/**
 * Checks the options a stream needs at construction.
 * @param options - as given
 * @returns the values in ticks
 * @throws TypeError/RangeError naming a bad option and the value received
 */
export function resolveOptions(options: HlsStreamOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('HlsStream options must be an object');
  if (typeof options.streamId !== 'string' || options.streamId.length === 0) {
    throw new TypeError(`streamId must be a non-empty string, got ${JSON.stringify(options.streamId)}`);
  }
  const target = options.targetSegmentSeconds ?? 2;
  if (!Number.isFinite(target) || target < 0.1 || target > 60) throw new RangeError(`targetSegmentSeconds must be between 0.1 and 60, got ${target}`);
  const gapMs = options.maxTimestampGapMs ?? 5_000;
  if (!Number.isFinite(gapMs) || gapMs <= 0) throw new RangeError(`maxTimestampGapMs must be a positive number, got ${gapMs}`);
  const waitMs = options.maxAudioWaitMs ?? 1_000;
  if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0 || waitMs > 5_000)
    throw new RangeError(`maxAudioWaitMs must be between 0 and 5000, got ${String(waitMs)}`);
  return {
    streamId: options.streamId,
    targetTicks: Math.round(target * 90_000),
    maxGapTicks: Math.round(gapMs * 90),
    maxWaitTicks: Math.round(waitMs * 90),
    muxDelayTicks: muxDelayTicks(options.muxDelayMs),
  };
}
