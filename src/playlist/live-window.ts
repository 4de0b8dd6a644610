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
 * - Uploads finish out of order (retries, concurrency ≥ 2): a hole in the numbering may still be
 *   filled. {@link settledRecords} cuts a live or EVENT listing at the first hole younger than a
 *   grace period, so a late segment is never inserted into what was already published (which would
 *   move MEDIA-SEQUENCE back, §6.2.1, or insert into an EVENT list, §4.3.3.5). A segment stored
 *   after the grace period anyway is left out before this runs (late-records.ts).
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
  while (runStart > 0 && records[runStart].sequence === records[runStart - 1].sequence + 1) runStart -= 1;
  const first = Math.max(runStart, records.length - windowSize);
  let discontinuitySequence = 0;
  for (let i = runStart + 1; i <= first; i += 1) if (records[i].discontinuity) discontinuitySequence += 1;
  return { records: records.slice(first), mediaSequence: records[first].sequence, discontinuitySequence };
}

/**
 * Default grace period of a numbering hole, ms: the uploader's longest retry delay (20 s,
 * `retry.maxDelayMs`) plus a few 2-s segments. A missing segment not stored by then counts as lost.
 */
export const DEFAULT_LIVE_GRACE_MS = 30_000;

/** Options of {@link settledRecords}. */
export interface SettleOptions {
  /** The server's clock, ms since the epoch. */
  readonly nowMs: number;
  /** See {@link DEFAULT_LIVE_GRACE_MS}; 0 publishes every hole at once (as lost). @defaultValue 30000 */
  readonly graceMs?: number | undefined;
  /**
   * Ignore holes before the newest recognized run start (a discontinuity numbered
   * `floor(startTimeMs / 100)` or 0: the first segment of a muxer run, docs/keys.md). Right for the
   * live window, which never crosses a break in the numbering: a late segment of an earlier run
   * lands before the window and changes neither its numbers nor its discontinuity count, so a
   * restarted camera shows up without waiting. Wrong for EVENT, where it would be inserted mid-list.
   * @defaultValue false
   */
  readonly runStartsSettle?: boolean | undefined;
  /**
   * Start of the listed range, ms (the EVENT `start`, the live look back): a first record starting
   * at or before it cannot get a late predecessor in the listing. @defaultValue none (a young first
   * record waits, unless it is a run start and `runStartsSettle` is set)
   */
  readonly listedFromMs?: number | undefined;
}

/**
 * A muxer run's first segment: flagged, and numbered from its start time (`floor(startTimeMs /
 * 100)`, docs/keys.md) or, in keys written before that scheme, from 0. Nothing of its own run can
 * come before it.
 */
function isRunStart(r: SegmentRecord): boolean {
  return r.discontinuity && (r.sequence === 0 || r.sequence === Math.floor(r.startTimeMs / 100));
}

/**
 * The part of a live or EVENT listing that may be published: every record before the first
 * numbering hole that may still be filled.
 *
 * A hole is a record whose sequence number is not its predecessor's plus one (lost or late
 * uploads, a restart), or a first record starting after `listedFromMs`: its predecessor was not
 * listed and may be late. It is young while `nowMs` is less than `graceMs` after the end of the
 * record following it: that record was cut (and its upload began) then, the missing ones earlier,
 * so every hole is waited for at least `graceMs` after it could first be seen, whatever the segment
 * duration. Once old, a hole counts as lost: the gap rule makes it a discontinuity and the live
 * window starts after it. Key times come from the camera's clock and `nowMs` from the server's: a
 * camera clock running ahead lengthens the wait by as much, one running behind shortens it.
 *
 * VOD ranges do not use this: a VOD playlist is a snapshot of what is stored.
 *
 * @param records - the listing, in start order
 * @param options - see {@link SettleOptions}
 * @returns a prefix of `records` (the same array when nothing is cut)
 * @throws RangeError when `graceMs` is negative or not finite
 */
export function settledRecords(records: readonly SegmentRecord[], options: SettleOptions): readonly SegmentRecord[] {
  const graceMs = options.graceMs ?? DEFAULT_LIVE_GRACE_MS;
  if (!(graceMs >= 0) || !Number.isFinite(graceMs)) throw new RangeError(`graceMs must be a non-negative number of ms, got ${graceMs}`);
  // With runStartsSettle, holes before the newest run start no longer matter: the window starts at
  // or after it, and a late segment filling one lands before it.
  let from = 0;
  if (options.runStartsSettle === true) {
    for (let i = records.length - 1; i >= 0; i -= 1) {
      if (isRunStart(records[i])) {
        from = i + 1;
        break;
      }
    }
  }
  for (let i = from; i < records.length; i += 1) {
    if (isYoungHole(i === 0 ? undefined : records[i - 1], records[i], options, graceMs)) return records.slice(0, i);
  }
  return records;
}

/**
 * The rule of {@link settledRecords} for one record, for callers that walk records page by page
 * (a streamed EVENT playlist ends before the first record for which this is true).
 *
 * @param prev - the record before `r` in the listing, undefined for the first one
 * @param r - the record
 * @param options - see {@link SettleOptions} (`runStartsSettle` is not applied here)
 * @param graceMs - the grace period @defaultValue options.graceMs ?? 30000
 * @returns true when `r` follows a hole that a late upload may still fill
 */
export function isYoungHole(prev: SegmentRecord | undefined, r: SegmentRecord, options: SettleOptions, graceMs = options.graceMs ?? DEFAULT_LIVE_GRACE_MS): boolean {
  if (prev === undefined) {
    // What came before the first record was not listed. A late predecessor would be listed only
    // if it ended after the listing's start, so a first record starting at or before it is settled.
    if (options.listedFromMs !== undefined && r.startTimeMs <= options.listedFromMs) return false;
  } else if (r.sequence === prev.sequence + 1) {
    return false;
  }
  return options.nowMs < r.startTimeMs + r.durationMs + graceMs;
}
