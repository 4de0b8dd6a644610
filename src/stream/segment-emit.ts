/**
 * Hands a finished segment to the sink: builds the {@link Segment} (views of the pool, metadata,
 * a release that gives the space back) and makes sure the space comes back even when nobody will
 * release it (no sink, or a sink that threw).
 */
import type { DiscontinuityReason, Segment, SegmentSink } from '../types.js';
import type { SegmentClock } from './segment-clock.js';
import type { StreamCounters } from './stream-stats.js';

/** What the segmenter knows about the segment it just closed. */
export interface FinishedSegment {
  readonly streamId: string;
  readonly sequence: number;
  readonly mediaSequence: number;
  readonly firstPts90k: number;
  readonly durationTicks: number;
  readonly startTimeMs: number;
  readonly parts: readonly Uint8Array[];
  readonly byteLength: number;
  readonly reason: DiscontinuityReason | undefined;
  readonly videoFrames: number;
  readonly audioFrames: number;
  readonly codecs: string;
  readonly width: number;
  readonly height: number;
  readonly overTarget: boolean;
  /** The device's wall clock when the segment was cut, ms (object metadata; docs/keys.md, "Clocks"). */
  readonly deviceTimeMs?: number | undefined;
  /** Gives the pool space back. */
  readonly release: () => void;
}

/**
 * Emits one segment.
 * @param s - the segment's facts
 * @param sink - its consumer, or undefined (then it is released at once)
 * @param counters - the stream's counters (segments, bytes, long segments)
 * @returns the error the sink threw, if it did (the segment was released)
 */
export function emitSegment(s: FinishedSegment, sink: SegmentSink | undefined, counters: StreamCounters): Error | undefined {
  let released = false;
  const segment: Segment = {
    streamId: s.streamId,
    sequence: s.sequence,
    mediaSequence: s.mediaSequence,
    firstPts90k: s.firstPts90k,
    durationTicks: s.durationTicks,
    startTimeMs: s.startTimeMs,
    byteLength: s.byteLength,
    parts: s.parts,
    discontinuity: s.reason !== undefined,
    discontinuityReason: s.reason,
    videoFrames: s.videoFrames,
    audioFrames: s.audioFrames,
    codecs: s.codecs,
    width: s.width,
    height: s.height,
    overTarget: s.overTarget,
    ...(s.deviceTimeMs !== undefined ? { deviceTimeMs: s.deviceTimeMs } : {}),
    release: () => {
      released = true;
      s.release();
    },
  };
  counters.segments++;
  counters.bytes += s.byteLength;
  if (s.overTarget) counters.longSegments++;
  if (sink === undefined) {
    // No consumer: nothing will ever release it, so give the space back at once.
    segment.release();
    return undefined;
  }
  try {
    sink.onSegment(segment);
    return undefined;
  } catch (e) {
    // A sink that throws will not release what it was handed: give the space back here, or the
    // pool fills and the stream is dead.
    if (!released) s.release();
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** What the segmenter says about a segment it closed; the emitter adds sequence numbers and times. */
export type ClosedSegment = Omit<FinishedSegment, 'streamId' | 'sequence' | 'mediaSequence' | 'startTimeMs' | 'deviceTimeMs' | 'parts' | 'byteLength' | 'release'>;

/** Numbers a stream's segments and hands them out (sequence, media sequence, start time). */
export class SegmentEmitter {
  readonly #streamId: string;
  readonly #clock: SegmentClock;
  readonly #counters: StreamCounters;
  #sequence = 0;
  #mediaSequenceBase = 0;

  /**
   * @param streamId - the stream's id
   * @param clock - maps first PTS to start times
   * @param counters - the stream's counters
   */
  constructor(streamId: string, clock: SegmentClock, counters: StreamCounters) {
    this.#streamId = streamId;
    this.#clock = clock;
    this.#counters = counters;
  }

  /**
   * Emits a closed segment.
   * @param done - its bytes in the pool and how to give them back
   * @param facts - what the segmenter knows about it
   * @param sink - its consumer
   * @returns the error the sink threw, if it did
   */
  emit(done: { readonly parts: readonly Uint8Array[]; readonly byteLength: number; release(): void }, facts: ClosedSegment, sink: SegmentSink | undefined): Error | undefined {
    const startTimeMs = this.#clock.startTimeMs(facts.firstPts90k, facts.durationTicks);
    // mediaSequence = floor(run start ms / 100) + sequence: still increasing after a restart (docs/architecture.md).
    if (this.#sequence === 0) this.#mediaSequenceBase = Math.floor(startTimeMs / 100);
    const sequence = this.#sequence++;
    return emitSegment(
      {
        ...facts,
        streamId: this.#streamId,
        sequence,
        mediaSequence: this.#mediaSequenceBase + sequence,
        startTimeMs,
        deviceTimeMs: this.#clock.deviceTimeMs(),
        parts: done.parts,
        byteLength: done.byteLength,
        release: () => done.release(),
      },
      sink,
      this.#counters,
    );
  }
}
