/**
 * Segment records: what the playlist needs to know about one stored segment, taken from its object
 * key alone (src/keys/object-keys.ts), plus the rule that turns a hole in the timeline into a
 * discontinuity (RFC 8216 §4.3.2.3).
 */
import { parseSegmentKey } from '../keys/object-keys.js';

/** One stored segment as the playlist sees it. */
export interface SegmentRecord {
  /** The object key. */
  readonly key: string;
  /** Wall-clock time of the first frame, ms since the Unix epoch. */
  readonly startTimeMs: number;
  /** Duration in milliseconds. */
  readonly durationMs: number;
  /** The muxer's sequence number within its run (0 at a camera/process start). */
  readonly sequence: number;
  /**
   * True when this segment does not continue the previous record: flagged in the key (restart,
   * timestamp reset, dropped frames), a gap in time, or a sequence number that did not increase.
   */
  readonly discontinuity: boolean;
  /**
   * When the object was stored, ms since the epoch, by the store's clock (S3 `LastModified` from
   * LIST, or the hour index's copy of it); undefined when the source did not say (an index written
   * before store times were recorded). Decides whether the segment was stored late
   * (late-records.ts); undefined never counts as late.
   */
  readonly storedMs?: number | undefined;
}

/**
 * Default tolerance of the gap rule: a segment starting more than this after the previous one's end
 * starts a new timeline. Wall-clock stamps of a camera jitter by a few tens of ms; 500 ms is far above
 * that and far below any real outage.
 */
export const DEFAULT_GAP_TOLERANCE_MS = 500;

/**
 * Turns timeline keys (in key order, which is start-time order) into records. Keys that are not
 * timeline segment keys under `prefix` are skipped (other objects in the bucket are not errors).
 *
 * The first record is always a discontinuity when its key says so; whether it is marked otherwise is
 * up to the renderer (the first segment of a playlist needs no tag).
 *
 * @param keys - object keys in ascending order
 * @param prefix - the camera prefix the keys were listed under (no trailing slash)
 * @param gapToleranceMs - see {@link DEFAULT_GAP_TOLERANCE_MS}
 * @returns records in start-time order
 */
export function recordsFromKeys(keys: Iterable<string>, prefix: string, gapToleranceMs = DEFAULT_GAP_TOLERANCE_MS): SegmentRecord[] {
  const out: SegmentRecord[] = [];
  let prev: SegmentRecord | undefined;
  for (const key of keys) {
    const parsed = parseSegmentKey(key, prefix);
    if (parsed === undefined) continue;
    const record = linkRecord(prev, parsed, gapToleranceMs);
    out.push(record);
    prev = record;
  }
  return out;
}

/**
 * One record after `prev`, with the gap and sequence rules applied.
 *
 * @param prev - the record before, or undefined for the first one
 * @param fields - the parsed key
 * @param gapToleranceMs - allowed slack between `prev`'s end and this start
 * @returns the record
 */
export function linkRecord(
  prev: SegmentRecord | undefined,
  fields: { key: string; startTimeMs: number; durationMs: number; sequence: number; discontinuity: boolean; storedMs?: number | undefined },
  gapToleranceMs: number,
): SegmentRecord {
  let discontinuity = fields.discontinuity;
  if (prev !== undefined && !discontinuity) {
    const gap = fields.startTimeMs - (prev.startTimeMs + prev.durationMs);
    // A hole (lost upload, camera offline) or a sequence that went back (a restart whose first
    // segment is missing) both break the timeline a player is following.
    if (gap > gapToleranceMs || fields.sequence <= prev.sequence) discontinuity = true;
  }
  // storedMs only when known, so records built from keys alone compare equal to what they always
  // were. Two literals, not a spread: a spread copy made the late-record walk ~40x slower (V8 object shapes).
  if (fields.storedMs === undefined) return { key: fields.key, startTimeMs: fields.startTimeMs, durationMs: fields.durationMs, sequence: fields.sequence, discontinuity };
  return { key: fields.key, startTimeMs: fields.startTimeMs, durationMs: fields.durationMs, sequence: fields.sequence, discontinuity, storedMs: fields.storedMs };
}
