/**
 * The object key layout shared by the uploader (which writes keys) and the playlist index (which
 * lists and parses them). docs/keys.md explains the choices.
 *
 * Timeline layout (default):
 *
 *     <prefix>/<YYYY>/<MM>/<DD>/<HH>/<startMs:13 digits>-<sequence>-<durationMs>[-d].ts
 *
 * e.g. `cameras/front-door/2026/11/22/03/1795316400123-42-2000.ts`. The date folders are UTC and
 * derived from the start time, and every field before the name is fixed-width, so the string order
 * of keys is the order of start times: ListObjectsV2 with `StartAfter` lists a time window, and the
 * duration and discontinuity flag come from the key alone (no HEAD/GET per segment).
 *
 * Reference layout (the AWS sample C SDK's, for existing players): `<prefix>/YYYY/MM/DD/HH/MM/SS.ts`.
 * It has second resolution, so two segments started in the same second overwrite each other, and
 * durations can only be guessed from the next key. Offered, not recommended.
 */

/** Which key layout to write. */
export type KeyLayout = 'timeline' | 'reference';

/** What a timeline key records about its segment. */
export interface SegmentKeyFields {
  /** Wall-clock time of the first frame, ms since the Unix epoch. */
  readonly startTimeMs: number;
  /** The segment's media sequence number (`Segment.mediaSequence`: increases by one per segment, across restarts). */
  readonly sequence: number;
  /** Duration in milliseconds (rounded from 90 kHz ticks). */
  readonly durationMs: number;
  /** True when the segment starts a new timeline (RFC 8216 EXT-X-DISCONTINUITY). */
  readonly discontinuity: boolean;
}

/** A key parsed back into its fields, with the key itself. */
export interface ParsedSegmentKey extends SegmentKeyFields {
  /** The object key that was parsed. */
  readonly key: string;
}

/** 13 digits hold every epoch millisecond until the year 2286. */
const START_DIGITS = 13;
const MAX_START_MS = 9_999_999_999_999;

const SEGMENT_NAME = /^(\d{13})-(\d{1,15})-(\d{1,15})(-d)?\.ts$/;
const PREFIX_PART = /^[A-Za-z0-9._\-=+@]+$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `YYYY/MM/DD/HH` of a time, UTC. */
function hourFolder(timeMs: number): string {
  const d = new Date(timeMs);
  return `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1, 2)}/${pad(d.getUTCDate(), 2)}/${pad(d.getUTCHours(), 2)}`;
}

function checkStart(timeMs: number, name: string): void {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs > MAX_START_MS) {
    throw new RangeError(`${name} must be an integer number of ms between 0 and ${MAX_START_MS}, got ${timeMs}`);
  }
}

/**
 * Checks and normalizes a key prefix: path segments of `[A-Za-z0-9._-=+@]`, separated by single
 * slashes, no leading slash (S3 would create an empty top-level "folder"), no `.` or `..` segments.
 * A trailing slash is removed.
 *
 * @param prefix - e.g. `cameras/front-door`
 * @returns the prefix without a trailing slash
 * @throws TypeError naming the offending part
 */
export function validatePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new TypeError(`prefix must be a non-empty string, got ${JSON.stringify(prefix)}`);
  }
  if (prefix.startsWith('/')) {
    throw new TypeError(`prefix must not start with "/" (S3 would store the objects under an empty folder): ${JSON.stringify(prefix)}`);
  }
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  for (const part of trimmed.split('/')) {
    if (part === '' || part === '.' || part === '..' || !PREFIX_PART.test(part)) {
      throw new TypeError(`prefix ${JSON.stringify(prefix)} has an invalid part ${JSON.stringify(part)}: use letters, digits and . _ - = + @, no empty, "." or ".." parts`);
    }
  }
  if (trimmed.length > 512) throw new TypeError(`prefix is longer than 512 characters (${trimmed.length})`);
  return trimmed;
}

/**
 * Checks a camera id (one prefix segment, no slash).
 * @throws TypeError naming the id
 */
export function validateCameraId(camera: string): string {
  if (typeof camera !== 'string' || !PREFIX_PART.test(camera) || camera === '.' || camera === '..') {
    throw new TypeError(`camera id must be letters, digits and . _ - = + @ (no slash), got ${JSON.stringify(camera)}`);
  }
  return camera;
}

/**
 * The key of a segment.
 *
 * @param prefix - a prefix accepted by {@link validatePrefix} (not re-validated here: this runs per segment)
 * @param fields - start time, sequence, duration, discontinuity
 * @param layout - `timeline` (default) or `reference`
 */
export function segmentKey(prefix: string, fields: SegmentKeyFields, layout: KeyLayout = 'timeline'): string {
  checkStart(fields.startTimeMs, 'startTimeMs');
  if (layout === 'reference') {
    const d = new Date(fields.startTimeMs);
    return `${prefix}/${hourFolder(fields.startTimeMs)}/${pad(d.getUTCMinutes(), 2)}/${pad(d.getUTCSeconds(), 2)}.ts`;
  }
  if (!Number.isInteger(fields.sequence) || fields.sequence < 0) {
    throw new RangeError(`sequence must be a non-negative integer, got ${fields.sequence}`);
  }
  const durationMs = Math.max(0, Math.round(fields.durationMs));
  const flag = fields.discontinuity ? '-d' : '';
  return `${prefix}/${hourFolder(fields.startTimeMs)}/${pad(fields.startTimeMs, START_DIGITS)}-${fields.sequence}-${durationMs}${flag}.ts`;
}

/** The fields of a segment a key is made from (a `Segment`, or one read back from the spool). */
export interface KeyedSegment {
  /** Wall-clock time of its first frame, ms since the epoch. */
  readonly startTimeMs: number;
  /** Its media sequence number (EXT-X-MEDIA-SEQUENCE rule, docs/keys.md). */
  readonly mediaSequence: number;
  /** Its duration, 90 kHz ticks. */
  readonly durationTicks: number;
  /** True when the segment starts a new timeline. */
  readonly discontinuity: boolean;
}

/**
 * The key of a muxed segment: its start time, its media sequence number (monotonic across restarts,
 * so live playlists never number backwards), its duration in ms and its discontinuity flag. The one
 * place that maps segments to keys: the uploader, the spool and the chaos run's journal all use it.
 */
export function keyOfSegment(prefix: string, segment: KeyedSegment, layout: KeyLayout = 'timeline'): string {
  return segmentKey(
    prefix,
    { startTimeMs: segment.startTimeMs, sequence: segment.mediaSequence, durationMs: Math.round(segment.durationTicks / 90), discontinuity: segment.discontinuity },
    layout,
  );
}

/**
 * The greatest key string that sorts before every timeline key starting at or after `timeMs`, for
 * ListObjectsV2 `StartAfter`.
 */
export function startAfterKey(prefix: string, timeMs: number): string {
  const t = Math.max(0, Math.floor(timeMs));
  checkStart(t, 'timeMs');
  // "<ms>" sorts before "<ms>-..." and after every key of an earlier millisecond.
  return `${prefix}/${hourFolder(t)}/${pad(t, START_DIGITS)}`;
}

/**
 * Parses a timeline key under `prefix` back into its fields.
 *
 * @returns the fields, or undefined when the key is not a timeline segment key under that prefix
 *   (other objects in the bucket are ignored, not errors)
 */
export function parseSegmentKey(key: string, prefix: string): ParsedSegmentKey | undefined {
  if (!key.startsWith(prefix + '/')) return undefined;
  const rest = key.slice(prefix.length + 1);
  // YYYY/MM/DD/HH/name
  const slash = rest.lastIndexOf('/');
  if (slash !== 13) return undefined;
  const match = SEGMENT_NAME.exec(rest.slice(slash + 1));
  if (!match) return undefined;
  const startTimeMs = Number(match[1]);
  if (rest.slice(0, slash) !== hourFolder(startTimeMs)) return undefined;
  return {
    key,
    startTimeMs,
    sequence: Number(match[2]),
    durationMs: Number(match[3]),
    discontinuity: match[4] !== undefined,
  };
}
