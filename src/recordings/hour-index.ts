/**
 * Hour index objects: one small JSON object per camera-hour, `<prefix>/YYYY/MM/DD/HH/index.json`,
 * listing that hour's segments and spans, so a query over many hours reads one object per hour
 * instead of listing every segment key (1,800 keys per hour at 2 s: two LIST pages, ~150 KB of XML).
 *
 * The object sits in the hour's own folder: `index.json` sorts after every segment key of the hour
 * (`i` > digits) and is not a segment key, so segment listings skip it. docs/recordings.md has the
 * format and the rules for when it is written and trusted.
 */
import { parseSegmentKey, segmentKey } from '../keys/object-keys.js';
import { linkRecord, DEFAULT_GAP_TOLERANCE_MS, type SegmentRecord } from '../playlist/segment-records.js';
import { mergeSpans, type RecordingSpan } from './merge-spans.js';

/** One hour, in ms. */
export const HOUR_MS = 3_600_000;

/** The file name of an hour's index inside its folder. */
export const HOUR_INDEX_NAME = 'index.json';

/** Format version written in every index (readers refuse other versions and fall back to LIST). */
export const HOUR_INDEX_VERSION = 1;

/**
 * One segment in an index: `[offsetMs, sequence, durationMs, discontinuity (0|1)]`, the offset from
 * the hour's start; a fifth element holds the key's file name when it is not the canonical one
 * {@link segmentKey} would write (never for keys this project writes; kept so nothing is lost).
 */
export type IndexedSegment = [number, number, number, 0 | 1] | [number, number, number, 0 | 1, string];

/** The JSON of an hour index. */
export interface HourIndexJson {
  /** {@link HOUR_INDEX_VERSION}. */
  readonly v: number;
  /** Start of the hour, ISO 8601 UTC. */
  readonly hour: string;
  /** When the index was written (server clock), ISO 8601 UTC. */
  readonly writtenAt: string;
  /** The hour's segments in key order (their discontinuity flag as stored in the key). */
  readonly segments: IndexedSegment[];
  /** Spans within the hour: `[startMs, endMs, segments]`, merged by {@link mergeSpans}. */
  readonly spans: [number, number, number][];
  /**
   * Per segment (same order as `segments`), when it was stored: S3 `LastModified` minus the hour's
   * start, ms (null when the listing did not say). Live and EVENT playlists leave out a segment
   * stored late (src/playlist/late-records.ts). Absent in indexes written before it existed:
   * readers then treat every segment as on time.
   */
  readonly stored?: (number | null)[] | undefined;
}

/** A listed object for {@link buildHourIndex}: its key and, when known, its store time (LastModified, ms). */
export interface ListedSegmentObject {
  /** The object key. */
  readonly key: string;
  /** S3 `LastModified`, ms since the epoch. */
  readonly storedMs?: number | undefined;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * The hour folder of a time: `YYYY/MM/DD/HH` (UTC), as in segment keys.
 *
 * @param hourStartMs - any time within the hour, ms since the epoch
 * @returns the folder path
 */
export function hourFolderOf(hourStartMs: number): string {
  const d = new Date(hourStartMs);
  return `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${pad(d.getUTCHours(), 2)}`;
}

/**
 * The key of a camera-hour's index object.
 *
 * @param prefix - the camera prefix (validated, no trailing slash)
 * @param hourStartMs - any time within the hour
 * @returns `<prefix>/YYYY/MM/DD/HH/index.json`
 */
export function hourIndexKey(prefix: string, hourStartMs: number): string {
  return `${prefix}/${hourFolderOf(hourStartMs)}/${HOUR_INDEX_NAME}`;
}

/**
 * The camera prefix and hour of a timeline segment key, without knowing the prefix beforehand
 * (the uploader's `uploaded` event carries only the key): the last five path parts are
 * `YYYY/MM/DD/HH/<name>`.
 *
 * @param key - an object key
 * @returns prefix and hour start, or undefined when `key` is not a timeline segment key
 */
export function segmentKeyHour(key: string): { prefix: string; hourStartMs: number } | undefined {
  let cut = key.length;
  for (let i = 0; i < 5; i++) {
    cut = key.lastIndexOf('/', cut - 1);
    if (cut <= 0) return undefined;
  }
  const prefix = key.slice(0, cut);
  const parsed = parseSegmentKey(key, prefix);
  if (!parsed) return undefined;
  return { prefix, hourStartMs: Math.floor(parsed.startTimeMs / HOUR_MS) * HOUR_MS };
}

/**
 * Builds the index of one hour from its segment keys.
 *
 * @param prefix - the camera prefix
 * @param hourStartMs - the hour's start (a multiple of {@link HOUR_MS})
 * @param keys - the keys listed under the hour folder, in key order (others are skipped), with their
 *   LastModified when known (then the index records store times, see {@link HourIndexJson.stored})
 * @param writtenAtMs - the writer's clock
 * @returns the index JSON
 */
export function buildHourIndex(prefix: string, hourStartMs: number, keys: Iterable<string | ListedSegmentObject>, writtenAtMs: number): HourIndexJson {
  const segments: IndexedSegment[] = [];
  const stored: (number | null)[] = [];
  const records: SegmentRecord[] = [];
  let prev: SegmentRecord | undefined;
  for (const listed of keys) {
    const key = typeof listed === 'string' ? listed : listed.key;
    const storedMs = typeof listed === 'string' ? undefined : listed.storedMs;
    const p = parseSegmentKey(key, prefix);
    if (!p || p.startTimeMs < hourStartMs || p.startTimeMs >= hourStartMs + HOUR_MS) continue;
    const flag = p.discontinuity ? 1 : 0;
    const offset = p.startTimeMs - hourStartMs;
    segments.push(segmentKey(prefix, p) === key ? [offset, p.sequence, p.durationMs, flag] : [offset, p.sequence, p.durationMs, flag, key.slice(key.lastIndexOf('/') + 1)]);
    stored.push(storedMs === undefined ? null : storedMs - hourStartMs);
    prev = linkRecord(prev, p, DEFAULT_GAP_TOLERANCE_MS);
    records.push(prev);
  }
  const spans = mergeSpans(records).map((s): [number, number, number] => [s.startMs, s.endMs, s.segments]);
  const json: HourIndexJson = { v: HOUR_INDEX_VERSION, hour: new Date(hourStartMs).toISOString(), writtenAt: new Date(writtenAtMs).toISOString(), segments, spans };
  // Written only when some store time is known, so an index built from bare keys stays as before.
  return stored.some((x) => x !== null) ? { ...json, stored } : json;
}

/** Why an index object was not usable (the reader then lists the hour instead). */
export class HourIndexFormatError extends Error {
  override readonly name = 'HourIndexFormatError';
}

/**
 * Parses an index object and turns its entries back into the segments' key fields.
 *
 * @param text - the object's body
 * @param prefix - the camera prefix (keys are rebuilt under it)
 * @param hourStartMs - the hour the object was read for
 * @returns the segments (key, start, duration, sequence, raw discontinuity flag, store time when the index has it) in key order
 * @throws HourIndexFormatError when the JSON is not a version-1 index of that hour
 */
export function parseHourIndex(
  text: string,
  prefix: string,
  hourStartMs: number,
): { key: string; startTimeMs: number; durationMs: number; sequence: number; discontinuity: boolean; storedMs?: number | undefined }[] {
  let json: Partial<HourIndexJson>;
  try {
    json = JSON.parse(text) as Partial<HourIndexJson>;
  } catch (e) {
    throw new HourIndexFormatError(`index of ${hourFolderOf(hourStartMs)} is not JSON: ${(e as Error).message}`);
  }
  if (json.v !== HOUR_INDEX_VERSION || !Array.isArray(json.segments) || json.hour !== new Date(hourStartMs).toISOString()) {
    throw new HourIndexFormatError(`index of ${hourFolderOf(hourStartMs)} has version ${String(json.v)} or another hour (${String(json.hour)}); expected v${HOUR_INDEX_VERSION}`);
  }
  const folder = `${prefix}/${hourFolderOf(hourStartMs)}/`;
  // Store times are optional (older indexes lack them); a list that does not match the segments is
  // ignored rather than trusted: every segment then counts as on time, as in an older index.
  const stored = Array.isArray(json.stored) && json.stored.length === json.segments.length ? json.stored : undefined;
  return json.segments.map((e, i) => {
    if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'number' || typeof e[2] !== 'number') {
      throw new HourIndexFormatError(`index of ${hourFolderOf(hourStartMs)} has a malformed entry`);
    }
    const startTimeMs = hourStartMs + e[0];
    const discontinuity = e[3] === 1;
    // The canonical name written by segmentKey, built by concatenation: this runs 1,800 times per
    // hour read, and segmentKey's date formatting would be most of a 30-day query's time.
    const key = e.length === 5 ? folder + e[4] : `${folder}${String(startTimeMs).padStart(13, '0')}-${e[1]}-${e[2]}${discontinuity ? '-d' : ''}.ts`;
    const at = stored?.[i];
    // One object literal (no spread copy): these are read once per record on every walk.
    return { key, startTimeMs, sequence: e[1], durationMs: e[2], discontinuity, storedMs: typeof at === 'number' && Number.isFinite(at) ? hourStartMs + at : undefined };
  });
}

/**
 * The spans stored in an index, as {@link RecordingSpan}s (for consumers that need no segments).
 *
 * @param json - a parsed index
 * @returns its spans
 */
export function indexSpans(json: HourIndexJson): RecordingSpan[] {
  return json.spans.map(([startMs, endMs, segments]) => ({ startMs, endMs, segments }));
}
