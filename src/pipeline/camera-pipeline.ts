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
 * it without touching the pipeline. The hour/day index writer is hooked so here (`hourIndex`).
 */
import { EventEmitter } from 'node:events';
import { validatePrefix, type KeyLayout } from '../keys/object-keys.js';
import { registerIndexedCamera, type IndexRegistration } from '../recordings/shared-index-writer.js';
import { DiskSpool } from '../spool/disk-spool.js';
import { SpoolingSink, type SpoolingSinkStats, type SpoolOrder } from '../spool/spooling-sink.js';
import { HlsStream } from '../stream/hls-stream.js';
import type { AnchoredClock } from '../stream/anchored-clock.js';
import type { Segment, SegmentSink } from '../types.js';
import type { StreamUploadSink, Uploader } from '../upload/uploader.js';
import { parseTags, type TagsInput } from '../upload/tags.js';
import { guardPoolSize, type PoolTooSmallEvent } from './pool-guard.js';
import { SegmentLedger, type LedgerCounts, type SegmentOutcome } from './segment-ledger.js';

/** Events of a {@link CameraPipeline}. */
export interface CameraPipelineEvents {
  /** A segment reached a terminal state: stored, spooled or failed (with the reason). */
  segment: [SegmentOutcome];
  /** The pool cannot hold one segment of this stream (reported once; see pool-guard.ts). */
  'pool-too-small': [PoolTooSmallEvent];
  /** An hour or day index object of this camera could not be written (retried; one sentence, no secrets). */
  'index-error': [string];
}

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
  /** How far PCR runs ahead of decode time, ms (200-5000; docs/mpegts.md). @defaultValue 700 */
  readonly muxDelayMs?: number | undefined;
  /** How long a cut waits for late audio before cutting anyway, ms (0-5000). @defaultValue 1000 */
  readonly maxAudioWaitMs?: number | undefined;
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
  /** Write hour/day index objects (docs/recordings.md; timeline layout; closeIndexWriter(uploader) before uploader.close()). @defaultValue true */
  readonly hourIndex?: boolean | undefined;
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

/**
 * Passes segments on, enters each in the ledger, records a refusal by the next sink as a failure,
 * and wakes pool waiters when one is released (per segment, not per frame).
 */
class ReleaseWatchSink implements SegmentSink {
  readonly #next: SegmentSink;
  readonly #onRelease: () => void;
  readonly #ledger: SegmentLedger;

  constructor(next: SegmentSink, onRelease: () => void, ledger: SegmentLedger) {
    this.#next = next;
    this.#onRelease = onRelease;
    this.#ledger = ledger;
  }

  onSegment(segment: Segment): void {
    const onRelease = this.#onRelease;
    this.#ledger.handedOut(segment.sequence, segment.videoFrames + segment.audioFrames, segment.byteLength);
    try {
      this.#next.onSegment({
        ...segment,
        release: () => {
          segment.release();
          onRelease();
        },
      });
    } catch (e) {
      // The stream releases a refused segment and emits 'sink-error'; here it gets its terminal state.
      this.#ledger.failed(segment.sequence, 'refused', undefined, undefined, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  onEnd(streamId: string): void {
    this.#next.onEnd?.(streamId);
    this.#onRelease(); // nothing more will be released: let waiters re-check and go
  }
}

/** One camera's stream wired to an uploader. */
export class CameraPipeline extends EventEmitter<CameraPipelineEvents> {
  /** The camera's muxer; put frames here (or hand it to a source as its frame target). */
  readonly stream: HlsStream;
  readonly #options: CameraPipelineOptions;
  readonly #held = new HeldSink();
  #sink: StreamUploadSink | undefined;
  #failed = 0;
  #lastFailure: Error | undefined;
  #waiters: (() => void)[] = [];
  readonly #ledger: SegmentLedger;
  #poolTooSmall: PoolTooSmallEvent | undefined;
  readonly #unsubscribe: (() => void)[] = [];
  // Spool wiring (docs/spool.md): set when startUpload attaches a spooling sink.
  #spooling: SpoolingSink | undefined;
  #spoolDone: Promise<void> = Promise.resolve();
  readonly #index: IndexRegistration | undefined;

  /**
   * Builds the stream and, unless `startUpload: false`, attaches it to the uploader.
   * @param options - see {@link CameraPipelineOptions}
   * @throws TypeError / RangeError naming an invalid option (from the stream or the uploader)
   */
  constructor(options: CameraPipelineOptions) {
    super();
    this.#options = options;
    this.#ledger = new SegmentLedger(options.streamId, (o) => this.emit('segment', o));
    const watch = new ReleaseWatchSink(this.#held, () => this.#wake(), this.#ledger);
    this.stream = new HlsStream({
      streamId: options.streamId,
      sink: watch,
      poolBytes: options.poolBytes,
      targetSegmentSeconds: options.targetSegmentSeconds,
      mediaTimeOriginMs: options.mediaTimeOriginMs,
      muxDelayMs: options.muxDelayMs,
      maxAudioWaitMs: options.maxAudioWaitMs,
      clock: options.clock,
    });
    // A segment the sink refused (e.g. no valid key for its time) is released by the stream: it is
    // a terminal failure of that segment, counted here so callers can report it, never silent.
    this.stream.on('sink-error', (e) => {
      this.#failed++;
      this.#lastFailure = e;
    });
    guardPoolSize(this.stream, (e) => {
      this.#poolTooSmall = e;
      this.emit('pool-too-small', e);
    });
    // The uploader is shared by every camera: its events are matched to this one by stream id.
    const up = options.uploader;
    this.#unsubscribe.push(
      up.on('uploaded', (e) => {
        if (e.streamId === options.streamId) this.#ledger.stored(e.sequence, e.key);
      }),
      up.on('discarded', (e) => {
        if (e.streamId === options.streamId) this.#ledger.failed(e.sequence, 'discarded', e.key, e.code, `discarded after ${e.name}`);
      }),
    );
    const index = (options.hourIndex ?? true) && options.layout !== 'reference';
    if (index) this.#unsubscribe.push((this.#index = registerIndexedCamera(up, validatePrefix(options.prefix), (m) => this.emit('index-error', m))).unregister);
    if (options.startUpload ?? true) this.startUpload();
  }

  /**
   * Stops listening to the shared uploader (a camera replaced by a new pipeline with the same id must
   * not have its segments settled in the old one's ledger). Idempotent.
   */
  dispose(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** Segment and frame counts by terminal state (stored, spooled, failed) and still pending. */
  segmentCounts(): LedgerCounts {
    return this.#ledger.counts();
  }

  /** Failed segments with their reasons (the first 1000). */
  segmentFailures(): readonly SegmentOutcome[] {
    return this.#ledger.failures();
  }

  /** Set once the pool proved too small for one segment of the stream (see pool-guard.ts). */
  get poolTooSmall(): PoolTooSmallEvent | undefined {
    return this.#poolTooSmall;
  }

  /**
   * Records that a disk spool took a segment (the spool hook calls this): its state is `spooled`
   * until it is uploaded from the spool.
   */
  segmentSpooled(sequence: number): void {
    this.#ledger.spooled(sequence);
  }

  /**
   * Ends the run's accounting: every segment not stored, spooled or failed yet fails as
   * `not-uploaded`, with the uploader's key and last error when it still holds it.
   * @param pending - the uploader's drain report entries (any stream's; filtered here)
   */
  settlePending(pending: readonly { streamId: string; sequence: number; key: string; lastError: { code: string; name: string; message?: string } | undefined }[]): void {
    const mine = new Map<number, { key: string; code: string | undefined; message: string }>();
    for (const p of pending) {
      if (p.streamId !== this.#options.streamId) continue;
      const why = p.lastError ? `${p.lastError.name}${p.lastError.message ? `: ${p.lastError.message}` : ''}` : 'still queued';
      mine.set(p.sequence, { key: p.key, code: p.lastError?.code, message: `not stored when the run ended (${why})` });
    }
    this.#ledger.settlePending(mine);
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
    this.#index?.setTagging(t === undefined ? undefined : parseTags(t).header); // valid: sinkFor took them
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
    const closed = await this.#spooling?.close();
    // What is on disk ends the run as spooled (uploaded by the next run), not as failed.
    for (const sequence of closed?.onDiskSequences ?? []) this.#ledger.spooled(sequence);
    return closed;
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
        spool,
        inner,
        streamId: o.streamId,
        prefix: o.prefix,
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
   * Resolves when pool use is at or below `fraction` of its capacity, or no finished segment is held
   * (only the open segment uses the pool: waiting could never help, since the open segment ends only
   * at the next IDR the caller has not fed yet; that wait hung 3 MB GOPs in a 4 MiB pool), or
   * `stop()` returns true. Event-driven: re-checked each time a segment is released or the stream
   * ends, never polled.
   * @param fraction - high-water mark, 0..1
   * @param stop - checked at every wake-up; true ends the wait
   * @returns undefined when there is room already (no promise to await), else a promise
   */
  whenPoolBelow(fraction: number, stop: () => boolean = () => false): Promise<void> | undefined {
    const full = (): boolean => {
      if (stop()) return false;
      const p = this.stream.stats().pool;
      return p.heldSegments > 0 && p.usedBytes > p.capacityBytes * fraction;
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
