/**
 * The multivariant playlist of a camera (RFC 8216 §4.3.4.2 EXT-X-STREAM-INF): one variant, the
 * camera's media playlist, described so a player can choose and set up its decoder before it loads
 * a segment. Built from what is stored without reading a segment body:
 *
 * - BANDWIDTH (the peak segment bit rate) and AVERAGE-BANDWIDTH from the sizes and durations of the
 *   stored segments: ListObjectsV2 gives the size, the key gives the duration;
 * - CODECS, RESOLUTION, FRAME-RATE from the codec facts the uploader wrote as object metadata
 *   (src/stream/codec-facts.ts): one HEAD of the newest segment.
 */
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseSegmentKey, startAfterKey, validatePrefix } from '../keys/object-keys.js';
import { codecFactsFromMetadata, type CodecFacts } from '../stream/codec-facts.js';

/** One stored segment's size and duration, from the listing alone. */
export interface SegmentSize {
  readonly key: string;
  readonly startTimeMs: number;
  readonly durationMs: number;
  /** Object size in bytes (whole TS: headers and padding count, as the player downloads them). */
  readonly bytes: number;
}

/** What the playlist says about its one variant. */
export interface VariantFacts {
  /** Peak segment bit rate, bits/s (§4.3.4.2 BANDWIDTH). */
  readonly bandwidth: number;
  /** Total bits over total duration, bits/s (§4.3.4.2 AVERAGE-BANDWIDTH). */
  readonly averageBandwidth: number;
  /** Codec facts of the newest segment that has them; undefined when none has (old uploads). */
  readonly facts: CodecFacts | undefined;
}

/** Input of {@link buildMultivariantPlaylist}. */
export interface MultivariantOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The camera's prefix, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** The media playlist's URI as it goes into the playlist (relative or absolute). */
  readonly mediaUri: string;
  /** Measure segments starting at or after this time (minus `maxSegmentMs`), ms since the epoch. */
  readonly startMs: number;
  /** Measure segments starting before this time, ms since the epoch. @defaultValue no end */
  readonly endMs?: number | undefined;
  /** See `listSegments`. @defaultValue 60000 */
  readonly maxSegmentMs?: number | undefined;
  /** HEAD requests tried, newest segment first, to find codec facts. @defaultValue 3 */
  readonly maxHeads?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What {@link buildMultivariantPlaylist} returns: the text and what it cost. */
export interface MultivariantResult extends VariantFacts {
  readonly text: string;
  /** Segments measured. */
  readonly segments: number;
  /** ListObjectsV2 and HeadObject requests made. */
  readonly listRequests: number;
  readonly headRequests: number;
}

/**
 * RFC 8216 §4.3.3.1's target duration of the measured segments (largest duration rounded).
 * @param segments - the segments
 * @returns seconds, at least 1
 */
function targetSeconds(segments: readonly SegmentSize[]): number {
  let max = 1;
  for (const s of segments) max = Math.max(max, Math.round(s.durationMs / 1000));
  return max;
}

/**
 * The peak segment bit rate (RFC 8216 §4.3.4.2 via §4.1): the largest bit rate of any contiguous
 * set of segments whose total duration is between 0.5 and 1.5 times the target duration; a set's
 * rate is its total size over its total duration. When no set fits (one short segment), the
 * largest single-segment rate.
 *
 * @param segments - in playlist order
 * @returns bits per second, rounded up; 0 for no segment with a duration
 */
export function peakBitrate(segments: readonly SegmentSize[]): number {
  const timed = segments.filter((s) => s.durationMs > 0);
  const targetMs = targetSeconds(timed) * 1000;
  let peak = 0;
  let single = 0;
  for (let i = 0; i < timed.length; i++) {
    single = Math.max(single, (timed[i].bytes * 8000) / timed[i].durationMs);
    let bytes = 0;
    let ms = 0;
    for (let j = i; j < timed.length; j++) {
      bytes += timed[j].bytes;
      ms += timed[j].durationMs;
      if (ms > 1.5 * targetMs) break;
      if (ms >= 0.5 * targetMs) peak = Math.max(peak, (bytes * 8000) / ms);
    }
  }
  return Math.ceil(peak > 0 ? peak : single);
}

/**
 * The average segment bit rate: all bits over all durations.
 * @param segments - the segments
 * @returns bits per second, rounded up; 0 for none
 */
export function averageBitrate(segments: readonly SegmentSize[]): number {
  let bytes = 0;
  let ms = 0;
  for (const s of segments) {
    if (s.durationMs <= 0) continue;
    bytes += s.bytes;
    ms += s.durationMs;
  }
  return ms > 0 ? Math.ceil((bytes * 8000) / ms) : 0;
}

/**
 * Renders the multivariant playlist of one variant.
 *
 * @param mediaUri - the media playlist's URI
 * @param variant - bandwidths and codec facts
 * @returns the text, lines ending in `\n`
 * @throws TypeError when the URI contains a line break or a bandwidth is not a positive integer
 */
export function renderMultivariantPlaylist(mediaUri: string, variant: VariantFacts): string {
  if (/[\r\n]/.test(mediaUri)) throw new TypeError('mediaUri contains a line break');
  for (const [name, v] of [
    ['bandwidth', variant.bandwidth],
    ['averageBandwidth', variant.averageBandwidth],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new TypeError(`${name} must be a positive integer of bits/s, got ${v}`);
  }
  const attrs = [`BANDWIDTH=${variant.bandwidth}`, `AVERAGE-BANDWIDTH=${variant.averageBandwidth}`];
  const f = variant.facts;
  if (f !== undefined) {
    attrs.push(`CODECS="${f.codecs}"`);
    if (f.width > 0 && f.height > 0) attrs.push(`RESOLUTION=${f.width}x${f.height}`);
    if (f.frameRate !== undefined) attrs.push(`FRAME-RATE=${f.frameRate.toFixed(3)}`);
  }
  // §4.3.5.1: every segment starts with an IDR and its parameter sets, as the media playlists say.
  return ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-STREAM-INF:${attrs.join(',')}`, mediaUri].join('\n') + '\n';
}

/**
 * Lists sizes and durations of a camera's segments in a window (every page; no body read).
 *
 * @param o - client, bucket, prefix, window
 * @returns segments in start-time order and the requests made
 */
export async function listSegmentSizes(o: Omit<MultivariantOptions, 'mediaUri' | 'maxHeads'>): Promise<{ segments: SegmentSize[]; requests: number }> {
  const prefix = validatePrefix(o.prefix);
  const endMs = o.endMs ?? Number.POSITIVE_INFINITY;
  const startAfter = startAfterKey(prefix, Math.max(0, o.startMs - (o.maxSegmentMs ?? 60_000)));
  const segments: SegmentSize[] = [];
  let requests = 0;
  let token: string | undefined;
  for (;;) {
    const page = await o.client.send(
      new ListObjectsV2Command({ Bucket: o.bucket, Prefix: `${prefix}/`, ...(token !== undefined ? { ContinuationToken: token } : { StartAfter: startAfter }) }),
      { abortSignal: o.signal },
    );
    requests += 1;
    for (const object of page.Contents ?? []) {
      const parsed = object.Key === undefined ? undefined : parseSegmentKey(object.Key, prefix);
      if (parsed === undefined || object.Size === undefined) continue;
      if (parsed.startTimeMs >= endMs) return { segments, requests };
      if (parsed.startTimeMs + parsed.durationMs > o.startMs) {
        segments.push({ key: parsed.key, startTimeMs: parsed.startTimeMs, durationMs: parsed.durationMs, bytes: object.Size });
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (token === undefined) return { segments, requests };
  }
}

/**
 * Reads codec facts from the newest segments' metadata, newest first: the first with codecs,
 * resolution and frame rate, else the newest with codecs.
 *
 * @param o - client, bucket, keys (oldest first, as listed), how many HEADs to try
 * @returns the facts (or undefined) and the HEAD requests made
 */
export async function readCodecFacts(o: {
  client: S3Client;
  bucket: string;
  keys: readonly string[];
  maxHeads: number;
  signal?: AbortSignal | undefined;
}): Promise<{ facts: CodecFacts | undefined; requests: number }> {
  let requests = 0;
  // A one-frame last segment has codecs but no frame rate: keep it, but prefer an older complete one.
  let partial: CodecFacts | undefined;
  for (let i = o.keys.length - 1; i >= 0 && requests < o.maxHeads; i--) {
    requests += 1;
    let metadata: Record<string, string> | undefined;
    try {
      metadata = (await o.client.send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.keys[i] }), { abortSignal: o.signal })).Metadata;
    } catch (e) {
      // 404: deleted (lifecycle) between LIST and HEAD, try an older one. 403: a role allowed to
      // list but not to read (a base-URL deployment): the bandwidths are still right, so answer
      // without CODECS rather than fail the playlist. Anything else is a storage failure.
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) continue;
      if (status === 403) return { facts: partial, requests };
      throw e;
    }
    const facts = codecFactsFromMetadata(metadata);
    if (facts !== undefined && facts.frameRate !== undefined && facts.width > 0) return { facts, requests };
    partial ??= facts;
  }
  return { facts: partial, requests };
}

/**
 * Builds a camera's multivariant playlist from its stored segments.
 *
 * @param o - see {@link MultivariantOptions}
 * @returns the playlist and its figures, or undefined when no segment is stored in the window
 * @throws TypeError for a bad prefix; the SDK's error when S3 refuses
 */
export async function buildMultivariantPlaylist(o: MultivariantOptions): Promise<MultivariantResult | undefined> {
  const { segments, requests: listRequests } = await listSegmentSizes(o);
  const bandwidth = peakBitrate(segments);
  if (bandwidth === 0) return undefined;
  const averageBandwidth = averageBitrate(segments);
  const { facts, requests: headRequests } = await readCodecFacts({
    client: o.client,
    bucket: o.bucket,
    keys: segments.map((s) => s.key),
    maxHeads: o.maxHeads ?? 3,
    signal: o.signal,
  });
  const variant = { bandwidth, averageBandwidth, facts };
  return { ...variant, text: renderMultivariantPlaylist(o.mediaUri, variant), segments: segments.length, listRequests, headRequests };
}

/** Which media playlist a multivariant request points at, and the window to measure. */
export interface MultivariantTarget {
  /** Relative URI of the media playlist beside `index.m3u8`, with start/end passed through. */
  readonly mediaUri: string;
  /** Window measured for the bandwidths. */
  readonly startMs: number;
  readonly endMs: number | undefined;
  /** Cache lifetime for the answer, seconds (live: short; a finished range: long). */
  readonly maxAgeSeconds: number;
}

/**
 * The media playlist a request for `index.m3u8` points at: `live.m3u8` for `live` or no `start`
 * (with `start` passed on: an EVENT playlist), else `playlist.m3u8?start=…&end=…` (VOD). The values
 * are passed on as given, so the media playlist sees exactly what the caller wrote.
 *
 * @param query - the request's query
 * @param times - `start`/`end` already parsed by the caller (ms), `now`, and the live look back (ms)
 * @returns the URI and the window to measure
 */
export function multivariantTarget(
  query: URLSearchParams,
  times: { startMs: number | undefined; endMs: number | undefined; nowMs: number; liveLookbackMs: number },
): MultivariantTarget {
  const startMs = times.startMs;
  const live = query.has('live') || startMs === undefined;
  const pass = new URLSearchParams();
  const start = query.get('start');
  const end = query.get('end');
  if (start) pass.set('start', start);
  if (end && !live) pass.set('end', end);
  const qs = pass.toString();
  const mediaUri = `${live ? 'live' : 'playlist'}.m3u8${qs ? `?${qs}` : ''}`;
  if (live || startMs === undefined) {
    // Live: what is stored lately describes what the viewer will get (an EVENT from its start).
    return { mediaUri, startMs: startMs ?? Math.max(0, times.nowMs - times.liveLookbackMs), endMs: undefined, maxAgeSeconds: 10 };
  }
  const endMs = times.endMs ?? times.nowMs;
  return { mediaUri, startMs, endMs, maxAgeSeconds: endMs > times.nowMs - 60_000 ? 2 : 600 };
}
