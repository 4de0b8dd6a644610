/**
 * The composition root of one camera: source frames → {@link HlsStream} (muxer + pool) → uploader
 * sink. The C-style API (`S3HLS`), `s3hls upload` (single input and `--config`), `s3hls demo`
 * (through `upload`) build their cameras here, so a camera is wired the same way everywhere;
 * examples and benchmarks should do the same rather than assemble the parts by hand.
 *
 * Wiring, in order: the stream emits segments into a release watcher (so a producer can await
 * room in the pool instead of polling it), then into a held sink that keeps segments in the pool
 * until {@link CameraPipeline.startUpload} (so frames put before upload starts are not lost to call
 * order), then — with `spool` — into a {@link SpoolingSink} (disk spool, backlog of earlier runs,
 * docs/spool.md), then into the uploader's per-stream sink. Live cameras take their times from an
 * {@link AnchoredClock} (`clock`, shared by a process's cameras; docs/keys.md, "Clocks").
 *
 * Extension point for per-segment observers of stored segments: listen to the shared
 * {@link Uploader}'s `'uploaded'` event (`{ streamId, key, bytes, sequence, ... }`, see
 * upload/events.ts). Its name and payload are kept stable; it fires exactly once per segment the
 * uploader stored, after the PUT was acknowledged, so an index writer (e.g. per camera-hour) can hook
 * it without touching the pipeline.
 */
import type { KeyLayout } from '../keys/object-keys.js';
import { DiskSpool } from '../spool/disk-spool.js';
import { SpoolingSink, type SpoolingSinkStats, type SpoolOrder } from '../spool/spooling-sink.js';
import { HlsStream } from '../stream/hls-stream.js';
import type { AnchoredClock } from '../stream/anchored-clock.js';
import type { Segment, SegmentSink } from '../types.js';
import type { StreamUploadSink, Uploader } from '../upload/uploader.js';
import type { TagsInput } from '../upload/tags.js';

/** Options of {@link CameraPipeline}. */
export interface CameraPipelineOptions {
  /** Camera id (events, stats, keys). */
  readonly streamId: string;
  /** Key prefix of the camera's segments, e.g. `cameras/front-door`. */
  readonly prefix: string;
  /** The uploader that stores the segments (one per process is usual; it is shared, not owned). */
  readonly uploader: Uploader;
  /** Pool size in bytes. @defaultValue the stream's default (4 MiB) */
  readonly poolBytes?: number | undefined;
  /** Segment target, seconds. @defaultValue 2 */
  readonly targetSegmentSeconds?: number | undefined;
  /** Files: segment times are this + media time; live: undefined (wall clock). @defaultValue undefined */
  readonly mediaTimeOriginMs?: number | undefined;
  /** Object tags. @defaultValue none */
  readonly tags?: TagsInput | undefined;
  /** Key layout. @defaultValue 'timeline' */
  readonly layout?: KeyLayout | undefined;
  /** Attach the uploader at once (true) or hold segments in the pool until startUpload(). @defaultValue true */
  readonly startUpload?: boolean | undefined;
  /** Live clock shared by a process's cameras (wall-clock steps: docs/keys.md, "Clocks"). @defaultValue one per stream */
  readonly clock?: AnchoredClock | undefined;
  /** Put a disk spool between the stream and the uploader (docs/spool.md). @defaultValue none */
  readonly spool?: PipelineSpool | undefined;
}

/** The disk spool of a {@link CameraPipeline}. */
export interface PipelineSpool {
  /**
   * The open spool (shared by the cameras of a process), or a promise of it: segments then stay in
   * the pool until it resolves. A rejected promise is reported through `onError` and the camera
   * uploads without a spool.
   */
  readonly spool: DiskSpool | Promise<DiskSpool>;
  /** Live segments or backlog first. @defaultValue 'live-first' */
  readonly order?: SpoolOrder | undefined;
  /** Spool write/read failures, damaged files, a spool that failed to open (the camera goes on). */
  readonly onError?: ((err: Error) => void) | undefined;
}

/** Holds segments until a real sink is attached. */
class HeldSink implements SegmentSink {
  #target: SegmentSink | undefined;
  readonly #held: Segment[] = [];
  #ended: string | undefined;

  onSegment(segment: Segment): void {
    if (this.#target) this.#target.onSegment(segment);
    else this.#held.push(segment);
  }

  onEnd(streamId: string): void {
    if (this.#target) this.#target.onEnd?.(streamId);
    else this.#ended = streamId;
  }

  attach(target: SegmentSink): void {
    this.#target = target;
    for (const s of this.#held.splice(0)) target.onSegment(s);
    if (this.#ended !== undefined) target.onEnd?.(this.#ended);
  }
}

/** Passes segments on and wakes pool waiters when one is released (per segment, not per frame). */
class ReleaseWatchSink implements SegmentSink {
  readonly #next: SegmentSink;
  readonly #onRelease: () => void;

  constructor(next: SegmentSink, onRelease: () => void) {
    this.#next = next;
    this.#onRelease = onRelease;
  }

  onSegment(segment: Segment): void {
    const onRelease = this.#onRelease;
    this.#next.onSegment({
      ...segment,
      release: () => {
        segment.release();
        onRelease();
      },
    });
  }

  onEnd(streamId: string): void {
    this.#next.onEnd?.(streamId);
    this.#onRelease(); // nothing more will be released: let waiters re-check and go
  }
}

/** One camera's stream wired to an uploader. */
export class CameraPipeline {
  /** The camera's muxer; put frames here (or hand it to a source as its frame target). */
  readonly stream: HlsStream;
  readonly #options: CameraPipelineOptions;
  readonly #held = new HeldSink();
  #sink: StreamUploadSink | undefined;
  #failed = 0;
  #lastFailure: Error | undefined;
  #waiters: (() => void)[] = [];
  // Spool wiring (docs/spool.md): set when startUpload attaches a spooling sink.
  #spooling: SpoolingSink | undefined;
  #spoolDone: Promise<void> = Promise.resolve();

  /**
   * Builds the stream and, unless `startUpload: false`, attaches it to the uploader.
   * @param options - see {@link CameraPipelineOptions}
   * @throws TypeError / RangeError naming an invalid option (from the stream or the uploader)
   */
  constructor(options: CameraPipelineOptions) {
    this.#options = options;
    const watch = new ReleaseWatchSink(this.#held, () => this.#wake());
    this.stream = new HlsStream({
      streamId: options.streamId,
      sink: watch,
      poolBytes: options.poolBytes,
      targetSegmentSeconds: options.targetSegmentSeconds,
      mediaTimeOriginMs: options.mediaTimeOriginMs,
      clock: options.clock,
    });
    // A segment the sink refused (e.g. no valid key for its time) is released by the stream: it is
    // a terminal failure of that segment, counted here so callers can report it, never silent.
    this.stream.on('sink-error', (e) => {
      this.#failed++;
      this.#lastFailure = e;
    });
    if (options.startUpload ?? true) this.startUpload();
  }

  /** Segments the uploader's sink refused (terminal: failed, not stored). @defaultValue 0 */
  get failedSegments(): number {
    return this.#failed;
  }

  /** The error of the last refused segment, if any. */
  get lastFailure(): Error | undefined {
    return this.#lastFailure;
  }

  /** The uploader's sink once uploading started (tags can be changed on it), else undefined. */
  get sink(): StreamUploadSink | undefined {
    return this.#sink;
  }

  /**
   * Starts uploading: held segments, and all later ones, go to the uploader. Idempotent.
   * @param tags - tags replacing the constructor's (e.g. set between construction and start)
   * @returns the uploader's sink for this camera
   */
  startUpload(tags?: TagsInput): StreamUploadSink {
    if (this.#sink) return this.#sink;
    const o = this.#options;
    const t = tags ?? o.tags;
    this.#sink = o.uploader.sinkFor(o.streamId, {
      prefix: o.prefix,
      ...(t !== undefined ? { tags: t } : {}),
      ...(o.layout !== undefined ? { layout: o.layout } : {}),
    });
    if (o.spool === undefined) this.#held.attach(this.#sink);
    else this.#attachSpool(o.spool, this.#sink);
    return this.#sink;
  }

  // ---- disk spool (docs/spool.md): stream → SpoolingSink → uploader sink --------------------------

  /** The spooling sink's counters (backlog size included), or undefined without a spool. */
  spoolStats(): SpoolingSinkStats | undefined {
    return this.#spooling?.stats();
  }

  /**
   * Resolves when everything of this camera went through the spool to the uploader and was
   * acknowledged (live segments and this camera's backlog), after the stream ended; at once without
   * a spool. Bounded by `timeoutMs`.
   * @param timeoutMs - the bound, ms
   * @returns true when done, false when the bound passed first
   */
  async whenSpoolDone(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([this.#spoolDone.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    return done;
  }

  /**
   * Shutdown with a spool: writes every live segment not yet acknowledged to the spool (the next
   * run uploads it). Call after the uploader's drain. The DiskSpool itself is closed by its owner.
   * @returns segments now on disk and segments that could not be written, or undefined without a spool
   */
  async closeSpool(): Promise<{ readonly onDisk: number; readonly notSpooled: number } | undefined> {
    return this.#spooling?.close();
  }

  #attachSpool(options: PipelineSpool, upload: StreamUploadSink): void {
    const o = this.#options;
    let ended!: () => void;
    this.#spoolDone = new Promise<void>((r) => (ended = r));
    const inner = {
      onSegment: (s: Segment) => upload.onSegment(s),
      onEnd: (id: string) => {
        upload.onEnd?.(id);
        ended();
      },
      whenIdle: (s: Segment) => upload.whenIdle(s),
    };
    const attach = (spool: DiskSpool): void => {
      this.#spooling = new SpoolingSink({
        spool, inner, streamId: o.streamId, prefix: o.prefix,
        ...(o.layout !== undefined ? { layout: o.layout } : {}),
        ...(options.order !== undefined ? { order: options.order } : {}),
        ...(options.onError !== undefined ? { onError: options.onError } : {}),
      });
      this.#held.attach(this.#spooling);
    };
    if (options.spool instanceof DiskSpool) {
      attach(options.spool);
      return;
    }
    options.spool.then(attach, (e: unknown) => {
      options.onError?.(new Error(`camera ${o.streamId}: the spool could not be opened, uploading without it: ${(e as Error).message}`, { cause: e }));
      this.#held.attach(inner);
    });
  }

  /**
   * Resolves when pool use is at or below `fraction` of its capacity, or `stop()` returns true.
   * Event-driven: re-checked each time a segment is released or the stream ends, never polled.
   * @param fraction - high-water mark, 0..1
   * @param stop - checked at every wake-up; true ends the wait
   * @returns undefined when there is room already (no promise to await), else a promise
   */
  whenPoolBelow(fraction: number, stop: () => boolean = () => false): Promise<void> | undefined {
    const full = (): boolean => {
      if (stop()) return false;
      const p = this.stream.stats().pool;
      return p.usedBytes > p.capacityBytes * fraction;
    };
    if (!full()) return undefined;
    return new Promise((resolve) => {
      const check = (): void => {
        if (full()) this.#waiters.push(check);
        else resolve();
      };
      this.#waiters.push(check);
    });
  }

  /** Wakes every pool waiter (e.g. the run is stopping) so it re-checks its stop condition. */
  wakeWaiters(): void {
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
