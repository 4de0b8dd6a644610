/**
 * What the uploader keeps per stream (sink state) and per segment (job), and the PutObject request
 * made from them: key, body over the pool views, content type, metadata, tags, storage class, SSE,
 * checksum.
 */
import { performance } from 'node:perf_hooks';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import { keyOfSegment, validatePrefix, type KeyLayout } from '../keys/object-keys.js';
import { codecFactsMetadata } from '../stream/codec-facts.js';
import type { Segment } from '../types.js';
import { segmentBody } from './body.js';
import { checksumBase64, type UploadChecksum } from './checksum.js';
import type { FailureInfo } from './classify-error.js';
import type { ResolvedOptions, SinkOptions } from './options.js';
import { parseTags } from './tags.js';

/** One stream's settings, shared by its jobs (tags change at run time). */
export interface SinkState {
  readonly streamId: string;
  readonly prefix: string;
  readonly layout: KeyLayout;
  readonly metadata: Readonly<Record<string, string>>;
  /** Encoded `x-amz-tagging` value, '' for none; read at each attempt. */
  tagsHeader: string;
  ended: boolean;
}

/** One segment from hand-over to settlement. */
export interface Job {
  readonly streamId: string;
  readonly sequence: number;
  readonly segment: Segment;
  readonly sink: SinkState;
  readonly key: string;
  readonly bytes: number;
  /** `performance.now()` at hand-over, for `latencyMs`. */
  readonly handedAt: number;
  /** Computed once: the bytes do not change while the segment is held. */
  readonly checksum: string | undefined;
  notBeforeMs: number;
  attempts: number;
  inFlight: boolean;
  lastError: FailureInfo | undefined;
}

/**
 * A new stream's state from `sinkFor`'s options.
 * @param streamId - the stream id (already validated)
 * @param options - key prefix, layout, tags, extra metadata
 * @returns the state its jobs share
 * @throws TypeError for a bad prefix, layout or metadata; S3HlsError `BAD_TAGS` for invalid tags
 */
export function sinkState(streamId: string, options: SinkOptions): SinkState {
  if (options === null || typeof options !== 'object') throw new TypeError('sinkFor options must be an object with a prefix');
  const prefix = validatePrefix(options.prefix);
  const layout = options.layout ?? 'timeline';
  if (layout !== 'timeline' && layout !== 'reference') throw new TypeError(`options.layout must be 'timeline' or 'reference', got ${JSON.stringify(layout)}`);
  const metadata = checkMetadata(options.metadata);
  return { streamId, prefix, layout, metadata, tagsHeader: options.tags === undefined ? '' : parseTags(options.tags).header, ended: false };
}

/**
 * The job of a segment handed to a sink: its key and (once) its checksum.
 * @param sink - the stream's state
 * @param segment - the segment handed in
 * @param checksum - the checksum algorithm of the uploader
 * @returns a job not yet attempted
 * @throws RangeError when the segment's parts do not add up to its byteLength
 */
export function newJob(sink: SinkState, segment: Segment, checksum: UploadChecksum): Job {
  let bytes = 0;
  for (const p of segment.parts) bytes += p.byteLength;
  if (segment.parts.length === 0 || bytes !== segment.byteLength) {
    throw new RangeError(`segment ${segment.sequence} of ${sink.streamId}: parts add up to ${bytes} bytes, byteLength says ${segment.byteLength}`);
  }
  return {
    streamId: sink.streamId,
    sequence: segment.sequence,
    segment,
    sink,
    // A spooled segment keeps the key recorded when it was muxed (docs/spool.md, "Keys").
    key: segment.objectKey ?? keyOfSegment(sink.prefix, segment, sink.layout),
    bytes,
    checksum: checksum === 'none' ? undefined : checksumBase64(checksum, segment.parts),
    handedAt: performance.now(),
    notBeforeMs: 0,
    attempts: 0,
    inFlight: false,
    lastError: undefined,
  };
}

// S3 stores user metadata as HTTP headers: ASCII names and printable ASCII values.
const META_KEY = /^[a-z0-9-]{1,64}$/;
const META_VALUE = /^[\x20-\x7e]{0,1024}$/;

/**
 * Checks a sink's extra user metadata.
 * @param metadata - `x-amz-meta-*` names (without the prefix) and values
 * @returns a copy
 * @throws TypeError naming the entry
 */
export function checkMetadata(metadata: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  const out = { ...(metadata ?? {}) };
  for (const [k, v] of Object.entries(out)) {
    if (!META_KEY.test(k) || typeof v !== 'string' || !META_VALUE.test(v)) {
      throw new TypeError(`options.metadata.${k}: keys must be lower-case a-z 0-9 -, values printable ASCII (≤ 1024), got ${JSON.stringify(v)}`);
    }
  }
  return out;
}

/**
 * The PutObject input of one attempt (a new body stream each time).
 * @param o - resolved uploader options
 * @param job - the segment's job
 * @param serverDate - the server's `Date` header last seen and the device clock then (metadata)
 * @returns the command input
 */
export function putObjectInput(o: ResolvedOptions, job: Job, serverDate?: { readonly date: string; readonly deviceMs: number }): PutObjectCommandInput {
  const s = job.segment;
  const input: PutObjectCommandInput = {
    Bucket: o.bucket,
    Key: job.key,
    Body: segmentBody(s.parts),
    ContentLength: job.bytes,
    ContentType: 'video/mp2t',
    Metadata: {
      ...job.sink.metadata,
      camera: job.streamId,
      sequence: String(s.sequence),
      'duration-ticks': String(s.durationTicks),
      'first-pts-90k': String(s.firstPts90k),
      'start-time-ms': String(s.startTimeMs),
      discontinuity: s.discontinuity ? (s.discontinuityReason ?? 'true') : 'false',
      // codecs, resolution, frame-rate: a multivariant playlist is built from a HEAD, no body read.
      ...codecFactsMetadata(s),
      // Clocks (docs/keys.md): the device's own time at the cut, the server's as last seen.
      ...(s.deviceTimeMs !== undefined ? { 'device-time-ms': String(s.deviceTimeMs) } : {}),
      ...(serverDate !== undefined && META_VALUE.test(serverDate.date) ? { 'server-date': serverDate.date, 'server-date-device-ms': String(serverDate.deviceMs) } : {}),
    },
  };
  if (job.sink.tagsHeader !== '') input.Tagging = job.sink.tagsHeader;
  if (o.storageClass !== undefined) input.StorageClass = o.storageClass;
  if (o.sse?.type === 'AES256') input.ServerSideEncryption = 'AES256';
  else if (o.sse?.type === 'aws:kms') {
    input.ServerSideEncryption = 'aws:kms';
    if (o.sse.keyId !== undefined) input.SSEKMSKeyId = o.sse.keyId;
  }
  if (job.checksum !== undefined) {
    if (o.checksum === 'SHA256') input.ChecksumSHA256 = job.checksum;
    else input.ChecksumCRC32 = job.checksum;
  }
  return input;
}
