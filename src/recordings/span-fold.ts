/**
 * Folds a camera's timeline into spans from two kinds of pieces, in time order: single segment
 * records (hours read segment by segment) and hour summaries (hours answered by a day index). Both
 * follow the rule of a walk over every segment: a piece's first segment is linked to the segment
 * before it (gap and sequence rules of segment-records.ts) and then continues the open span or not
 * (merge-spans.ts), so the spans equal those of a LIST walk.
 */
import { DEFAULT_GAP_TOLERANCE_MS, linkRecord, type SegmentRecord } from '../playlist/segment-records.js';
import type { HourSummary, SummarySegmentFields } from './day-index.js';
import { SpanMerger, type RecordingSpan } from './merge-spans.js';

/** Collects spans from records and hour summaries. */
export class SpanFold {
  readonly #merger = new SpanMerger();
  readonly #spans: RecordingSpan[] = [];
  #prev: SegmentRecord | undefined;

  /**
   * Adds a record of a segment-by-segment walk.
   *
   * @param r - the record (linked within its walk)
   * @param relink - true for the first record of a walk that starts after earlier pieces: it is
   *   linked again to the segment before it (its walk may not have seen that segment)
   */
  record(r: SegmentRecord, relink: boolean): void {
    const linked = relink ? linkRecord(this.#prev, r, DEFAULT_GAP_TOLERANCE_MS) : r;
    this.#push(this.#merger.add(linked));
    this.#prev = linked;
  }

  /**
   * Adds an hour from its summary.
   *
   * @param h - the summary (spans merged within the hour)
   */
  hour(h: HourSummary): void {
    const first = linkRecord(this.#prev, { key: '', ...h.first }, DEFAULT_GAP_TOLERANCE_MS);
    h.spans.forEach((span, i) => {
      // Later spans of the hour started a new span within it already: they never continue one.
      this.#push(this.#merger.addRun(span, i === 0 ? first.discontinuity : true));
    });
    this.#prev = recordOf(h.last);
  }

  /**
   * Closes the open span.
   *
   * @returns every span, in time order
   */
  finish(): RecordingSpan[] {
    this.#push(this.#merger.finish());
    return this.#spans;
  }

  #push(span: RecordingSpan | undefined): void {
    if (span) this.#spans.push(span);
  }
}

function recordOf(f: SummarySegmentFields): SegmentRecord {
  return { key: '', startTimeMs: f.startTimeMs, durationMs: f.durationMs, sequence: f.sequence, discontinuity: f.discontinuity };
}
