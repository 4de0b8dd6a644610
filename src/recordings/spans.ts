/**
 * Recording spans: contiguous runs of stored segments, merged from the fields every timeline key
 * carries (start, duration, discontinuity), so no object is read to answer "where is footage".
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { recordPages } from '../playback/record-source.js';
import { daySpans, newSpanQueryStats, type SpanQueryStats } from './day-spans.js';
import { SpanMerger, type RecordingSpan } from './merge-spans.js';

export type { SpanQueryStats } from './day-spans.js';
export { mergeSpans, SpanMerger, SPAN_GAP_MS, type RecordingSpan, type SpanSegment } from './merge-spans.js';

/** The JSON shape of a span (`recordings --json`, `recordings.json`). */
export interface RecordingSpanJson {
  /** Start of the span, ISO 8601 UTC. */
  readonly start: string;
  /** End of the span, ISO 8601 UTC. */
  readonly end: string;
  /** Segments in the span. */
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
  /** The S3 client. */
  readonly client: S3Client;
  /** The bucket. */
  readonly bucket: string;
  /** The camera prefix, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** Window start, ms since the epoch. @defaultValue everything */
  readonly startMs?: number | undefined;
  /** Window end (exclusive), ms since the epoch. @defaultValue no end */
  readonly endMs?: number | undefined;
  /** Stops the query. */
  readonly signal?: AbortSignal | undefined;
  /** Read hour and day index objects for closed hours (false: LIST only, e.g. to compare). @defaultValue true */
  readonly useIndex?: boolean | undefined;
  /** Read day index objects for closed days (false: hour indexes and LIST only). @defaultValue true */
  readonly useDayIndex?: boolean | undefined;
  /** Server clock (which hours are closed). @defaultValue Date.now() */
  readonly nowMs?: number | undefined;
  /** How long after its end an hour is trusted to be indexed, ms. @defaultValue 60000 */
  readonly settleMs?: number | undefined;
}

/**
 * The spans of footage of one camera overlapping a window: hours wholly inside it of closed days
 * from the day index objects (one GET per day), other closed hours from their hour index (one GET
 * per hour), and a LIST of the hours without one (see day-spans.ts, playback/record-source.ts).
 * Spans are not clipped to the window: a span reaching into it is reported whole as far as read.
 *
 * @param options - see {@link QuerySpansOptions}
 * @returns the spans, the ListObjectsV2 requests made, and where each hour came from
 * @throws TypeError/RangeError for a bad prefix or time; the SDK's error when S3 refuses
 */
export async function querySpans(options: QuerySpansOptions): Promise<{ spans: RecordingSpan[]; pages: number; stats: SpanQueryStats }> {
  const stats = newSpanQueryStats();
  const query = {
    client: options.client,
    bucket: options.bucket,
    prefix: options.prefix,
    startMs: options.startMs,
    endMs: options.endMs,
    signal: options.signal,
    nowMs: options.nowMs ?? Date.now(),
    settleMs: options.settleMs,
    stats,
  };
  if (options.useIndex !== false && options.useDayIndex !== false) {
    const spans = await daySpans(query);
    return { spans, pages: stats.lists, stats };
  }
  const merger = new SpanMerger();
  const spans: RecordingSpan[] = [];
  for await (const page of recordPages({ ...query, useIndex: options.useIndex })) {
    for (const r of page) {
      const closed = merger.add(r);
      if (closed) spans.push(closed);
    }
  }
  const last = merger.finish();
  if (last) spans.push(last);
  return { spans, pages: stats.lists, stats };
}
