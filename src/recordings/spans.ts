/**
 * Recording spans: contiguous runs of stored segments, merged from the fields every timeline key
 * carries (start, duration, discontinuity), so no object is read to answer "where is footage".
 */
import { listSegments } from '../playlist/segment-index.js';
import type { S3Client } from '@aws-sdk/client-s3';

/** What a span is built from: the fields of a parsed timeline key. */
export interface SpanSegment {
  /** Wall-clock start of the segment, ms since the epoch. */
  readonly startTimeMs: number;
  /** Duration in ms. */
  readonly durationMs: number;
  /** True when the segment starts a new timeline (EXT-X-DISCONTINUITY). */
  readonly discontinuity: boolean;
}

/** One contiguous run of footage. */
export interface RecordingSpan {
  /** Start of the first segment, ms since the epoch. */
  readonly startMs: number;
  /** End of the last segment (start + duration), ms since the epoch. */
  readonly endMs: number;
  /** Segments in the span. */
  readonly segments: number;
}

/**
 * The largest gap between one segment's end and the next one's start that still continues a span:
 * the "more than 1 s after the previous one ended" starts a new span.
 */
export const SPAN_GAP_MS = 1000;

/**
 * Merges segments, sorted by start time, into spans. A new span starts at a discontinuity or where
 * a segment begins more than `gapMs` after the previous one ended.
 *
 * @param segments - segments in start-time order
 * @param gapMs - see {@link SPAN_GAP_MS} @defaultValue 1000
 * @returns the spans in time order (empty for no segments)
 * @throws RangeError when `gapMs` is negative or not finite
 */
export function mergeSpans(segments: Iterable<SpanSegment>, gapMs: number = SPAN_GAP_MS): RecordingSpan[] {
  if (!Number.isFinite(gapMs) || gapMs < 0) throw new RangeError(`gapMs must be a non-negative number of ms, got ${gapMs}`);
  const spans: RecordingSpan[] = [];
  let start = 0;
  let end = 0;
  let count = 0;
  for (const s of segments) {
    const segEnd = s.startTimeMs + s.durationMs;
    if (count > 0 && !s.discontinuity && s.startTimeMs - end <= gapMs) {
      // An overlap (a segment starting before the previous one ended) continues the span too.
      end = Math.max(end, segEnd);
      count += 1;
      continue;
    }
    if (count > 0) spans.push({ startMs: start, endMs: end, segments: count });
    start = s.startTimeMs;
    end = segEnd;
    count = 1;
  }
  if (count > 0) spans.push({ startMs: start, endMs: end, segments: count });
  return spans;
}

/** The JSON shape of a span (`recordings --json`, `recordings.json`). */
export interface RecordingSpanJson {
  readonly start: string;
  readonly end: string;
  readonly segments: number;
}

/**
 * A span as JSON: ISO 8601 UTC times.
 *
 * @param span - the span
 * @returns `{start, end, segments}`
 */
export function spanToJson(span: RecordingSpan): RecordingSpanJson {
  return { start: new Date(span.startMs).toISOString(), end: new Date(span.endMs).toISOString(), segments: span.segments };
}

/** Options of {@link querySpans}. */
export interface QuerySpansOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The camera prefix, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** Window start, ms since the epoch. @defaultValue everything */
  readonly startMs?: number | undefined;
  /** Window end (exclusive), ms since the epoch. @defaultValue no end */
  readonly endMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The spans of footage of one camera overlapping a window, from a LIST of its segment keys.
 * Spans are not clipped to the window: a span reaching into it is reported whole as far as listed.
 *
 * @param options - see {@link QuerySpansOptions}
 * @returns the spans and the ListObjectsV2 requests made
 * @throws TypeError/RangeError for a bad prefix or time; the SDK's error when S3 refuses
 */
export async function querySpans(options: QuerySpansOptions): Promise<{ spans: RecordingSpan[]; pages: number }> {
  const listing = await listSegments({
    client: options.client, bucket: options.bucket, prefix: options.prefix,
    startMs: options.startMs, endMs: options.endMs, signal: options.signal,
  });
  return { spans: mergeSpans(listing.records), pages: listing.pages };
}
