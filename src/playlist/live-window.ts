/**
 * Chooses the segments of a live playlist and numbers them so that the numbers stay the same from
 * one request to the next without any state on the server (RFC 8216 §6.2.2: a segment keeps its
 * Media Sequence Number, and EXT-X-DISCONTINUITY-SEQUENCE rises by one for each
 * EXT-X-DISCONTINUITY tag that leaves the playlist).
 *
 * The scheme (docs/playback.md, "Live sequence numbers"):
 * - MEDIA-SEQUENCE is the muxer's own sequence number of the first segment in the window, read
 *   from its key. Within one run of a camera that number rises by exactly one per segment, which
 *   is precisely what RFC 8216 requires, so every reload agrees without counting anything.
 * - The window never crosses a break in that numbering (a restart, where the run's numbering
 *   starts again, or a lost upload, where it skips): it begins at the newest break if the break is
 *   among the newest `windowSize` records. Otherwise the implied number of the segments after the
 *   break would change once the break left the window.
 * - DISCONTINUITY-SEQUENCE counts the discontinuities (inside the current run) among the listed
 *   records before the window. Exact while the run's discontinuities are within the listing's look
 *   back; hls.js reconciles a changed count through overlapping sequence numbers anyway.
 */
import type { SegmentRecord } from './segment-records.js';

/** A chosen live window. */
export interface LiveWindow {
  /** The records to render, oldest first. */
  readonly records: readonly SegmentRecord[];
  /** EXT-X-MEDIA-SEQUENCE. */
  readonly mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE. */
  readonly discontinuitySequence: number;
}

/** Default number of segments in a live playlist (RFC 8216 §6.2.2 wants at least three target durations). */
export const DEFAULT_LIVE_WINDOW = 6;

/**
 * Picks the newest `windowSize` records of the newest unbroken run and numbers them.
 *
 * @param records - records from the listing's look back up to now, in start order
 * @param windowSize - segments in the playlist, at least 1 @defaultValue 6
 * @returns the window; empty records when nothing was listed
 * @throws RangeError when `windowSize` is not a positive integer
 */
export function selectLiveWindow(records: readonly SegmentRecord[], windowSize = DEFAULT_LIVE_WINDOW): LiveWindow {
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError(`windowSize must be a positive integer, got ${windowSize}`);
  if (records.length === 0) return { records: [], mediaSequence: 0, discontinuitySequence: 0 };
  // Start of the newest run of consecutive sequence numbers.
  let runStart = records.length - 1;
  while (runStart > 0 && records[runStart]!.sequence === records[runStart - 1]!.sequence + 1) runStart -= 1;
  const first = Math.max(runStart, records.length - windowSize);
  let discontinuitySequence = 0;
  for (let i = runStart + 1; i <= first; i += 1) if (records[i]!.discontinuity) discontinuitySequence += 1;
  return { records: records.slice(first), mediaSequence: records[first]!.sequence, discontinuitySequence };
}
