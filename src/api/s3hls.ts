/**
 * The C-SDK-style API for firmware-style apps: one default stream per instance, driven by
 * `initialize / setCredential / setTag / startUpload / putVideoFrame / putAudioFrame / finalize`,
 * named as in the AWS sample C SDK for IP cameras. `S3HLS` is the default instance; `new S3Hls()`
 * makes independent ones (no globals are shared between instances). Programs with many cameras use
 * the composition root directly: one {@link Uploader}, one {@link CameraPipeline} per camera.
 *
 * Frames put after `initialize` and before `startUpload` are muxed and kept in the pool (a held
 * sink), then handed to the uploader when `startUpload` is called, so nothing is lost to call order.
 */
import { ErrorCode, S3HlsError } from '../errors.js';
import { validateCameraId, validatePrefix, type KeyLayout } from '../keys/object-keys.js';
import { poolBytesFor, segmentBytesFromBitrate } from '../pool/pool-sizing.js';
import { HlsStream, type DropEvent } from '../stream/hls-stream.js';
import type { StreamStats } from '../stream/stream-stats.js';
import type { AudioFramePack, VideoFramePack } from '../types.js';
import { CameraPipeline } from '../pipeline/camera-pipeline.js';
import { closeIndexWriter } from '../recordings/shared-index-writer.js';
import { Uploader, type DrainReport, type UploadStats } from '../upload/uploader.js';
import type { UploaderOptions } from '../upload/options.js';
import { parseTags, type TagsInput } from '../upload/tags.js';
import { frameAccounting, type FrameAccounting, type LedgerCounts, type SegmentOutcome } from './s3hls-report.js';
import { TimingOrderCheck, type S3HlsWarning } from './timing-order-check.js';

/** Pool use above which {@link S3Hls.whenWritable} waits (half: room for the GOP being written). */
const WRITABLE_HIGH_WATER = 0.5;
import type { DiskSpool } from '../spool/disk-spool.js';
import { openSpoolLocked, type SpoolConfig } from '../spool/spool-config.js';
import { AnchoredClock, type ClockStep } from '../stream/anchored-clock.js';

/** Configuration of {@link S3Hls.initialize}: the uploader's options plus the default stream's. */
export interface S3HlsConfig extends UploaderOptions {
  /** Key prefix of the stream's segments, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** Camera id (events, stats). @defaultValue the last part of `prefix` */
  readonly streamId?: string;
  /**
   * Pool size in bytes. @defaultValue from `bitrateBps` when given (3 segments × 1.1, at least 4 MiB,
   * at most 256 MiB: see src/pool/pool-sizing.ts), else 4 MiB
   */
  readonly poolBytes?: number;
  /** The stream's bitrate, bits per second, to size the pool when `poolBytes` is not given. */
  readonly bitrateBps?: number;
  /** Segment target, seconds. @defaultValue 2 */
  readonly targetSegmentSeconds?: number;
  /** How far PCR runs ahead of decode time, ms (200-5000; docs/mpegts.md). @defaultValue 700 */
  readonly muxDelayMs?: number;
  /** Initial tags, `k1=v1&k2=v2` or an object. @defaultValue none */
  readonly tags?: TagsInput;
  /** Key layout. @defaultValue 'timeline' */
  readonly layout?: KeyLayout;
  /** Called for every dropped-frames report (bad input, pool full). */
  readonly onDrop?: (event: DropEvent) => void;
  /** Called once per segment when it reaches its terminal state: stored, spooled or failed(reason). */
  readonly onSegment?: (outcome: SegmentOutcome) => void;
  /**
   * Called for run-time warnings (presentation-order timestamps, a pool too small for one GOP), each
   * at most once per run. @defaultValue `process.emitWarning` (printed once to stderr by Node)
   */
  readonly onWarning?: (warning: S3HlsWarning) => void;
  /**
   * A disk spool for outages and restarts (docs/spool.md): `{ dir, maxBytes?, order? }`. The
   * directory is locked at `initialize` (another process holding it: SpoolLockedError, thrown);
   * an earlier run's backlog is uploaded under its recorded keys. @defaultValue none
   */
  readonly spool?: SpoolConfig;
  /** Spool problems (damaged or skipped files, write errors); the stream goes on. @defaultValue none */
  readonly onSpoolError?: (err: Error) => void;
  /**
   * Called once when the wall clock steps by more than 2 s (NTP): segment times follow the new
   * wall clock from the next segment, which starts a new timeline (docs/keys.md, "Clocks").
   * @defaultValue a Node process warning
   */
  readonly onClockStep?: (step: ClockStep) => void;
  /** Write hour and day index objects, so recordings queries need not list every key (docs/recordings.md). @defaultValue true */
  readonly hourIndex?: boolean;
}

/** Counters of the default stream and its uploader. */
export interface S3HlsStats {
  /** The stream's counters (frames in, written, dropped by reason, segments, pool). */
  readonly stream: StreamStats;
  /** The uploader's counters (stored, in flight, errors by class). */
  readonly upload: UploadStats;
  /** Where every frame handed in is: stored, spooled, dropped (by reason), lost, pending. */
  readonly frames: FrameAccounting;
  /** Segments by terminal state, and still pending. */
  readonly segments: LedgerCounts;
}

/**
 * What {@link S3Hls.finalize} found: the drain report plus the frame and segment accounting.
 * `complete` is true only when every upload settled, no frame was dropped and no segment was refused.
 */
export interface S3HlsFinalReport extends DrainReport {
  /** Frames handed in (video + audio). */
  readonly framesIn: number;
  /** Frames muxed into segments. */
  readonly framesWritten: number;
  /** Frames dropped, by reason (error code → count). */
  readonly droppedByReason: Readonly<Record<string, number>>;
  /** Frames dropped in all. */
  readonly framesDropped: number;
  /** Segments stored (acknowledged by S3). */
  readonly segmentsStored: number;
  /** Segments that failed: refused (no valid key), discarded, or not uploaded when the wait ended. */
  readonly segmentsFailed: number;
  /** Where every frame ended: `in = stored + spooled + dropped + lost + pending` (pending is 0 here). */
  readonly frames: FrameAccounting;
  /** Segments by terminal state. */
  readonly segments: LedgerCounts;
  /** Each failed segment with its reason (the first 1000). */
  readonly failedSegments: readonly SegmentOutcome[];
  /** Run-time warnings raised (each code once). */
  readonly warnings: readonly S3HlsWarning[];
}

/** Options of {@link S3Hls.whenWritable} and the async puts. */
export interface WritableOptions {
  /** Reject with `WAIT_TIMEOUT` after this long without room, ms. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /** Abort the wait (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** Options of {@link S3Hls.finalize}. */
export interface FinalizeOptions {
  /** Give up waiting for uploads after this long, ms. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** Abort the wait. */
  readonly signal?: AbortSignal;
}

interface Session {
  readonly uploader: Uploader;
  readonly pipeline: CameraPipeline;
  readonly stream: HlsStream;
  readonly timing: TimingOrderCheck;
  readonly warnings: S3HlsWarning[];
  readonly spool: Promise<DiskSpool> | undefined;
  tags: TagsInput | undefined;
  lastUploadError: string | undefined;
}

/** One C-style SDK instance: one stream, one uploader. */
export class S3Hls {
  #session: Session | undefined;

  /**
   * Sets up the pool, the muxer and the uploader. Frames may be put from now on.
   * @throws TypeError when already initialized (call finalize first) or an option is invalid
   */
  initialize(config: S3HlsConfig): void {
    if (this.#session) throw new TypeError('S3HLS.initialize() called twice: call finalize() first');
    if (config === null || typeof config !== 'object') throw new TypeError('S3HLS.initialize() needs a config object');
    const prefix = validatePrefix(config.prefix);
    const streamId = validateCameraId(config.streamId ?? prefix.slice(prefix.lastIndexOf('/') + 1));
    const {
      prefix: _p,
      streamId: _s,
      poolBytes,
      bitrateBps,
      targetSegmentSeconds,
      muxDelayMs,
      tags,
      layout,
      onDrop,
      onSegment,
      onWarning,
      spool: spoolConfig,
      onSpoolError,
      onClockStep,
      hourIndex,
      ...uploaderOptions
    } = config;
    const pool = poolBytes ?? poolFromBitrate(bitrateBps, targetSegmentSeconds ?? 2);
    const uploader = new Uploader(uploaderOptions);
    // Locked now (a conflict throws here); the backlog is verified in the background.
    const onError = onSpoolError ?? (() => {});
    const spool = spoolConfig !== undefined ? openSpoolLocked(spoolConfig, { onDamaged: (r) => onError(new Error(r.message)) }) : undefined;
    const spoolOption = spool !== undefined ? { spool, order: spoolConfig?.order, onError } : undefined;
    // The composition root; segments stay in the pool until startUpload (tags may change before).
    const clock = new AnchoredClock({
      onStep:
        onClockStep ??
        ((s) => process.emitWarning(`wall clock stepped by ${s.stepMs} ms: segment times follow it from the next segment (discontinuity clock-step)`, 'S3HlsClockStep')),
    });
    const camera = { streamId, prefix, uploader, clock, hourIndex };
    const pipeline = new CameraPipeline({ ...camera, poolBytes: pool, targetSegmentSeconds, muxDelayMs, layout, startUpload: false, spool: spoolOption });
    if (onDrop) pipeline.stream.on('drop', onDrop);
    if (onSegment) pipeline.on('segment', onSegment);
    const warnings: S3HlsWarning[] = [];
    const warn = (w: S3HlsWarning): void => {
      warnings.push(w);
      if (onWarning) onWarning(w);
      else process.emitWarning(`s3hls stream ${streamId}: ${w.message}`, { code: w.code });
    };
    pipeline.on('pool-too-small', (e) => warn({ code: 'POOL_TOO_SMALL', message: `${e.message} (poolBytes or bitrateBps in initialize())` }));
    pipeline.once('index-error', (m) => warn({ code: 'HOUR_INDEX_FAILED', message: `${m} (retried; queries list that hour meanwhile)` }));
    const session: Session = { uploader, pipeline, stream: pipeline.stream, spool, timing: new TimingOrderCheck(warn), warnings, tags, lastUploadError: undefined };
    uploader.on('error', (e) => (session.lastUploadError = `${e.code} ${e.name}: ${e.message}`));
    this.#session = session;
  }

  /**
   * Sets or rotates credentials at run time; PUTs in flight finish with the old ones, held
   * segments are retried with the new ones.
   */
  setCredential(accessKeyId: string, secretAccessKey: string, sessionToken?: string): void {
    this.#need('setCredential').uploader.setCredential(accessKeyId, secretAccessKey, sessionToken);
  }

  /**
   * Sets the object tags of segments not yet sent: `'k1=v1&k2=v2'` (the reference SDK's form) or an object.
   * @throws S3HlsError `BAD_TAGS` naming the problem; the previous tags stay
   */
  setTag(tags: TagsInput): void {
    const s = this.#need('setTag');
    if (s.pipeline.sink) s.pipeline.sink.setTags(tags);
    else {
      parseTags(tags); // validate now, so a bad string fails here and not at startUpload
      s.tags = tags;
    }
  }

  /** Starts uploading: segments muxed so far, and all later ones, go to S3. */
  startUpload(): void {
    this.#start(this.#need('startUpload'));
  }

  /**
   * Muxes one access unit (see {@link VideoFramePack}); the buffers may be reused on return. Never
   * blocks: when the pool is full the frame is dropped (counted). Frame timing rules: docs/api.md.
   * @returns false when the frame was dropped (counted; see stats())
   */
  putVideoFrame(pack: VideoFramePack): boolean {
    const s = this.#need('putVideoFrame');
    s.timing.observe(pack);
    return s.stream.putVideoFrame(pack);
  }

  /**
   * Resolves when the pool has room for more frames: at most half of it held by segments waiting for
   * upload (or none held at all). A producer that awaits it before each put loses no frame to a full
   * pool, however fast it is. Bounded: never waits forever.
   * @param options - `timeoutMs` (default 60 s) and `signal`
   * @returns a promise; already resolved when there is room
   * @throws TypeError (rejects) when the pool is full of segments held because startUpload() was not called
   * @throws S3HlsError `WAIT_TIMEOUT` (rejects) naming what holds the pool and the last upload error
   */
  whenWritable(options: WritableOptions = {}): Promise<void> {
    const s = this.#need('whenWritable');
    const wait = s.pipeline.whenPoolBelow(WRITABLE_HIGH_WATER);
    if (wait === undefined) return Promise.resolve();
    if (!s.pipeline.sink) {
      return Promise.reject(new TypeError('S3HLS.whenWritable(): the pool is full of segments held until startUpload(): call startUpload() first'));
    }
    return boundedWait(wait, options, () => {
      const p = s.stream.stats().pool;
      return `no room in the pool after ${(options.timeoutMs ?? 60_000) / 1000} s: ${p.heldSegments} segment(s), ${p.usedBytes} of ${p.capacityBytes} bytes, wait for upload${s.lastUploadError ? `; last upload error ${s.lastUploadError}` : ''}`;
    });
  }

  /**
   * Waits for room ({@link whenWritable}), then muxes the frame: a file reader or a fast producer
   * loses nothing to a full pool. The pack's buffers must stay unchanged until the promise settles.
   * @returns what {@link putVideoFrame} returned (false only for bad input, counted)
   */
  async putVideoFrameAsync(pack: VideoFramePack, options: WritableOptions = {}): Promise<boolean> {
    await this.whenWritable(options);
    return this.putVideoFrame(pack);
  }

  /** Audio counterpart of {@link putVideoFrameAsync}. */
  async putAudioFrameAsync(pack: AudioFramePack, options: WritableOptions = {}): Promise<boolean> {
    await this.whenWritable(options);
    return this.putAudioFrame(pack);
  }

  /**
   * Muxes ADTS frames (see {@link AudioFramePack}).
   * @returns false when dropped (counted)
   */
  putAudioFrame(pack: AudioFramePack): boolean {
    return this.#need('putAudioFrame').stream.putAudioFrame(pack);
  }

  /** Counters of the stream and the uploader. */
  stats(): S3HlsStats {
    const s = this.#need('stats');
    const stream = s.stream.stats();
    const segments = s.pipeline.segmentCounts();
    return { stream, upload: s.uploader.stats(), frames: frameAccounting(stream, segments), segments };
  }

  /**
   * Cuts the open segment, waits for every upload to settle (bounded by `timeoutMs` / `signal`),
   * closes the uploader and returns what could not be uploaded with the frame accounting. The
   * instance can then be initialized again.
   * @param options - wait bound and abort signal
   * @returns the report; `complete` is false when anything was dropped, refused or left pending
   */
  async finalize(options: FinalizeOptions = {}): Promise<S3HlsFinalReport> {
    const s = this.#need('finalize');
    this.#session = undefined;
    s.stream.finalize();
    // finalize() without startUpload(): upload what was muxed rather than lose it silently.
    this.#start(s);
    const timeoutMs = options.timeoutMs ?? 30_000;
    // With a spool: live segments and backlog go through it first; what is left stays on disk.
    if (s.spool !== undefined) await s.pipeline.whenSpoolDone(timeoutMs);
    const report = await s.uploader.drain({ timeoutMs, signal: options.signal });
    await closeIndexWriter(s.uploader, Math.min(timeoutMs, 10_000)); // hours/days closed by now; bounded
    await s.uploader.close();
    if (s.spool !== undefined) {
      // First to disk what the uploader did not store (spooled), then the rest fails as not-uploaded.
      await s.pipeline.closeSpool();
      await s.spool.then(
        (sp) => sp.close(),
        () => {},
      );
    }
    // Every segment ends in one state: what the uploader still held fails as not-uploaded (an event each).
    s.pipeline.settlePending(report.pending);
    const st = s.stream.stats();
    const segments = s.pipeline.segmentCounts();
    const frames = frameAccounting(st, segments);
    return {
      ...report,
      // Dropped frames or failed segments are lost footage: the run is not complete.
      complete: report.complete && frames.dropped === 0 && frames.lost === 0 && frames.pending === 0,
      framesIn: frames.in,
      framesWritten: frames.written,
      droppedByReason: st.droppedByReason,
      framesDropped: frames.dropped,
      segmentsStored: segments.storedSegments,
      segmentsFailed: segments.failedSegments,
      frames,
      segments,
      failedSegments: s.pipeline.segmentFailures(),
      warnings: s.warnings,
    };
  }

  #start(s: Session): void {
    if (s.pipeline.sink) return;
    // Tags set before startUpload apply to every segment, held ones included.
    s.pipeline.startUpload(s.tags);
  }

  #need(what: string): Session {
    if (!this.#session) throw new TypeError(`S3HLS.${what}() called before initialize() (or after finalize())`);
    return this.#session;
  }
}

/** The automatic pool size for a bitrate hint (src/pool/pool-sizing.ts), or undefined for the default. */
function poolFromBitrate(bitrateBps: number | undefined, segmentSeconds: number): number | undefined {
  if (bitrateBps === undefined) return undefined;
  if (!Number.isFinite(bitrateBps) || bitrateBps <= 0) throw new RangeError(`bitrateBps must be a positive number of bits per second, got ${bitrateBps}`);
  const d = poolBytesFor({ segmentBytes: segmentBytesFromBitrate(bitrateBps, segmentSeconds) });
  if (d.exceedsCap) throw new RangeError(`bitrateBps ${bitrateBps} × ${segmentSeconds} s segments needs a pool over 256 MiB: give poolBytes explicitly`);
  return d.poolBytes;
}

/** A wait with a timeout (rejects with `WAIT_TIMEOUT` and `describe()`) and an abort signal. */
function boundedWait(wait: Promise<void>, options: WritableOptions, describe: () => string): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be a finite number >= 0, got ${timeoutMs}`);
  const signal = options.signal;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with the signal's own reason, as Node's abortable APIs do (the caller chose it)
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- same: the abort reason is passed through unchanged
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      reject(new S3HlsError(ErrorCode.WaitTimeout, describe()));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    void wait.then(() => {
      done();
      resolve();
    });
  });
}

/** The default instance, for firmware-style apps (as the reference C SDK's global API). */
export const S3HLS = new S3Hls();
