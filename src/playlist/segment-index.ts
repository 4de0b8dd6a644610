/**
 * The segment index: lists a camera's segments for a time window with ListObjectsV2 (Prefix +
 * StartAfter from the key layout, every page) and turns the keys into records without reading a
 * single object. Also lists the cameras under a root prefix.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseSegmentKey, startAfterKey, validateCameraId, validatePrefix } from '../keys/object-keys.js';
import { DEFAULT_GAP_TOLERANCE_MS, linkRecord, type SegmentRecord } from './segment-records.js';

/** Options of {@link listSegments}. */
export interface ListSegmentsOptions {
  /** An S3 client (any region/endpoint; path-style for S3-compatible stores). */
  readonly client: S3Client;
  /** The bucket. */
  readonly bucket: string;
  /** The camera's prefix, e.g. `cameras/front-door` (validated by `validatePrefix`). */
  readonly prefix: string;
  /** Start of the window, ms since the epoch; a segment that covers this instant is included. @defaultValue everything */
  readonly startMs?: number | undefined;
  /** End of the window (exclusive), ms since the epoch: segments starting at or after it are left out. @defaultValue no end */
  readonly endMs?: number | undefined;
  /**
   * How far before `startMs` the listing starts, so that a segment which began earlier but still
   * covers `startMs` is found (a long GOP makes a long segment). @defaultValue 60000
   */
  readonly maxSegmentMs?: number | undefined;
  /** See {@link DEFAULT_GAP_TOLERANCE_MS}. @defaultValue 500 */
  readonly gapToleranceMs?: number | undefined;
  /** Keys per page (1..1000; S3 caps it at 1000). @defaultValue 1000 */
  readonly pageSize?: number | undefined;
  /** Stops the listing. */
  readonly signal?: AbortSignal | undefined;
}

/** What a listing found, with its cost. */
export interface SegmentListing {
  /** Records overlapping the window, in start-time order. */
  readonly records: SegmentRecord[];
  /** ListObjectsV2 requests made. */
  readonly pages: number;
  /** Keys S3 returned (including ones outside the window or not segment keys). */
  readonly keysSeen: number;
}

const DEFAULT_MAX_SEGMENT_MS = 60_000;

function checkTime(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new RangeError(`${name} must be a non-negative number of ms since the epoch, got ${value}`);
  }
}

/**
 * Lists the segments of one camera overlapping `[startMs, endMs)`.
 *
 * Keys sort by start time, so the listing starts after {@link startAfterKey}`(startMs - maxSegmentMs)`
 * and stops at the first key starting at or after `endMs` (the remaining pages are not requested).
 *
 * @param options - see {@link ListSegmentsOptions}
 * @returns the records, pages requested and keys seen
 * @throws TypeError/RangeError for a bad prefix or time; the SDK's error when S3 refuses
 */
export async function listSegments(options: ListSegmentsOptions): Promise<SegmentListing> {
  const prefix = validatePrefix(options.prefix);
  checkTime(options.startMs, 'startMs');
  checkTime(options.endMs, 'endMs');
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new RangeError(`pageSize must be an integer in 1..1000, got ${pageSize}`);
  const maxSegmentMs = options.maxSegmentMs ?? DEFAULT_MAX_SEGMENT_MS;
  const gapToleranceMs = options.gapToleranceMs ?? DEFAULT_GAP_TOLERANCE_MS;
  const startMs = options.startMs;
  const endMs = options.endMs ?? Number.POSITIVE_INFINITY;
  const startAfter = startMs === undefined ? undefined : startAfterKey(prefix, Math.max(0, startMs - maxSegmentMs));

  const records: SegmentRecord[] = [];
  let prev: SegmentRecord | undefined;
  let pages = 0;
  let keysSeen = 0;
  let token: string | undefined;
  let done = false;
  while (!done) {
    const page = await options.client.send(
      new ListObjectsV2Command({
        Bucket: options.bucket,
        Prefix: prefix + '/',
        MaxKeys: pageSize,
        ...(token !== undefined ? { ContinuationToken: token } : startAfter !== undefined ? { StartAfter: startAfter } : {}),
      }),
      { abortSignal: options.signal },
    );
    pages += 1;
    for (const object of page.Contents ?? []) {
      keysSeen += 1;
      if (object.Key === undefined) continue;
      const parsed = parseSegmentKey(object.Key, prefix);
      if (parsed === undefined) continue;
      if (parsed.startTimeMs >= endMs) {
        done = true;
        break;
      }
      // Link against the previous key even when it ends before the window, so a gap right at the
      // window's start is still seen as one.
      const record = linkRecord(prev, { ...parsed, storedMs: object.LastModified?.getTime() }, gapToleranceMs);
      prev = record;
      if (startMs === undefined || record.startTimeMs + record.durationMs > startMs) records.push(record);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (token === undefined) done = true;
  }
  return { records, pages, keysSeen };
}

/** Options of {@link listCameras}. */
export interface ListCamerasOptions {
  /** The S3 client. */
  readonly client: S3Client;
  /** The bucket. */
  readonly bucket: string;
  /** The root prefix cameras live under, e.g. `cameras`. */
  readonly rootPrefix: string;
  /** Stop after this many cameras (each costs one request). @defaultValue 1000 */
  readonly maxCameras?: number | undefined;
  /** Stops the listing. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Lists the camera ids (folders) directly under a root prefix.
 *
 * First a Delimiter listing (`Delimiter: '/'`, one request per 1000 cameras on S3). When that finds
 * no folder at all, a skip scan follows: ask for the first key after the last camera found
 * (`StartAfter: <root>/<camera>0`, `0` being the character after `/`, so all of that camera's keys
 * are skipped), one request per camera. s3rver, the demo's and the tests' store, does not report a
 * folder whose objects all sit deeper than one level -- which is every camera folder of this key
 * layout -- so without the fallback it would list no camera. Folder names that are not valid camera
 * ids are skipped, never reported.
 *
 * @param options - see {@link ListCamerasOptions}
 * @returns camera ids, sorted
 * @throws TypeError for a bad root prefix; RangeError for a bad `maxCameras`; the SDK's error when S3 refuses
 */
export async function listCameras(options: ListCamerasOptions): Promise<string[]> {
  const root = validatePrefix(options.rootPrefix) + '/';
  const maxCameras = options.maxCameras ?? 1000;
  if (!Number.isInteger(maxCameras) || maxCameras < 1) throw new RangeError(`maxCameras must be a positive integer, got ${maxCameras}`);
  const cameras: string[] = [];
  const add = (name: string): void => {
    try {
      cameras.push(validateCameraId(name));
    } catch {
      // A folder we could not have written: skipped, never an error.
    }
  };
  let token: string | undefined;
  do {
    const page = await options.client.send(
      new ListObjectsV2Command({ Bucket: options.bucket, Prefix: root, Delimiter: '/', ...(token !== undefined ? { ContinuationToken: token } : {}) }),
      { abortSignal: options.signal },
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) add(p.Prefix.slice(root.length, -1));
    token = page.IsTruncated && cameras.length < maxCameras ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  if (cameras.length > 0) return cameras.sort().slice(0, maxCameras);

  let startAfter: string | undefined;
  while (cameras.length < maxCameras) {
    const page = await options.client.send(
      new ListObjectsV2Command({ Bucket: options.bucket, Prefix: root, MaxKeys: 1, ...(startAfter !== undefined ? { StartAfter: startAfter } : {}) }),
      { abortSignal: options.signal },
    );
    const key = page.Contents?.[0]?.Key;
    if (key === undefined) break;
    const slash = key.indexOf('/', root.length);
    if (slash === -1) {
      // A loose object right under the root: not a camera; continue after it.
      startAfter = key;
      continue;
    }
    const name = key.slice(root.length, slash);
    add(name);
    startAfter = `${root}${name}0`;
  }
  return cameras.sort();
}

/**
 * Times {@link listSegments} once, for `npm run bench` (listing 24 h of 2-s segments).
 *
 * @param options - as for {@link listSegments}
 * @returns the listing plus its wall-clock time in ms
 */
export async function timeSegmentListing(options: ListSegmentsOptions): Promise<SegmentListing & { elapsedMs: number }> {
  const t0 = performance.now();
  const listing = await listSegments(options);
  return { ...listing, elapsedMs: performance.now() - t0 };
}
