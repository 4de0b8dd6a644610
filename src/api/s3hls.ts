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
import { validateCameraId, validatePrefix, type KeyLayout } from '../keys/object-keys.js';
import { HlsStream, type DropEvent } from '../stream/hls-stream.js';
import type { StreamStats } from '../stream/stream-stats.js';
import type { AudioFramePack, VideoFramePack } from '../types.js';
import { CameraPipeline } from '../pipeline/camera-pipeline.js';
import { Uploader, type DrainReport, type UploadStats } from '../upload/uploader.js';
import type { UploaderOptions } from '../upload/options.js';
import { parseTags, type TagsInput } from '../upload/tags.js';
import type { DiskSpool } from '../spool/disk-spool.js';
import { openSpoolLocked, type SpoolConfig } from '../spool/spool-config.js';
import { AnchoredClock, type ClockStep } from '../stream/anchored-clock.js';

/** Configuration of {@link S3Hls.initialize}: the uploader's options plus the default stream's. */
export interface S3HlsConfig extends UploaderOptions {
  /** Key prefix of the stream's segments, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** Camera id (events, stats). @defaultValue the last part of `prefix` */
  readonly streamId?: string;
  /** Pool size in bytes. @defaultValue 4 MiB */
  readonly poolBytes?: number;
  /** Segment target, seconds. @defaultValue 2 */
  readonly targetSegmentSeconds?: number;
  /** Initial tags, `k1=v1&k2=v2` or an object. @defaultValue none */
  readonly tags?: TagsInput;
  /** Key layout. @defaultValue 'timeline' */
  readonly layout?: KeyLayout;
  /** Called for every dropped-frames report (bad input, pool full). */
  readonly onDrop?: (event: DropEvent) => void;
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
}

/** Counters of the default stream and its uploader. */
export interface S3HlsStats {
  readonly stream: StreamStats;
  readonly upload: UploadStats;
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
  /** Segments the uploader's sink refused (no valid key): failed, not stored. */
  readonly segmentsFailed: number;
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
  readonly spool: Promise<DiskSpool> | undefined;
  tags: TagsInput | undefined;
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
    const { prefix: _p, streamId: _s, poolBytes, targetSegmentSeconds, tags, layout, onDrop, spool: spoolConfig, onSpoolError, onClockStep, ...uploaderOptions } = config;
    const uploader = new Uploader(uploaderOptions);
    // Locked now (a conflict throws here); the backlog is verified in the background.
    const onError = onSpoolError ?? (() => {});
    const spool = spoolConfig !== undefined ? openSpoolLocked(spoolConfig, { onDamaged: (r) => onError(new Error(r.message)) }) : undefined;
    const spoolOption = spool !== undefined ? { spool, order: spoolConfig?.order, onError } : undefined;
    // The composition root; segments stay in the pool until startUpload (tags may change before).
    const pipeline = new CameraPipeline({ streamId, prefix, uploader, poolBytes, targetSegmentSeconds, layout, startUpload: false, spool: spoolOption, clock: new AnchoredClock({
      onStep: onClockStep ?? ((s) => process.emitWarning(`wall clock stepped by ${s.stepMs} ms: segment times follow it from the next segment (discontinuity clock-step)`, 'S3HlsClockStep')),
    }) });
    if (onDrop) pipeline.stream.on('drop', onDrop);
    this.#session = { uploader, pipeline, stream: pipeline.stream, spool, tags };
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
   * Muxes one access unit (see {@link VideoFramePack}); the buffers may be reused on return.
   * @returns false when the frame was dropped (counted; see stats())
   */
  putVideoFrame(pack: VideoFramePack): boolean {
    return this.#need('putVideoFrame').stream.putVideoFrame(pack);
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
    return { stream: s.stream.stats(), upload: s.uploader.stats() };
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
    await s.uploader.close();
    if (s.spool !== undefined) {
      await s.pipeline.closeSpool();
      await s.spool.then((sp) => sp.close(), () => {});
    }
    const st = s.stream.stats();
    const framesDropped = st.videoFramesDropped + st.audioFramesDropped;
    const segmentsFailed = s.pipeline.failedSegments;
    return {
      ...report,
      // Dropped frames or refused segments are lost footage: the run is not complete.
      complete: report.complete && framesDropped === 0 && segmentsFailed === 0,
      framesIn: st.videoFramesIn + st.audioFramesIn,
      framesWritten: st.videoFramesWritten + st.audioFramesWritten,
      droppedByReason: st.droppedByReason,
      framesDropped,
      segmentsStored: s.uploader.stats().uploadedSegments,
      segmentsFailed,
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

/** The default instance, for firmware-style apps (as the reference C SDK's global API). */
export const S3HLS = new S3Hls();
