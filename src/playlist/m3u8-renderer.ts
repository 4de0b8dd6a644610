/**
 * Renders RFC 8216 media playlists from segment records: a pure function, records and URIs in,
 * text out. One small function per tag group, like FFmpeg's hlsplaylist.c.
 */
import type { SegmentRecord } from './segment-records.js';

/** Which kind of media playlist to write (RFC 8216 §4.3.3.5). */
export type PlaylistKind = 'vod' | 'event' | 'live';

/** Input of {@link renderMediaPlaylist}. */
export interface RenderPlaylistInput {
  /** `vod` (PLAYLIST-TYPE:VOD + ENDLIST), `event` (PLAYLIST-TYPE:EVENT, open), `live` (sliding window, no type). */
  readonly kind: PlaylistKind;
  /** Segments in order. */
  readonly records: readonly SegmentRecord[];
  /** One URI per record (presigned, or under a base URL), same order. */
  readonly uris: readonly string[];
  /** EXT-X-MEDIA-SEQUENCE. @defaultValue 0 */
  readonly mediaSequence?: number | undefined;
  /** EXT-X-DISCONTINUITY-SEQUENCE, written when not 0. @defaultValue 0 */
  readonly discontinuitySequence?: number | undefined;
  /**
   * Target duration to use when there are no segments (an empty range or a camera that has not
   * uploaded yet), seconds. @defaultValue 2
   */
  readonly emptyTargetDurationSeconds?: number | undefined;
  /**
   * EXT-X-TARGETDURATION computed by the caller over more than `records` (a live request passes the
   * value over everything it listed, so the tag does not change between reloads, RFC 8216 §6.2.1).
   * Raised to the records' own value if smaller, so the tag is always valid (§4.3.3.1).
   * @defaultValue computed from `records`
   */
  readonly targetDurationSeconds?: number | undefined;
}

/** Seconds with 3 decimals, the resolution of the key's milliseconds. */
function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}

/**
 * RFC 8216 §4.3.3.1: an integer ≥ every EXTINF duration rounded to the nearest integer.
 *
 * @param records - the segments
 * @param emptyValue - the value when there are none @defaultValue 2
 * @returns seconds, at least 1
 */
export function targetDurationSeconds(records: readonly SegmentRecord[], emptyValue = 2): number {
  if (records.length === 0) return emptyValue;
  let max = 1;
  for (const r of records) max = Math.max(max, Math.round(r.durationMs / 1000));
  return max;
}

/** ISO 8601 with milliseconds and Z, as §4.3.2.6 EXT-X-PROGRAM-DATE-TIME wants. */
function programDateTime(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

function headerLines(input: RenderPlaylistInput): string[] {
  let target = targetDurationSeconds(input.records, input.emptyTargetDurationSeconds);
  if (input.targetDurationSeconds !== undefined) target = Math.max(target, input.targetDurationSeconds);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`];
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${input.mediaSequence ?? 0}`);
  // §4.3.3.3: must appear before the first segment; omitted when 0 (its default).
  if ((input.discontinuitySequence ?? 0) !== 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${input.discontinuitySequence}`);
  if (input.kind === 'vod') lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  if (input.kind === 'event') lines.push('#EXT-X-PLAYLIST-TYPE:EVENT');
  // §4.3.5.1: every segment starts with an IDR, so any segment can be decoded on its own.
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  return lines;
}

function segmentLines(record: SegmentRecord, uri: string, index: number, lines: string[]): void {
  // §4.3.2.3: the first segment of a playlist needs no tag (DISCONTINUITY-SEQUENCE covers it).
  const newTimeline = index === 0 || record.discontinuity;
  if (index > 0 && record.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
  // §4.3.2.6: the wall clock on the first segment and wherever a new timeline starts, so players
  // (and people) can map media time to real time after a gap.
  if (newTimeline) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${programDateTime(record.startTimeMs)}`);
  lines.push(`#EXTINF:${seconds(record.durationMs)},`, uri);
}

/**
 * The header of a media playlist (everything before the first segment), for writers that stream
 * the segments in pages ({@link renderSegmentLines}, then {@link renderPlaylistEnd}).
 *
 * @param input - as for {@link renderMediaPlaylist}; `records` is used only for TARGETDURATION
 *   (pass `targetDurationSeconds` computed over every record when streaming)
 * @returns the header text, lines ending in `\n`
 */
export function renderPlaylistHead(input: RenderPlaylistInput): string {
  return headerLines(input).join('\n') + '\n';
}

/**
 * The lines of some segments of a playlist being streamed.
 *
 * @param records - the segments of this page
 * @param uris - one URI per record
 * @param firstIndex - the playlist index of `records[0]` (the first segment of a playlist gets no
 *   DISCONTINUITY tag, and PROGRAM-DATE-TIME)
 * @returns the text, lines ending in `\n` ('' for no records)
 * @throws TypeError when the lengths differ or a URI contains a line break
 */
export function renderSegmentLines(records: readonly SegmentRecord[], uris: readonly string[], firstIndex: number): string {
  if (uris.length !== records.length) throw new TypeError(`uris must have one entry per record: ${uris.length} uris for ${records.length} records`);
  if (records.length === 0) return '';
  const lines: string[] = [];
  records.forEach((record, i) => {
    const uri = uris[i];
    if (/[\r\n]/.test(uri)) throw new TypeError(`uri ${firstIndex + i} contains a line break`);
    segmentLines(record, uri, firstIndex + i, lines);
  });
  return lines.join('\n') + '\n';
}

/**
 * The end of a streamed playlist: `#EXT-X-ENDLIST` for VOD, nothing otherwise.
 *
 * @param kind - the playlist kind
 * @returns the text
 */
export function renderPlaylistEnd(kind: PlaylistKind): string {
  return kind === 'vod' ? '#EXT-X-ENDLIST\n' : '';
}

/**
 * Renders a media playlist.
 *
 * @param input - see {@link RenderPlaylistInput}
 * @returns the playlist text, lines ending in `\n`
 * @throws TypeError when `uris` and `records` differ in length or a URI contains a line break
 */
export function renderMediaPlaylist(input: RenderPlaylistInput): string {
  if (input.uris.length !== input.records.length) {
    throw new TypeError(`uris must have one entry per record: ${input.uris.length} uris for ${input.records.length} records`);
  }
  return renderPlaylistHead(input) + renderSegmentLines(input.records, input.uris, 0) + renderPlaylistEnd(input.kind);
}
