/**
 * Writes a camera-day's index (day-index.ts) from what is stored: each hour's index object when it
 * has one (GET), else a LIST of the hour's folder. Used by HourIndexWriter when a day closes, and
 * usable on its own to add day indexes to footage stored before they existed.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { validatePrefix } from '../keys/object-keys.js';
import { buildDayIndex, dayIndexKey, dayStartOf, summarizeHourIndex, type HourSummary } from './day-index.js';
import { buildHourIndex, HOUR_MS, HOUR_INDEX_VERSION, hourFolderOf, hourIndexKey, type HourIndexJson } from './hour-index.js';

/** Options of {@link writeDayIndex}. */
export interface WriteDayIndexOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The camera prefix. */
  readonly prefix: string;
  /** Any time within the day (UTC). */
  readonly dayMs: number;
  /** `x-amz-tagging` of the object (the segments' tags, so retention treats it alike). */
  readonly tagging?: string | undefined;
  /** The writer's clock. @defaultValue Date.now() */
  readonly nowMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What {@link writeDayIndex} did. */
export interface DayIndexWritten {
  /** The key written. */
  readonly key: string;
  /** Hours with segments. */
  readonly hours: number;
  /** Hours read from their index object. */
  readonly fromHourIndex: number;
  /** Hours listed (no usable hour index). */
  readonly listed: number;
}

function isNoSuchKey(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}

/** One hour's summary: from its index when it has a usable one, else listed; `listed` tells which. */
async function summarizeHour(o: WriteDayIndexOptions, prefix: string, hourMs: number, now: number): Promise<{ summary: HourSummary | undefined; listed: boolean }> {
  try {
    const got = await o.client.send(new GetObjectCommand({ Bucket: o.bucket, Key: hourIndexKey(prefix, hourMs) }), { abortSignal: o.signal });
    const json = JSON.parse(await got.Body!.transformToString()) as Partial<HourIndexJson>;
    // Same acceptance rule as the reader (record-source.ts): another version or hour is listed.
    if (json.v === HOUR_INDEX_VERSION && json.hour === new Date(hourMs).toISOString() && Array.isArray(json.segments) && Array.isArray(json.spans)) {
      return { summary: summarizeHourIndex(json as HourIndexJson, hourMs), listed: false };
    }
  } catch (e) {
    if (!isNoSuchKey(e) && !(e instanceof SyntaxError)) throw e;
  }
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await o.client.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: `${prefix}/${hourFolderOf(hourMs)}/`, ...(token ? { ContinuationToken: token } : {}) }), {
      abortSignal: o.signal,
    });
    for (const c of page.Contents ?? []) if (c.Key !== undefined) keys.push(c.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { summary: summarizeHourIndex(buildHourIndex(prefix, hourMs, keys, now), hourMs), listed: true };
}

/**
 * Reads the 24 hours of a day (6 at a time) and writes the day's index object. The caller decides
 * that the day is closed: an hour still receiving segments would make the rollup stale.
 *
 * @param o - see {@link WriteDayIndexOptions}
 * @returns what was written
 * @throws TypeError for a bad prefix; the SDK's error when a request fails (nothing is written then)
 */
export async function writeDayIndex(o: WriteDayIndexOptions): Promise<DayIndexWritten> {
  const prefix = validatePrefix(o.prefix);
  const day = dayStartOf(o.dayMs);
  const now = o.nowMs ?? Date.now();
  const results: { summary: HourSummary | undefined; listed: boolean }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < 24) {
      const h = next++;
      results[h] = await summarizeHour(o, prefix, day + h * HOUR_MS, now);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  const summaries = results.flatMap((r) => (r.summary ? [r.summary] : []));
  const key = dayIndexKey(prefix, day);
  await o.client.send(
    new PutObjectCommand({
      Bucket: o.bucket,
      Key: key,
      Body: Buffer.from(JSON.stringify(buildDayIndex(day, summaries, now))),
      ContentType: 'application/json',
      ...(o.tagging ? { Tagging: o.tagging } : {}),
    }),
    { abortSignal: o.signal },
  );
  const listed = results.filter((r) => r.listed).length;
  return { key, hours: summaries.length, fromHourIndex: 24 - listed, listed };
}
