/**
 * The contract of a SpoolingSink (spooling-sink.ts): its options (checked and defaulted here), its counters,
 * the hook an inner sink offers to say it stopped reading a segment, and the state kept per live
 * segment.
 */
import { validatePrefix, type KeyLayout } from '../keys/object-keys.js';
import type { Segment, SegmentSink } from '../types.js';
import type { DiskSpool, SpoolEntry } from './disk-spool.js';
import type { SpooledSegmentInfo } from './spool-file.js';

/**
 * A sink that can say when it has stopped reading a segment's `parts` (the uploader's
 * `StreamUploadSink` is one). `SpoolingSink` gives a detached segment's pool space back only
 * after `whenIdle` resolved. An inner sink without `whenIdle` must read `parts` synchronously
 * whenever it uses them (never keep the views across an `await`): its detached segments give their
 * pool space back at once.
 */
export interface IdleAwareSink extends SegmentSink {
  /**
   * Resolves once nothing of this sink reads `segment.parts` any more, except through a later read
   * of the `parts` getter (which a detached segment answers with its heap copy).
   * @param segment - the very object handed to `onSegment`
   * @returns a promise that never rejects
   */
  whenIdle?(segment: Segment): Promise<void>;
}

/**
 * Which goes first when both live segments and backlog wait for the uploader.
 * - `live-first`: a backlog segment is handed over only while no live segment waits in this sink
 *   (live latency stays bounded by one backlog PUT; the backlog drains in the gaps).
 * - `oldest-first`: live segments wait (in the pool, then on disk) while backlog remains, so
 *   segments are stored in start-time order.
 */
export type SpoolOrder = 'live-first' | 'oldest-first';

/** Options of `SpoolingSink`. */
export interface SpoolingSinkOptions {
  /** Where segments go when they cannot stay in the pool. May be shared by the streams of a process. */
  readonly spool: DiskSpool;
  /**
   * The sink that uploads (e.g. `uploader.sinkFor(streamId, { prefix })`); it must release a segment
   * only once S3 acknowledged it. See {@link IdleAwareSink} for how long it may read `parts`.
   */
  readonly inner: IdleAwareSink;
  /** The stream (camera) id; backlog entries of this stream are uploaded through this sink. */
  readonly streamId: string;
  /** The key prefix the inner sink uses (recorded in each spool file with its key). */
  readonly prefix: string;
  /** The key layout the inner sink uses. @defaultValue 'timeline' */
  readonly layout?: KeyLayout;
  /**
   * How long a segment may stay unacknowledged before it is written to disk, ms. 0 writes every
   * segment at once (write-ahead: a SIGKILL then loses at most the open segment; costs one file
   * write and delete per segment). @defaultValue 0
   */
  readonly spoolAfterMs?: number;
  /** How long a segment already on disk may stay unacknowledged before its pool space is given back, ms. @defaultValue 4000 */
  readonly releaseAfterMs?: number;
  /** Pool bytes this sink may hold before on-disk segments give their space back at once, oldest first. @defaultValue 2 MiB (half the default pool) */
  readonly highWaterBytes?: number;
  /** Live segments handed to the inner sink at once. Integer ≥ 1. @defaultValue 2 */
  readonly maxForwarded?: number;
  /** Backlog segments handed to the inner sink at once. Integer ≥ 1. @defaultValue 1 */
  readonly backlogInFlight?: number;
  /** See {@link SpoolOrder}. @defaultValue 'live-first' */
  readonly order?: SpoolOrder;
  /** Period of the timer that applies the age rules, ms. @defaultValue 250 */
  readonly checkIntervalMs?: number;
  /** Wall clock, ms (tests inject one). @defaultValue Date.now */
  readonly now?: () => number;
  /** Reports spool write/read failures and inner-sink throws (the sink goes on). @defaultValue none */
  readonly onError?: (err: Error) => void;
  /**
   * Called when a live segment's spool file is complete (renamed and fsynced): from then on a
   * SIGKILL no longer loses it. The chaos run journals it. @defaultValue none
   */
  readonly onSpooled?: (entry: SpoolEntry) => void;
}

/** Counters of a `SpoolingSink`. */
export interface SpoolingSinkStats {
  /** Live segments held here (waiting, forwarded, or forwarded and detached). */
  readonly held: number;
  /** Pool bytes those hold. */
  readonly poolBytes: number;
  /** Live segments handed to the uploader. */
  readonly forwardedLive: number;
  /** Backlog segments (earlier runs) handed to the uploader. */
  readonly forwardedBacklog: number;
  /** Live segments written to the spool. */
  readonly spooled: number;
  /** Forwarded segments whose bytes were copied to the heap to free the pool. */
  readonly detached: number;
  /** Detached segments whose pool release waited for a PUT attempt in flight to settle. */
  readonly detachWaitedForAttempt: number;
  /** Waiting segments moved to the backlog (pool released, disk only). */
  readonly movedToBacklog: number;
  /** Segments acknowledged by the inner sink (live + backlog). */
  readonly acknowledged: number;
  /** Backlog of this stream: spool files not held as live segments (still to be uploaded). */
  readonly backlogSegments: number;
  /** Their file bytes. */
  readonly backlogBytes: number;
}

/** What a SpoolingSink keeps per live segment, from arrival to acknowledgement. */
export interface Held {
  readonly seg: Segment;
  readonly info: SpooledSegmentInfo;
  readonly arrivedMs: number;
  entry: SpoolEntry | undefined;
  writing: Promise<void> | undefined;
  noSpoolBeforeMs: number;
  forwarded: boolean;
  /** What the inner sink got (the identity `whenIdle` needs). */
  wrapper: Segment | undefined;
  copy: Buffer | undefined;
  poolReleased: boolean;
  acked: boolean;
}

/** {@link SpoolingSinkOptions} checked, with their defaults. */
export type ResolvedSpoolingOptions = Required<Omit<SpoolingSinkOptions, 'onError' | 'onSpooled' | 'layout' | 'order'>> & {
  order: SpoolOrder;
  layout: KeyLayout;
  onError: ((err: Error) => void) | undefined;
  onSpooled: ((entry: SpoolEntry) => void) | undefined;
};

function spoolOrder(v: SpoolOrder | undefined): SpoolOrder {
  if (v === undefined) return 'live-first';
  if (v !== 'live-first' && v !== 'oldest-first') throw new TypeError(`options.order must be 'live-first' or 'oldest-first', got ${JSON.stringify(v)}`);
  return v;
}

function int(v: number | undefined, name: string, min: number, def: number): number {
  if (v === undefined) return def;
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * Checks a SpoolingSink's options and fills in the defaults.
 * @param options - see {@link SpoolingSinkOptions}
 * @returns the resolved options
 * @throws TypeError / RangeError naming a bad option and its value
 */
export function resolveSpoolingOptions(options: SpoolingSinkOptions): ResolvedSpoolingOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('SpoolingSink options must be an object');
  if (typeof options.inner?.onSegment !== 'function') throw new TypeError('options.inner must be a SegmentSink');
  if (typeof options.streamId !== 'string' || options.streamId === '') throw new TypeError(`options.streamId must be a non-empty string, got ${JSON.stringify(options.streamId)}`);
  return {
    spool: options.spool,
    inner: options.inner,
    streamId: options.streamId,
    prefix: validatePrefix(options.prefix),
    layout: options.layout ?? 'timeline',
    spoolAfterMs: int(options.spoolAfterMs, 'options.spoolAfterMs', 0, 0),
    releaseAfterMs: int(options.releaseAfterMs, 'options.releaseAfterMs', 0, 4_000),
    highWaterBytes: int(options.highWaterBytes, 'options.highWaterBytes', 0, 2 * 1024 * 1024),
    maxForwarded: int(options.maxForwarded, 'options.maxForwarded', 1, 2),
    backlogInFlight: int(options.backlogInFlight, 'options.backlogInFlight', 1, 1),
    checkIntervalMs: int(options.checkIntervalMs, 'options.checkIntervalMs', 1, 250),
    order: spoolOrder(options.order),
    now: options.now ?? Date.now,
    onError: options.onError,
    onSpooled: options.onSpooled,
  };
}
