/**
 * What a source feeds: the subset of `HlsStream` a producer needs. Sources depend on this port, not
 * on the stream class, so they can be tested with a collector and composed with any muxer.
 */
import type { AudioFramePack, DiscontinuityReason, VideoFramePack } from '../types.js';

/** The consumer side of a source: an `HlsStream` satisfies it structurally. */
export interface FrameTarget {
  /**
   * Hands one access unit over; the target copies what it needs before returning.
   * @returns false when the frame was dropped (and counted by the target)
   */
  putVideoFrame(pack: VideoFramePack): boolean;
  /**
   * Hands one or more ADTS frames over; copied before returning.
   * @returns false when dropped
   */
  putAudioFrame(pack: AudioFramePack): boolean;
  /** Marks that the next segment does not continue the previous one (RFC 8216 §4.3.2.3). */
  markDiscontinuity(reason: DiscontinuityReason): void;
}
