/**
 * Counters of one stream. Every frame handed in is either written into a segment or counted here as
 * dropped, with the reason: nothing is lost silently.
 */
import type { PoolStats } from '../pool/segment-pool.js';

/** A snapshot of a stream's counters, from `HlsStream.stats()`. */
export interface StreamStats {
  /** The camera (stream id). */
  readonly streamId: string;
  /** Video frame packs handed to putVideoFrame. */
  readonly videoFramesIn: number;
  /** Audio frame packs handed to putAudioFrame. */
  readonly audioFramesIn: number;
  /** Video frames written into emitted segments (or the open one). */
  readonly videoFramesWritten: number;
  /** Audio packs written into emitted segments (or the open one). */
  readonly audioFramesWritten: number;
  /** Video frames dropped, all reasons. */
  readonly videoFramesDropped: number;
  /** Audio packs dropped, all reasons. */
  readonly audioFramesDropped: number;
  /**
   * Video frames accepted and held at a pending cut (waiting for late audio): neither written nor
   * dropped yet. `videoFramesIn = written + dropped + held` at any moment; 0 after finalize().
   * (Audio held ahead of the video counts as written when taken, and moves to dropped if it is lost.)
   */
  readonly videoFramesHeld: number;
  /** Dropped frames (video + audio) by error code, e.g. `{ POOL_FULL: 12, NO_KEYFRAME_YET: 3 }`. */
  readonly droppedByReason: Readonly<Record<string, number>>;
  /** Segments emitted to the sink. */
  readonly segments: number;
  /** Segments longer than the target because a GOP was (cut only at IDR frames). */
  readonly longSegments: number;
  /** Bytes of emitted segments. */
  readonly bytes: number;
  /** Pool counters (capacity, use, high-water mark). */
  readonly pool: PoolStats;
}

/** Mutable counters behind {@link StreamStats}; one per stream. */
export class StreamCounters {
  videoIn = 0;
  audioIn = 0;
  videoWritten = 0;
  audioWritten = 0;
  videoDropped = 0;
  audioDropped = 0;
  segments = 0;
  longSegments = 0;
  bytes = 0;
  readonly #byReason = new Map<string, number>();

  /** Counts `frames` dropped frames of one kind for one reason. */
  drop(kind: 'video' | 'audio', code: string, frames: number): void {
    if (frames <= 0) return;
    if (kind === 'video') this.videoDropped += frames;
    else this.audioDropped += frames;
    this.#byReason.set(code, (this.#byReason.get(code) ?? 0) + frames);
  }

  /** Takes back frames counted as written (a rolled-back GOP) so they can be counted as dropped. */
  unwrite(videoFrames: number, audioFrames: number): void {
    this.videoWritten -= videoFrames;
    this.audioWritten -= audioFrames;
  }

  /** A snapshot for stats(). */
  snapshot(streamId: string, pool: PoolStats, videoHeld = 0): StreamStats {
    return {
      streamId,
      videoFramesIn: this.videoIn,
      audioFramesIn: this.audioIn,
      videoFramesWritten: this.videoWritten,
      audioFramesWritten: this.audioWritten,
      videoFramesDropped: this.videoDropped,
      audioFramesDropped: this.audioDropped,
      videoFramesHeld: videoHeld,
      droppedByReason: Object.fromEntries(this.#byReason),
      segments: this.segments,
      longSegments: this.longSegments,
      bytes: this.bytes,
      pool,
    };
  }
}
