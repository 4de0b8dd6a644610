/**
 * The spans query over day indexes: hours wholly inside the window, of days that closed and have
 * a day index, are answered from it (one GET per day, no per-segment work); every other hour (the
 * window's edges, days without a day index, open days) is read segment by segment by recordPages
 * (hour index, else LIST), exactly as without day indexes. docs/recordings.md has the numbers.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startAfterKey, validatePrefix } from '../keys/object-keys.js';
import { DEFAULT_INDEX_SETTLE_MS, newRecordSourceStats, recordPages, type RecordSourceStats } from '../playback/record-source.js';
import { DAY_MS, dayIndexKey, DayIndexFormatError, dayStartOf, parseDayIndex, type HourSummary } from './day-index.js';
import { HOUR_MS } from './hour-index.js';
import type { RecordingSpan } from './merge-spans.js';
import { SpanFold } from './span-fold.js';

/** What a spans query cost: the hour reader's counters plus the day indexes used. */
export interface SpanQueryStats extends RecordSourceStats {
  /** Day index objects read and used. */
  dayIndexes: number;
  /** Hours answered from a day index (no request of their own). */
  rolledUpHours: number;
}

/** A fresh stats object. */
export function newSpanQueryStats(): SpanQueryStats {
  return { ...newRecordSourceStats(), dayIndexes: 0, rolledUpHours: 0 };
}

/** What {@link daySpans} needs. */
export interface DaySpansOptions {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly startMs?: number | undefined;
  readonly endMs?: number | undefined;
  /** Server clock (which days are closed). */
  readonly nowMs: number;
  /** How long after its end an hour or day is trusted to be complete, ms. @defaultValue 60000 (DEFAULT_INDEX_SETTLE_MS) */
  readonly settleMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly stats: SpanQueryStats;
}

function isNoSuchKey(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}

/** The hour of the camera's first timeline object after `afterMs`, or undefined when there is none. */
async function firstStoredHour(o: DaySpansOptions, prefix: string, afterMs: number | undefined): Promise<number | undefined> {
  const startAfter = afterMs === undefined ? {} : { StartAfter: startAfterKey(prefix, afterMs) };
  const page = await o.client.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix + '/', MaxKeys: 1, ...startAfter }), { abortSignal: o.signal });
  o.stats.lists++;
  const m = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(page.Contents?.[0]?.Key?.slice(prefix.length + 1) ?? '');
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : undefined;
}

/** Reads the day indexes of `days` (8 at a time); a day without a usable one is absent from the map. */
async function readDays(o: DaySpansOptions, prefix: string, days: number[]): Promise<Map<number, Map<number, HourSummary>>> {
  const out = new Map<number, Map<number, HourSummary>>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < days.length) {
      const day = days[next++];
      o.stats.gets++;
      try {
        const got = await o.client.send(new GetObjectCommand({ Bucket: o.bucket, Key: dayIndexKey(prefix, day) }), { abortSignal: o.signal });
        const hours = parseDayIndex(await got.Body!.transformToString(), day);
        out.set(day, new Map(hours.map((h) => [h.hourStartMs, h])));
        o.stats.dayIndexes++;
      } catch (e) {
        // No day index (not written yet, older footage) or an unreadable one: its hours are read one by one.
        if (!isNoSuchKey(e) && !(e instanceof DayIndexFormatError)) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, days.length) }, worker));
  return out;
}

/** Walks `[runStart, runEnd)` segment by segment into the fold; `first`: the window's first run. */
async function walkRun(o: DaySpansOptions, fold: SpanFold, runStart: number | undefined, runEnd: number | undefined, first: boolean): Promise<void> {
  let relink = !first;
  // After a day index the walk starts at the hour: no look-back into the hour it answered.
  for await (const page of recordPages({ ...o, startMs: runStart, endMs: runEnd, useIndex: true, ...(first ? {} : { maxSegmentMs: 0 }) })) {
    for (const r of page) {
      // A segment that began before the run belongs to the hour before, which a day index answered.
      if (!first && r.startTimeMs < runStart!) continue;
      fold.record(r, relink);
      relink = false;
    }
  }
}

/**
 * The spans of one camera in a window, using day indexes where they apply (see the file comment).
 *
 * @param o - see {@link DaySpansOptions}
 * @returns the spans in time order
 * @throws TypeError/RangeError for a bad prefix or time; the SDK's error when S3 fails
 */
export async function daySpans(o: DaySpansOptions): Promise<RecordingSpan[]> {
  const prefix = validatePrefix(o.prefix);
  if (o.startMs !== undefined && (!Number.isFinite(o.startMs) || o.startMs < 0)) throw new RangeError(`startMs must be a non-negative number of ms, got ${o.startMs}`);
  const endMs = o.endMs ?? Number.POSITIVE_INFINITY;
  // One request finds the first stored hour: a window opened years before the camera existed
  // costs no day index GETs for those years.
  const stored = await firstStoredHour(o, prefix, o.startMs === undefined ? undefined : Math.max(0, o.startMs - 60_000));
  if (stored === undefined) return [];
  const lo = Math.max(stored, o.startMs === undefined ? stored : Math.ceil(o.startMs / HOUR_MS) * HOUR_MS);
  // Hours wholly inside the window, of days closed by the server clock (late uploads settled).
  const hi = Math.min(Math.floor(Math.min(endMs, 8.64e15) / HOUR_MS) * HOUR_MS, dayStartOf(o.nowMs - (o.settleMs ?? DEFAULT_INDEX_SETTLE_MS)));
  const days: number[] = [];
  for (let d = dayStartOf(lo); d < hi; d += DAY_MS) days.push(d);
  const rollups = await readDays(o, prefix, days);
  const fold = new SpanFold();
  let runStart = o.startMs;
  let first = true;
  for (let h = lo; h < hi; h += HOUR_MS) {
    const day = rollups.get(dayStartOf(h));
    if (!day) continue;
    if (first || runStart! < h) await walkRun(o, fold, runStart, h, first);
    const summary = day.get(h);
    if (summary) fold.hour(summary);
    o.stats.rolledUpHours++;
    runStart = h + HOUR_MS;
    first = false;
  }
  if (first || runStart! < endMs) await walkRun(o, fold, runStart, o.endMs, first);
  return fold.finish();
}
