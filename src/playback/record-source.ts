/**
 * Segment records of a time window, page by page, hour by hour: from the hour's index object when
 * the hour is closed and has one (one GET), else from a LIST of the hour's folder. This is the one
 * reader behind playlists, recordings spans and clip export (PlaybackService), so every consumer
 * sees the same records, and none holds more than a few hours of them at a time.
 *
 * Memory is bounded by `prefetchHours` hours of records (1,800 per hour at 2 s); between pages the
 * generator yields to the event loop (setImmediate), so a month-long walk never blocks it for more
 * than one hour's parse.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseSegmentKey, startAfterKey, validatePrefix } from '../keys/object-keys.js';
import { DEFAULT_GAP_TOLERANCE_MS, linkRecord, type SegmentRecord } from '../playlist/segment-records.js';
import { HOUR_INDEX_NAME, HOUR_MS, HourIndexFormatError, hourFolderOf, hourIndexKey, parseHourIndex } from '../recordings/hour-index.js';

/** How long after an hour ends its index may be trusted (and is written): late uploads settle first. */
export const DEFAULT_INDEX_SETTLE_MS = 60_000;

/** Records per yielded page (one playlist chunk). */
const PAGE_RECORDS = 1000;

type KeyFields = { key: string; startTimeMs: number; durationMs: number; sequence: number; discontinuity: boolean; storedMs?: number | undefined };

/** A listed object: its key and store time (LastModified, ms), the latter for the late rule (late-records.ts). */
type ListedKey = { key: string; storedMs: number | undefined };

/** Options of {@link recordPages}. */
export interface RecordSourceOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The camera prefix, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** Window start, ms since the epoch; a segment covering it is included. @defaultValue the camera's first segment */
  readonly startMs?: number | undefined;
  /** Window end (exclusive), ms. @defaultValue no end */
  readonly endMs?: number | undefined;
  /** How far before `startMs` to look for a segment covering it, ms. @defaultValue 60000 */
  readonly maxSegmentMs?: number | undefined;
  /** See DEFAULT_GAP_TOLERANCE_MS. @defaultValue 500 */
  readonly gapToleranceMs?: number | undefined;
  /** Read hour index objects for closed hours. @defaultValue true */
  readonly useIndex?: boolean | undefined;
  /** The server clock (decides which hours are closed). @defaultValue Date.now() */
  readonly nowMs?: number | undefined;
  /** See {@link DEFAULT_INDEX_SETTLE_MS}. */
  readonly settleMs?: number | undefined;
  /** Hours fetched ahead, in parallel (bounds memory and request concurrency). @defaultValue 8 */
  readonly prefetchHours?: number | undefined;
  /** Counts requests and where each hour came from. */
  readonly stats?: RecordSourceStats | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What a walk cost (filled in while it runs). */
export interface RecordSourceStats {
  /** Hours read from an index object. */
  indexHours: number;
  /** Hours listed (no index, an open hour, or an unusable index). */
  listedHours: number;
  /** GET requests (index objects, including the 404s). */
  gets: number;
  /** ListObjectsV2 requests. */
  lists: number;
}

/** A fresh stats object. */
export function newRecordSourceStats(): RecordSourceStats {
  return { indexHours: 0, listedHours: 0, gets: 0, lists: 0 };
}

function isNoSuchKey(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}

/** Lists keys (with their LastModified) under `prefix/`-rooted `listPrefix`, every page, optionally after `startAfter`. */
async function listKeys(o: RecordSourceOptions, listPrefix: string, startAfter: string | undefined, stats: RecordSourceStats): Promise<ListedKey[]> {
  const keys: ListedKey[] = [];
  let token: string | undefined;
  do {
    const page = await o.client.send(
      new ListObjectsV2Command({ Bucket: o.bucket, Prefix: listPrefix, ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}) }),
      { abortSignal: o.signal },
    );
    stats.lists++;
    for (const c of page.Contents ?? []) if (c.Key !== undefined) keys.push({ key: c.Key, storedMs: c.LastModified?.getTime() });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** The key fields of one hour: from its index when usable, else listed. */
async function readHour(o: RecordSourceOptions, prefix: string, hourMs: number, closed: boolean, stats: RecordSourceStats): Promise<KeyFields[]> {
  if (closed && o.useIndex !== false) {
    try {
      stats.gets++;
      const got = await o.client.send(new GetObjectCommand({ Bucket: o.bucket, Key: hourIndexKey(prefix, hourMs) }), { abortSignal: o.signal });
      const fields = parseHourIndex(await got.Body!.transformToString(), prefix, hourMs);
      stats.indexHours++;
      return fields;
    } catch (e) {
      // No index (never written, or the hour had no uploader that writes one) or one we cannot
      // read: the LIST below is always right, only slower.
      if (!isNoSuchKey(e) && !(e instanceof HourIndexFormatError)) throw e;
    }
  }
  stats.listedHours++;
  const out: KeyFields[] = [];
  for (const listed of await listKeys(o, `${prefix}/${hourFolderOf(hourMs)}/`, undefined, stats)) {
    const p = parseSegmentKey(listed.key, prefix);
    if (p) out.push({ key: p.key, startTimeMs: p.startTimeMs, durationMs: p.durationMs, sequence: p.sequence, discontinuity: p.discontinuity, storedMs: listed.storedMs });
  }
  return out;
}

/** The hour of the camera's first object, or undefined when nothing is stored under it. */
async function firstHour(o: RecordSourceOptions, prefix: string, stats: RecordSourceStats, afterMs?: number): Promise<number | undefined> {
  const startAfter = afterMs === undefined ? {} : { StartAfter: startAfterKey(prefix, afterMs) };
  const page = await o.client.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: prefix + '/', MaxKeys: 1, ...startAfter }), { abortSignal: o.signal });
  stats.lists++;
  const key = page.Contents?.[0]?.Key;
  if (key === undefined) return undefined;
  // YYYY/MM/DD/HH/<name>: a segment key or an index; anything else sorts after the year folders.
  const m = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key.slice(prefix.length + 1));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : undefined;
}

/**
 * Where a walk starts: a segment-length before the window's start (a segment that began earlier may
 * still overlap it), or the camera's first stored hour; undefined when nothing is stored there.
 */
async function walkStart(o: RecordSourceOptions, prefix: string, stats: RecordSourceStats): Promise<number | undefined> {
  if (o.startMs === undefined) return firstHour(o, prefix, stats);
  if (!Number.isFinite(o.startMs) || o.startMs < 0) throw new RangeError(`startMs must be a non-negative number of ms, got ${o.startMs}`);
  const fromMs = Math.max(0, o.startMs - (o.maxSegmentMs ?? 60_000));
  // One request skips the empty hours before the first stored object (a window opened long
  // before the camera was installed would otherwise cost two requests per empty hour).
  const first = await firstHour(o, prefix, stats, fromMs);
  if (first === undefined) return undefined;
  return Math.max(first, fromMs);
}

/** The segments stored from `fromHourMs` on, by one LIST (hours after the clock's: a camera clock ahead, a future start time). */
async function tailFields(o: RecordSourceOptions, prefix: string, fromHourMs: number, stats: RecordSourceStats): Promise<KeyFields[]> {
  const tail = await listKeys(o, prefix + '/', startAfterKey(prefix, fromHourMs), stats);
  return tail.flatMap((k): KeyFields[] => {
    const p = k.key.endsWith('/' + HOUR_INDEX_NAME) ? undefined : parseSegmentKey(k.key, prefix);
    return p ? [{ key: p.key, startTimeMs: p.startTimeMs, durationMs: p.durationMs, sequence: p.sequence, discontinuity: p.discontinuity, storedMs: k.storedMs }] : [];
  });
}

/**
 * Walks a camera's records in start order, linked (gap and sequence rules) across hours, and yields
 * them in pages of at most 1,000 records overlapping `[startMs, endMs)`.
 *
 * @param o - see {@link RecordSourceOptions}
 * @returns pages of records (never empty)
 * @throws TypeError/RangeError for a bad prefix or option; the SDK's error when S3 fails
 */
export async function* recordPages(o: RecordSourceOptions): AsyncGenerator<SegmentRecord[]> {
  const prefix = validatePrefix(o.prefix);
  const stats = o.stats ?? newRecordSourceStats();
  const now = o.nowMs ?? Date.now();
  const settle = o.settleMs ?? DEFAULT_INDEX_SETTLE_MS;
  const gapTolerance = o.gapToleranceMs ?? DEFAULT_GAP_TOLERANCE_MS;
  const ahead = o.prefetchHours ?? 8;
  if (!Number.isInteger(ahead) || ahead < 1 || ahead > 64) throw new RangeError(`prefetchHours must be an integer in 1..64, got ${ahead}`);
  const endMs = o.endMs ?? Number.POSITIVE_INFINITY;
  const fromMs = await walkStart(o, prefix, stats);
  if (fromMs === undefined) return;
  const firstHourMs = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  // Hours after the clock's (a camera clock ahead, a file with a start time in the future) are
  // found by one LIST after the loop when the window has no end.
  const lastHourMs = Math.floor(Math.min(endMs - 1, Number.isFinite(endMs) ? endMs : now + HOUR_MS) / HOUR_MS) * HOUR_MS;
  const pending: Promise<KeyFields[]>[] = [];
  let nextFetch = firstHourMs;
  const fill = (): void => {
    while (pending.length < ahead && nextFetch <= lastHourMs) {
      const closed = nextFetch + HOUR_MS + settle <= now;
      const p = readHour(o, prefix, nextFetch, closed, stats);
      p.catch(() => {}); // awaited below in order; this only stops an unhandled-rejection report
      pending.push(p);
      nextFetch += HOUR_MS;
    }
  };
  let prev: SegmentRecord | undefined;
  let page: SegmentRecord[] = [];
  const take = function* (fields: Iterable<KeyFields>): Generator<SegmentRecord[], boolean> {
    for (const f of fields) {
      if (f.startTimeMs < fromMs) continue;
      if (f.startTimeMs >= endMs) return true;
      const record = linkRecord(prev, f, gapTolerance);
      prev = record;
      if (o.startMs !== undefined && record.startTimeMs + record.durationMs <= o.startMs) continue;
      page.push(record);
      if (page.length >= PAGE_RECORDS) {
        yield page;
        page = [];
      }
    }
    return false;
  };
  fill();
  while (pending.length > 0) {
    const fields = await pending.shift()!;
    if (fields.length === 0 && pending.length > 0) {
      // An empty hour: skip the empty run with one request (first object after it) instead of
      // two requests per hour (a camera off for a week, a window opened before it was installed).
      const hourEnd = nextFetch - pending.length * HOUR_MS;
      const next = await firstHour(o, prefix, stats, hourEnd);
      if (next === undefined) break;
      if (next > hourEnd) {
        for (const p of pending.splice(0)) p.catch(() => {});
        nextFetch = Math.max(next, hourEnd);
      }
    }
    fill();
    if (yield* take(fields)) break;
    if (page.length > 0) {
      yield page;
      page = [];
    }
    // Prefetched hours resolve without a macrotask: give the event loop a turn per hour.
    await nextTurn();
  }
  for (const p of pending) p.catch(() => {});
  if (!Number.isFinite(endMs) && nextFetch > lastHourMs) {
    yield* take(await tailFields(o, prefix, nextFetch, stats));
  }
  if (page.length > 0) yield page;
}

/**
 * Every record of a window in one array (for callers that need them all, e.g. a live window).
 *
 * @param o - see {@link RecordSourceOptions}
 * @returns the records in start order
 */
export async function collectRecords(o: RecordSourceOptions): Promise<SegmentRecord[]> {
  const out: SegmentRecord[] = [];
  for await (const page of recordPages(o)) for (const r of page) out.push(r);
  return out;
}
