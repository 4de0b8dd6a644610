/**
 * What the C-style API reports: the frame accounting of `stats()` and `finalize()` (issue 10 §3)
 * and the segment outcomes (§4). Every frame handed in is in exactly one bucket:
 *
 *     in = stored + dropped + lost + pending
 *
 * - stored: in a segment the uploader acknowledged and verified (or, with a spool, on disk: `spooled`
 *   is reported apart and counts as kept, not lost);
 * - dropped: refused or rolled back by the muxer, by reason (`POOL_FULL`, `MISSING_DTS`, ...);
 * - lost: in a segment that failed (refused key, discarded after a permanent error, not uploaded
 *   when finalize's wait ended);
 * - pending: muxed, in a segment not yet settled (or the open segment), or video held at a cut
 *   while the muxer waits for late audio (written once the audio arrives or the wait ends).
 */
import type { LedgerCounts, SegmentOutcome } from '../pipeline/segment-ledger.js';
import type { StreamStats } from '../stream/stream-stats.js';

/** Where every frame handed to the API is. */
export interface FrameAccounting {
  /** Frames handed in (video + audio). */
  readonly in: number;
  /** Frames muxed into segments (stored, spooled, pending or lost after that). */
  readonly written: number;
  /** In segments stored (acknowledged and verified). */
  readonly stored: number;
  /** In segments kept in the disk spool, to be uploaded later. */
  readonly spooled: number;
  /** Refused or rolled back by the muxer. */
  readonly dropped: number;
  /** Dropped, by reason (error code → frames). */
  readonly droppedByReason: Readonly<Record<string, number>>;
  /** In segments that failed (see the segment outcomes for why). */
  readonly lost: number;
  /** Muxed, not settled yet (queued, uploading, held, or in the open segment). */
  readonly pending: number;
}

/**
 * The frame accounting from the stream's counters and the segment ledger.
 * @param st - the stream's counters
 * @param seg - the ledger's counts
 * @returns the accounting; `in = stored + spooled + dropped + lost + pending`
 */
export function frameAccounting(st: StreamStats, seg: LedgerCounts): FrameAccounting {
  const written = st.videoFramesWritten + st.audioFramesWritten;
  return {
    in: st.videoFramesIn + st.audioFramesIn,
    written,
    stored: seg.storedFrames,
    spooled: seg.spooledFrames,
    dropped: st.videoFramesDropped + st.audioFramesDropped,
    droppedByReason: st.droppedByReason,
    lost: seg.failedFrames,
    // Written frames not in a settled segment (pending segments or the open one), plus video held
    // at a cut, which is counted as written only when it is written.
    pending: written - seg.storedFrames - seg.spooledFrames - seg.failedFrames + st.videoFramesHeld,
  };
}

export type { LedgerCounts, SegmentOutcome };
