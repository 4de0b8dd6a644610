/**
 * Day index objects ("day rollups"): one small JSON object per camera-day, `<prefix>/index/YYYY-MM-DD.json`,
 * holding for each hour of the day only what a spans query needs: the hour's spans and its first
 * and last segment (to join spans across hours with the same rule as a walk over every segment).
 * A 30-day spans query then reads 30 objects of ~2 KB instead of 720 hour indexes of ~43 KB with
 * 1,800 entries each (measured in bench/recordings-index.ts: the per-request cost of the 720 GETs and
 * the per-segment work were the two halves of the 9-18 s; docs/recordings.md).
 *
 * Why `<prefix>/index/` and not the day folder: readers find the first stored hour with one LIST of
 * `MaxKeys 1` and read its `YYYY/MM/DD/HH/` from the key; an object at `YYYY/MM/DD/x` would be
 * taken for "nothing stored after this" by that reader. `index/` sorts after every year folder
 * (`i` > digits), so every timeline listing meets it only after the last segment.
 *
 * A rollup is complete for its day: an hour missing from `hours` has no segments. It is written
 * only for days that closed, from the hour indexes (or a LIST of hours without one): see
 * day-rollup.ts.
 */
import { hourFolderOf, HOUR_MS, type HourIndexJson, type IndexedSegment } from './hour-index.js';
import type { RecordingSpan } from './merge-spans.js';

/** One day, in ms. */
export const DAY_MS = 24 * HOUR_MS;

/** Format version of a day index (readers refuse other versions and read the hours instead). */
export const DAY_INDEX_VERSION = 1;

/** The folder (under the camera prefix) of day index objects. */
export const DAY_INDEX_FOLDER = 'index';

/** A segment's fields as a summary keeps them: `[startMs, sequence, durationMs, discontinuity (0|1)]` (absolute ms). */
export type SummarySegment = [number, number, number, 0 | 1];

/** One hour of a day index: `[hour (0-23), first segment, last segment, spans]`. */
export type DayIndexHour = [number, SummarySegment, SummarySegment, [number, number, number][]];

/** The JSON of a day index. */
export interface DayIndexJson {
  /** {@link DAY_INDEX_VERSION}. */
  readonly v: number;
  /** Start of the day, ISO 8601 UTC. */
  readonly day: string;
  /** When the rollup was written (writer's clock), ISO 8601 UTC. */
  readonly writtenAt: string;
  /** The hours that have segments, in order; every other hour of the day has none. */
  readonly hours: DayIndexHour[];
}

/** What a spans query needs of one hour: its spans and the fields of its first and last segment. */
export interface HourSummary {
  /** Start of the hour, ms. */
  readonly hourStartMs: number;
  /** The hour's first segment (its raw discontinuity flag, as in the key). */
  readonly first: SummarySegmentFields;
  /** The hour's last segment. */
  readonly last: SummarySegmentFields;
  /** The hour's spans, merged within the hour (the first segment not linked to the hour before). */
  readonly spans: readonly RecordingSpan[];
}

/** The key fields of a segment a summary keeps. */
export interface SummarySegmentFields {
  readonly startTimeMs: number;
  readonly durationMs: number;
  readonly sequence: number;
  readonly discontinuity: boolean;
}

/**
 * The key of a camera-day's index object.
 *
 * @param prefix - the camera prefix (validated, no trailing slash)
 * @param dayStartMs - any time within the day (UTC)
 * @returns `<prefix>/index/YYYY-MM-DD.json`
 */
export function dayIndexKey(prefix: string, dayStartMs: number): string {
  return `${prefix}/${DAY_INDEX_FOLDER}/${hourFolderOf(dayStartMs).slice(0, 10).replaceAll('/', '-')}.json`;
}

/**
 * The start of the UTC day of a time.
 *
 * @param ms - ms since the epoch
 * @returns the day's start, ms
 */
export function dayStartOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function fieldsOf(hourStartMs: number, e: IndexedSegment): SummarySegmentFields {
  return { startTimeMs: hourStartMs + e[0], sequence: e[1], durationMs: e[2], discontinuity: e[3] === 1 };
}

/**
 * The summary of an hour index (no per-segment work beyond its first and last entry).
 *
 * @param json - a parsed hour index (version and hour checked by the caller)
 * @param hourStartMs - the hour's start
 * @returns the summary, or undefined for an hour without segments
 */
export function summarizeHourIndex(json: HourIndexJson, hourStartMs: number): HourSummary | undefined {
  const n = json.segments.length;
  if (n === 0) return undefined;
  return {
    hourStartMs,
    first: fieldsOf(hourStartMs, json.segments[0]),
    last: fieldsOf(hourStartMs, json.segments[n - 1]),
    spans: json.spans.map(([startMs, endMs, segments]) => ({ startMs, endMs, segments })),
  };
}

function toSummarySegment(f: SummarySegmentFields): SummarySegment {
  return [f.startTimeMs, f.sequence, f.durationMs, f.discontinuity ? 1 : 0];
}

/**
 * Builds a day index from the summaries of its hours.
 *
 * @param dayStartMs - the day's start (a multiple of {@link DAY_MS})
 * @param hours - the summaries of the hours that have segments (any order; other days' are refused)
 * @param writtenAtMs - the writer's clock
 * @returns the JSON
 * @throws RangeError when a summary is not an hour of that day
 */
export function buildDayIndex(dayStartMs: number, hours: readonly HourSummary[], writtenAtMs: number): DayIndexJson {
  const out: DayIndexHour[] = [];
  for (const h of [...hours].sort((a, b) => a.hourStartMs - b.hourStartMs)) {
    const hour = (h.hourStartMs - dayStartMs) / HOUR_MS;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23)
      throw new RangeError(`hour ${new Date(h.hourStartMs).toISOString()} is not an hour of ${new Date(dayStartMs).toISOString()}`);
    out.push([hour, toSummarySegment(h.first), toSummarySegment(h.last), h.spans.map((s): [number, number, number] => [s.startMs, s.endMs, s.segments])]);
  }
  return { v: DAY_INDEX_VERSION, day: new Date(dayStartMs).toISOString(), writtenAt: new Date(writtenAtMs).toISOString(), hours: out };
}

/** Why a day index was not usable (the reader then reads the day's hours instead). */
export class DayIndexFormatError extends Error {
  override readonly name = 'DayIndexFormatError';
}

function isSummarySegment(x: unknown): x is SummarySegment {
  return Array.isArray(x) && x.length === 4 && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}

function isSpanList(x: unknown): x is [number, number, number][] {
  return Array.isArray(x) && x.every((s) => Array.isArray(s) && s.length === 3 && s.every((v) => typeof v === 'number' && Number.isFinite(v)));
}

/**
 * Parses a day index into hour summaries.
 *
 * @param text - the object's body
 * @param dayStartMs - the day it was read for
 * @returns the summaries of the hours with segments, in order (all others have none)
 * @throws DayIndexFormatError when it is not a version-1 index of that day, or an entry is malformed
 */
export function parseDayIndex(text: string, dayStartMs: number): HourSummary[] {
  const where = `day index of ${new Date(dayStartMs).toISOString().slice(0, 10)}`;
  let json: Partial<DayIndexJson>;
  try {
    json = JSON.parse(text) as Partial<DayIndexJson>;
  } catch (e) {
    throw new DayIndexFormatError(`${where} is not JSON: ${(e as Error).message}`);
  }
  if (json.v !== DAY_INDEX_VERSION || !Array.isArray(json.hours) || json.day !== new Date(dayStartMs).toISOString()) {
    throw new DayIndexFormatError(`${where} has version ${String(json.v)} or another day (${String(json.day)}); expected v${DAY_INDEX_VERSION}`);
  }
  let lastHour = -1;
  return json.hours.map((e: unknown) => {
    const ok =
      Array.isArray(e) && e.length === 4 && Number.isInteger(e[0]) && e[0] > lastHour && e[0] <= 23 && isSummarySegment(e[1]) && isSummarySegment(e[2]) && isSpanList(e[3]);
    if (!ok) throw new DayIndexFormatError(`${where} has a malformed hour entry`);
    const [hour, first, last, spans] = e as DayIndexHour;
    lastHour = hour;
    return {
      hourStartMs: dayStartMs + hour * HOUR_MS,
      first: fieldsOf(0, first),
      last: fieldsOf(0, last),
      spans: spans.map(([startMs, endMs, segments]) => ({ startMs, endMs, segments })),
    };
  });
}
