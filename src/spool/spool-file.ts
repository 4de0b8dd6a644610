/**
 * The spool file format: one segment per file, self-describing and self-checking, so a file can be
 * verified and uploaded by a later run (or a different tool) with nothing but the file.
 *
 *     offset      size  field
 *     0           8     magic "S3HLSSP1" (ASCII; the 1 is the format version)
 *     8           4     header_length H, unsigned 32-bit big-endian
 *     12          H     header: UTF-8 JSON, {@link SpoolHeader}
 *     12+H        N     payload: the segment's MPEG-TS bytes, N = header.segment.byteLength
 *     12+H+N      4     CRC-32 (IEEE 802.3, the one S3 uses) of bytes [0, 12+H+N), big-endian
 *
 * The CRC covers the magic, the header and the payload: a flipped byte anywhere, a truncated file
 * (the size no longer adds up) or an edited header are all detected. CRC-32 finds every burst error
 * up to 32 bits and misses random damage with probability 2^-32; it guards against disks and
 * crashes, not against someone forging files (whoever can write the spool can also PUT to S3).
 */
import type { Segment } from '../types.js';
import { crc32Parts } from '../upload/checksum.js';
import type { DamageReason } from './spool-errors.js';

/** The 8 magic bytes at the start of every spool file. */
export const SPOOL_MAGIC = Buffer.from('S3HLSSP1', 'ascii');
/** Bytes before the header: magic + header_length. */
export const SPOOL_PREFIX_BYTES = 12;
/** Bytes after the payload: the CRC-32. */
export const SPOOL_TRAILER_BYTES = 4;
/** A header larger than this is not ours (metadata is a few hundred bytes). */
export const MAX_HEADER_BYTES = 64 * 1024;

/** A segment's description without its bytes: everything needed to rebuild the {@link Segment}. */
export type SpooledSegmentInfo = Omit<Segment, 'parts' | 'release'>;

/** The JSON header of a spool file. */
export interface SpoolHeader {
  /** Format version, 1. */
  readonly version: 1;
  /** The object key the segment is to be stored under (src/keys/object-keys.ts), for tools and reports. */
  readonly key: string;
  /** Caller's extra metadata (e.g. prefix, layout), string to string. */
  readonly meta: Readonly<Record<string, string>>;
  /** When the file was written, ms since the epoch. */
  readonly writtenAtMs: number;
  /** The segment's fields. */
  readonly segment: SpooledSegmentInfo;
}

/** What {@link decodeSpoolFile} found. */
export type DecodeResult =
  { readonly ok: true; readonly header: SpoolHeader; readonly payload: Buffer } | { readonly ok: false; readonly reason: DamageReason; readonly message: string };

const REASONS = new Set(['start', 'timestamp-reset', 'timestamp-jump', 'dropped-frames', 'source-restart', 'clock-step']);

/** The segment fields of `segment`, as a plain object (no views, no functions). */
export function segmentInfo(segment: SpooledSegmentInfo): SpooledSegmentInfo {
  return {
    streamId: segment.streamId,
    sequence: segment.sequence,
    mediaSequence: segment.mediaSequence,
    firstPts90k: segment.firstPts90k,
    durationTicks: segment.durationTicks,
    startTimeMs: segment.startTimeMs,
    byteLength: segment.byteLength,
    discontinuity: segment.discontinuity,
    discontinuityReason: segment.discontinuityReason,
    videoFrames: segment.videoFrames,
    audioFrames: segment.audioFrames,
    codecs: segment.codecs,
    width: segment.width,
    height: segment.height,
    overTarget: segment.overTarget,
    ...(segment.deviceTimeMs !== undefined ? { deviceTimeMs: segment.deviceTimeMs } : {}),
  };
}

/**
 * The bytes that go before the payload (magic, header_length, header).
 *
 * @param header - the header to write
 * @returns a new buffer of 12 + H bytes
 * @throws RangeError when the header is larger than {@link MAX_HEADER_BYTES}
 */
export function encodeSpoolPrefix(header: SpoolHeader): Buffer {
  // JSON.stringify drops `undefined` fields; null keeps discontinuityReason present in the file.
  const json = Buffer.from(
    JSON.stringify(header, (_k, v: unknown) => (v === undefined ? null : v)),
    'utf8',
  );
  if (json.length > MAX_HEADER_BYTES) throw new RangeError(`spool header is ${json.length} bytes, more than ${MAX_HEADER_BYTES}: metadata too large`);
  const prefix = Buffer.allocUnsafe(SPOOL_PREFIX_BYTES + json.length);
  SPOOL_MAGIC.copy(prefix, 0);
  prefix.writeUInt32BE(json.length, 8);
  json.copy(prefix, SPOOL_PREFIX_BYTES);
  return prefix;
}

/**
 * The 4-byte trailer: CRC-32 of the prefix and every payload part, in order.
 * @param prefix - from {@link encodeSpoolPrefix}
 * @param parts - the segment's bytes (pool views; not copied)
 * @returns 4 bytes, big-endian CRC
 */
export function encodeSpoolTrailer(prefix: Uint8Array, parts: readonly Uint8Array[]): Buffer {
  const trailer = Buffer.allocUnsafe(SPOOL_TRAILER_BYTES);
  trailer.writeUInt32BE(crc32Parts([prefix, ...parts]), 0);
  return trailer;
}

/**
 * Verifies a whole spool file and splits it into header and payload.
 *
 * @param file - the file's bytes
 * @returns the header and a view of the payload, or why the file is damaged
 */
export function decodeSpoolFile(file: Buffer): DecodeResult {
  if (file.length < SPOOL_PREFIX_BYTES || !file.subarray(0, 8).equals(SPOOL_MAGIC)) {
    return file.length < 8 && SPOOL_MAGIC.subarray(0, file.length).equals(file)
      ? { ok: false, reason: 'truncated', message: `file is ${file.length} bytes, shorter than the 12-byte prefix` }
      : { ok: false, reason: 'bad-magic', message: 'file does not start with "S3HLSSP1"' };
  }
  const headerLength = file.readUInt32BE(8);
  if (headerLength > MAX_HEADER_BYTES) return { ok: false, reason: 'bad-header', message: `header_length ${headerLength} exceeds ${MAX_HEADER_BYTES}` };
  const payloadAt = SPOOL_PREFIX_BYTES + headerLength;
  if (file.length < payloadAt + SPOOL_TRAILER_BYTES) {
    return { ok: false, reason: 'truncated', message: `file is ${file.length} bytes, the header alone needs ${payloadAt + SPOOL_TRAILER_BYTES}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.toString('utf8', SPOOL_PREFIX_BYTES, payloadAt));
  } catch {
    return checksumFirst(file) ?? { ok: false, reason: 'bad-header', message: 'header is not valid JSON' };
  }
  const problem = checkHeader(parsed);
  if (problem !== undefined) return checksumFirst(file) ?? { ok: false, reason: 'bad-header', message: problem };
  const header = parsed as SpoolHeader;
  const expected = payloadAt + header.segment.byteLength + SPOOL_TRAILER_BYTES;
  if (file.length !== expected) {
    return { ok: false, reason: 'truncated', message: `file is ${file.length} bytes, its header says ${expected}` };
  }
  const body = file.subarray(0, expected - SPOOL_TRAILER_BYTES);
  const stored = file.readUInt32BE(expected - SPOOL_TRAILER_BYTES);
  const actual = crc32Parts([body]);
  if (stored !== actual) {
    return { ok: false, reason: 'bad-checksum', message: `CRC-32 is 0x${hex(actual)}, the file says 0x${hex(stored)}` };
  }
  const segment = { ...header.segment, discontinuityReason: header.segment.discontinuityReason ?? undefined };
  if (segment.deviceTimeMs === null) delete (segment as { deviceTimeMs?: number }).deviceTimeMs;
  return { ok: true, header: { ...header, segment }, payload: file.subarray(payloadAt, expected - SPOOL_TRAILER_BYTES) };
}

/** When the header does not parse, a CRC mismatch is the more useful diagnosis (a flipped byte). */
function checksumFirst(file: Buffer): DecodeResult | undefined {
  const body = file.subarray(0, file.length - SPOOL_TRAILER_BYTES);
  if (crc32Parts([body]) !== file.readUInt32BE(file.length - SPOOL_TRAILER_BYTES)) {
    return { ok: false, reason: 'bad-checksum', message: 'CRC-32 does not match (header damaged)' };
  }
  return undefined;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function isInt(v: unknown, min = 0): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/** Checks every field a spooled segment needs; returns what is wrong, or undefined. */
function checkHeader(h: unknown): string | undefined {
  if (h === null || typeof h !== 'object') return 'header is not an object';
  const o = h as Record<string, unknown>;
  if (o['version'] !== 1) return `unknown version ${JSON.stringify(o['version'])}`;
  if (typeof o['key'] !== 'string' || o['key'] === '') return 'key missing';
  if (!isInt(o['writtenAtMs'])) return 'writtenAtMs missing';
  const meta = o['meta'];
  if (meta === null || typeof meta !== 'object' || Object.values(meta).some((v) => typeof v !== 'string')) return 'meta must map strings to strings';
  const s = o['segment'] as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object') return 'segment missing';
  if (typeof s['streamId'] !== 'string' || s['streamId'] === '') return 'segment.streamId missing';
  for (const f of ['sequence', 'mediaSequence', 'firstPts90k', 'durationTicks', 'startTimeMs', 'byteLength', 'videoFrames', 'audioFrames', 'width', 'height']) {
    if (!isInt(s[f])) return `segment.${f} must be a non-negative integer, got ${JSON.stringify(s[f])}`;
  }
  if ((s['byteLength'] as number) % 188 !== 0) return `segment.byteLength ${String(s['byteLength'])} is not a multiple of 188`;
  if (typeof s['discontinuity'] !== 'boolean' || typeof s['overTarget'] !== 'boolean') return 'segment.discontinuity/overTarget must be booleans';
  const reason = s['discontinuityReason'];
  if (reason !== null && reason !== undefined && !(typeof reason === 'string' && REASONS.has(reason))) return `unknown discontinuityReason ${JSON.stringify(reason)}`;
  if (typeof s['codecs'] !== 'string') return 'segment.codecs missing';
  if (s['deviceTimeMs'] !== undefined && s['deviceTimeMs'] !== null && !isInt(s['deviceTimeMs']))
    return `segment.deviceTimeMs must be a non-negative integer, got ${JSON.stringify(s['deviceTimeMs'])}`;
  return undefined;
}
