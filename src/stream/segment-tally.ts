/**
 * The open segment's frame counts and the two places a rollback can return to: the segment's start
 * and the last IDR after it (the GOP being written). The drop policy (hls-stream.ts) only ever emits
 * whole GOPs, so these marks — pool offset, the TS writer's counters and PCR, the frame counts — are
 * all the state a rollback needs.
 */
import type { SpsInfo } from '../h264/sps.js';
import type { TsWriter, WriterMark } from '../mpegts/ts-writer.js';
import type { DiscontinuityReason } from '../types.js';
import type { ClosedSegment } from './segment-emit.js';

/** Half a second in 90 kHz ticks: a segment this much over the target has an EXTINF that rounds above it. */
const HALF_SECOND_TICKS = 45_000;

/** Snapshot of the write state at a GOP start, to roll the GOP back when it cannot be completed. */
export interface Mark extends WriterMark {
  /** Bytes of the open segment written before the mark (0 at the segment start). */
  offset: number;
  /** Video frames of the segment before the mark. */
  videoFrames: number;
  /** Audio packs of the segment before the mark. */
  audioFrames: number;
  /** Audio PES of the segment before the mark. */
  audioPes: number;
  /** PTS of the IDR at the mark. */
  pts: number;
}

function newMark(): Mark {
  return { offset: 0, ccPat: 0, ccPmt: 0, ccVideo: 0, ccAudio: 0, lastPcr: -1, videoFrames: 0, audioFrames: 0, audioPes: 0, pts: 0 };
}

/** Counts and rollback marks of one stream's open segment (made once per stream, reused). */
export class SegmentTally {
  /** Video frames written into the open segment. */
  video = 0;
  /** Audio packs whose first frame is in the open segment. */
  audio = 0;
  /** Audio PES written into the open segment. */
  audioPes = 0;
  /** PTS of the open segment's first frame (its IDR). */
  firstPts = 0;
  /** Largest video PTS written into the open segment. */
  maxPts = 0;
  /** Where the open segment starts. */
  readonly segment: Mark = newMark();
  /** The last IDR after the segment's first (offset 0: none yet). */
  readonly gop: Mark = newMark();

  /**
   * Starts a segment: counts to 0, its PTS range at `pts`, both marks at its start.
   * @param offset - bytes of the open segment written so far (0: the pool's segment just began)
   * @param ts - the stream's TS writer (its counters and PCR are saved)
   * @param pts - the segment's first PTS
   */
  begin(offset: number, ts: TsWriter, pts: number): void {
    this.video = 0;
    this.audio = 0;
    this.audioPes = 0;
    this.firstPts = pts;
    this.maxPts = pts;
    this.mark(this.segment, offset, ts, pts);
    this.mark(this.gop, offset, ts, pts);
  }

  /**
   * Saves the write state into `m`.
   * @param m - the mark to set ({@link segment} or {@link gop})
   * @param offset - bytes of the open segment written before it
   * @param ts - the stream's TS writer
   * @param pts - the PTS of the IDR there
   */
  mark(m: Mark, offset: number, ts: TsWriter, pts: number): void {
    m.offset = offset;
    ts.mark(m);
    m.videoFrames = this.video;
    m.audioFrames = this.audio;
    m.audioPes = this.audioPes;
    m.pts = pts;
  }

  /** @returns the mark a rollback returns to: the GOP being written when it is not the segment's first, else the segment start */
  rollbackMark(): Mark {
    return this.gop.offset > 0 ? this.gop : this.segment;
  }

  /**
   * Sets the counts back to those saved in `m` (the pool and the TS writer are restored by the caller).
   * @param m - the mark rolled back to
   */
  rollTo(m: Mark): void {
    this.video = m.videoFrames;
    this.audio = m.audioFrames;
    this.audioPes = m.audioPes;
  }

  /**
   * What the segmenter says about the open segment as it closes.
   * @param endPts - where it ends (the next segment's first PTS, or its last frame plus one frame)
   * @param reason - why it starts a new timeline, if it does
   * @param sps - the SPS in force (codec string and size)
   * @param audioCodec - the audio codec string when its PMT lists audio, else ''
   * @param targetTicks - the target duration
   * @returns its facts for the emitter
   */
  closedFacts(endPts: number, reason: DiscontinuityReason | undefined, sps: SpsInfo | undefined, audioCodec: string, targetTicks: number): ClosedSegment {
    const durationTicks = Math.max(0, endPts - this.firstPts);
    const video = sps?.codec ?? 'avc1';
    return {
      firstPts90k: this.firstPts,
      durationTicks,
      reason,
      videoFrames: this.video,
      audioFrames: this.audio,
      codecs: audioCodec !== '' ? `${video},${audioCodec}` : video,
      width: sps?.width ?? 0,
      height: sps?.height ?? 0,
      overTarget: durationTicks >= targetTicks + HALF_SECOND_TICKS,
    };
  }
}
