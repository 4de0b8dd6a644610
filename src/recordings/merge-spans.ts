/**
 * The span merge rule on its own (no S3): contiguous segments merged into runs of footage. Used
 * by spans.ts (queries) and hour-index.ts (the spans stored in each hour's index).
 */

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
 * Merges segments one at a time (for walks that never hold every segment): `add` returns the span
 * a segment closed, `finish` the last one.
 */
export class SpanMerger {
  readonly #gapMs: number;
  #start = 0;
  #end = 0;
  #count = 0;

  /**
   * @param gapMs - see {@link SPAN_GAP_MS} @defaultValue 1000
   * @throws RangeError when `gapMs` is negative or not finite
   */
  constructor(gapMs: number = SPAN_GAP_MS) {
    if (!Number.isFinite(gapMs) || gapMs < 0) throw new RangeError(`gapMs must be a non-negative number of ms, got ${gapMs}`);
    this.#gapMs = gapMs;
  }

  /**
   * Adds the next segment (in start-time order).
   *
   * @param s - the segment
   * @returns the span this segment closed, if it started a new one
   */
  add(s: SpanSegment): RecordingSpan | undefined {
    return this.addRun({ startMs: s.startTimeMs, endMs: s.startTimeMs + s.durationMs, segments: 1 }, s.discontinuity);
  }

  /**
   * Adds a run of segments already merged (a span of one hour, from an index): it continues the
   * open span by the same rule as its first segment would.
   *
   * @param run - the run (after every segment added so far)
   * @param discontinuity - whether the run's first segment starts a new timeline
   * @returns the span this run closed, if it started a new one
   */
  addRun(run: RecordingSpan, discontinuity: boolean): RecordingSpan | undefined {
    if (this.#count > 0 && !discontinuity && run.startMs - this.#end <= this.#gapMs) {
      // An overlap (a segment starting before the previous one ended) continues the span too.
      this.#end = Math.max(this.#end, run.endMs);
      this.#count += run.segments;
      return undefined;
    }
    const closed = this.finish();
    this.#start = run.startMs;
    this.#end = run.endMs;
    this.#count = run.segments;
    return closed;
  }

  /**
   * Closes the open span.
   *
   * @returns it, or undefined when no segment was added since the last span closed
   */
  finish(): RecordingSpan | undefined {
    if (this.#count === 0) return undefined;
    const span = { startMs: this.#start, endMs: this.#end, segments: this.#count };
    this.#count = 0;
    return span;
  }
}

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
  const merger = new SpanMerger(gapMs);
  const spans: RecordingSpan[] = [];
  for (const s of segments) {
    const closed = merger.add(s);
    if (closed) spans.push(closed);
  }
  const last = merger.finish();
  if (last) spans.push(last);
  return spans;
}
