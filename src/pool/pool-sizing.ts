/**
 * How big a camera's pool must be, from what its stream needs.
 *
 * A segment is cut only at an IDR frame, so the pool must hold one whole segment being written
 * (at least one GOP) while the segments before it are still being uploaded; with less, either the
 * stream drops whole GOPs (live) or a file reader waiting for room can never get it (the open
 * segment cannot end before the next IDR). The rule, for a stream whose segments are `S` bytes
 * (measured from the input's first GOP, or bitrate × segment length from a `--bitrate` hint):
 *
 *     pool = round up to 1 MiB( S × 1.1 (TS overhead and GOP size variation) × 3 )
 *            at least DEFAULT_POOL_BYTES (4 MiB), at most MAX_AUTO_POOL_BYTES (256 MiB)
 *
 * Three segments: the one being written, one being uploaded, one of slack for a slow PUT. A 12 Mbit/s
 * camera with 2 s segments (3 MB) gets 10 MiB; a 2 Mbit/s one keeps the 4 MiB default.
 */
import { DEFAULT_POOL_BYTES } from './segment-pool.js';

/** Largest pool the automatic rule picks; a larger one must be asked for (`--pool-size`, `poolBytes`). */
export const MAX_AUTO_POOL_BYTES = 256 * 1024 * 1024;
/** TS packet headers, PES headers, AUDs and GOP-to-GOP size variation, as a factor on the elementary stream. */
export const TS_OVERHEAD_FACTOR = 1.1;
/** Segments the pool holds at once: the open one, one uploading, one of slack. */
export const SEGMENTS_IN_POOL = 3;

const MIB = 1024 * 1024;

/** What a stream is known to need. */
export interface StreamNeeds {
  /** Bytes of elementary stream in one segment (at least one GOP). */
  readonly segmentBytes: number;
}

/** A pool size decision and why. */
export interface PoolDecision {
  /** Pool bytes to allocate. */
  readonly poolBytes: number;
  /** The smallest pool in which one segment of this stream fits at all (TS overhead included). */
  readonly minimumBytes: number;
  /** True when even the cap cannot hold one segment: the stream cannot be muxed with an automatic pool. */
  readonly exceedsCap: boolean;
}

/**
 * Segment bytes from a bitrate hint.
 * @param bitrateBps - the stream's bitrate, bits per second
 * @param segmentSeconds - the segment target, seconds
 * @param gopSeconds - the keyframe interval when longer than the target (segments then last one GOP)
 * @returns bytes of elementary stream per segment
 */
export function segmentBytesFromBitrate(bitrateBps: number, segmentSeconds: number, gopSeconds = 0): number {
  return Math.ceil((bitrateBps / 8) * Math.max(segmentSeconds, gopSeconds));
}

/**
 * Segment bytes from a measured GOP: a segment holds whole GOPs, as many as reach the target.
 * @param gopBytes - bytes of one GOP (IDR to the next IDR)
 * @param gopSeconds - its duration, seconds
 * @param segmentSeconds - the segment target, seconds
 * @returns bytes of elementary stream per segment
 */
export function segmentBytesFromGop(gopBytes: number, gopSeconds: number, segmentSeconds: number): number {
  const gops = gopSeconds > 0 ? Math.max(1, Math.ceil(segmentSeconds / gopSeconds - 1e-9)) : 1;
  return gopBytes * gops;
}

/**
 * The pool size for a stream (see the file comment for the rule).
 * @param needs - what one segment of the stream takes
 * @returns the size, the minimum that can work, and whether the cap is too small
 */
export function poolBytesFor(needs: StreamNeeds): PoolDecision {
  const minimumBytes = roundUpMiB(needs.segmentBytes * TS_OVERHEAD_FACTOR);
  const wanted = roundUpMiB(needs.segmentBytes * TS_OVERHEAD_FACTOR * SEGMENTS_IN_POOL);
  const poolBytes = Math.min(MAX_AUTO_POOL_BYTES, Math.max(DEFAULT_POOL_BYTES, wanted));
  return { poolBytes, minimumBytes, exceedsCap: minimumBytes > MAX_AUTO_POOL_BYTES };
}

/**
 * A byte count for messages: `3.0 MB`, `10 MiB` style (MiB for pool sizes, as `--pool-size` takes them).
 * @param bytes - the count
 * @returns e.g. `10M` when a whole number of MiB, else `10.5M`
 */
export function formatPoolSize(bytes: number): string {
  const m = bytes / MIB;
  return Number.isInteger(m) ? `${m}M` : `${m.toFixed(1)}M`;
}

function roundUpMiB(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}
