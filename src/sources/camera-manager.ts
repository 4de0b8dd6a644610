/**
 * Many cameras in one process (60+ per server in Valkka's experience): each camera is a source
 * feeding its own `HlsStream` (own pool), and every stream's sink comes from one shared upload queue.
 * Cameras are added and removed at run time.
 *
 * Isolation: each camera's frames pass through a guard that catches what its stream throws, so one
 * camera's bad input or crash never unwinds into another's; a source that fails is reported and
 * its stream finalized, the others go on. A watchdog kills the ffmpeg child of a camera that
 * delivered no frame for `stallTimeoutMs` (the source restarts it and marks a discontinuity); files
 * are never judged stalled (upload backpressure pauses them on purpose).
 */
import { EventEmitter } from 'node:events';
import { validateCameraId } from '../keys/object-keys.js';
import type { AudioFramePack, DiscontinuityReason, SegmentSink, VideoFramePack } from '../types.js';
import type { StreamStats } from '../stream/stream-stats.js';
import { looksLive } from './ffmpeg-args.js';
import type { FfmpegSourceOptions } from './ffmpeg-source.js';
import type { FrameTarget } from './frame-target.js';

/** One camera: where its video comes from and where its segments go. */
export interface CameraSpec extends Omit<FfmpegSourceOptions, 'signal' | 'backpressure'> {
  /** Camera id: letters, digits and `. _ - = + @` (one key prefix segment). */
  readonly id: string;
  /** Key prefix of its segments. @defaultValue `<manager prefix>/<id>` */
  readonly prefix?: string;
  /** Object tags of its segments (`k=v&k2=v2` or an object). @defaultValue the manager's */
  readonly tags?: string | Readonly<Record<string, string>>;
  /** Segment target, seconds. @defaultValue 2 */
  readonly segmentSeconds?: number;
  /** Pool size, bytes. @defaultValue 4 MiB */
  readonly poolBytes?: number;
}

/** The stream side of a camera (an `HlsStream`). */
export interface ManagedStream extends FrameTarget {
  finalize(): void;
  stats(): StreamStats;
}

/** The source side of a camera (an `FfmpegSource`). */
export interface ManagedSource {
  /** Runs until the input ends or stop(); rejects when the source gives up. */
  run(): Promise<unknown>;
  stop(): Promise<void>;
  /** Kills the current child so the source restarts it (stall recovery). */
  killChild?(): boolean;
}

/** How the manager builds a camera's parts; the CLI passes HlsStream, FfmpegSource and uploader.sinkFor. */
export interface CameraFactories {
  /** The sink of a camera's segments (e.g. `uploader.sinkFor(spec.id, { prefix, tags })`). */
  readonly sinkFor: (spec: CameraSpec, prefix: string) => SegmentSink;
  readonly createStream: (spec: CameraSpec, sink: SegmentSink) => ManagedStream;
  readonly createSource: (spec: CameraSpec, target: FrameTarget) => ManagedSource;
}

/** Options of {@link CameraManager}. */
export interface CameraManagerOptions extends CameraFactories {
  /** Parent prefix of cameras without their own. @defaultValue `'cameras'` */
  readonly prefix?: string;
  /** A live camera with no frame for this long has its child killed and restarted, ms; 0 disables. @defaultValue 15000 */
  readonly stallTimeoutMs?: number;
  /** How often the watchdog looks, ms. @defaultValue 1000 */
  readonly watchdogIntervalMs?: number;
}

/** A camera's state. */
export type CameraState = 'running' | 'ended' | 'failed' | 'removed';

/** A camera as {@link CameraManager.list} reports it. */
export interface CameraStatus {
  /** The camera id. */
  readonly id: string;
  /** The key prefix its segments are stored under. */
  readonly prefix: string;
  /** Where it is in its life: starting, running, restarting, ended, failed, removed. */
  readonly state: CameraState;
  /** Frames its source delivered (accepted or not). */
  readonly framesIn: number;
  /** Frames or calls its stream threw on (isolated, counted). */
  readonly errors: number;
  /** Times it stalled (no frame for `idleMs`) and was restarted. */
  readonly stalls: number;
  /** Time since its last frame, ms (since start when none yet). */
  readonly idleMs: number;
  /** Why it failed, when `state` is `failed`. */
  readonly error: Error | undefined;
  /** Its stream's counters (frames, drops, segments, pool). */
  readonly stream: StreamStats;
}

/** Events of {@link CameraManager}. */
export interface CameraManagerEvents {
  /** A camera was added and its source started. */
  'camera-added': [id: string];
  /** The input ended (file) and the stream was finalized. */
  'camera-ended': [id: string];
  /** The source gave up (e.g. too many restarts, missing ffmpeg); the stream was finalized. */
  'camera-failed': [id: string, error: Error];
  /** A camera was removed; its open segment was finalized. */
  'camera-removed': [id: string];
  /** The camera's stream threw; the frame was counted and the camera goes on. */
  'camera-error': [id: string, error: Error];
  /** No frame for `idleMs`: the source's child was killed to restart it. */
  'camera-stalled': [id: string, idleMs: number];
}

interface Camera {
  readonly spec: CameraSpec;
  readonly prefix: string;
  readonly stream: ManagedStream;
  readonly source: ManagedSource;
  readonly done: Promise<void>;
  state: CameraState;
  framesIn: number;
  errors: number;
  stalls: number;
  lastFrameAt: number;
  error: Error | undefined;
}

/** Runs N cameras in one process; see the file comment. */
export class CameraManager extends EventEmitter<CameraManagerEvents> {
  readonly #options: CameraManagerOptions;
  readonly #cameras = new Map<string, Camera>();
  readonly #stallMs: number;
  #watchdog: NodeJS.Timeout | undefined;

  /**
   * @param options - factories, parent prefix, stall timeout
   * @throws TypeError/RangeError naming a bad option
   */
  constructor(options: CameraManagerOptions) {
    super();
    for (const k of ['sinkFor', 'createStream', 'createSource'] as const) {
      if (typeof options?.[k] !== 'function') throw new TypeError(`options.${k} must be a function, got ${typeof options?.[k]}`);
    }
    this.#stallMs = options.stallTimeoutMs ?? 15_000;
    if (!(Number.isFinite(this.#stallMs) && this.#stallMs >= 0)) throw new RangeError(`stallTimeoutMs must be a finite number ≥ 0, got ${options.stallTimeoutMs}`);
    const every = options.watchdogIntervalMs ?? 1_000;
    if (!(Number.isFinite(every) && every > 0)) throw new RangeError(`watchdogIntervalMs must be a positive number, got ${options.watchdogIntervalMs}`);
    this.#options = options;
    if (this.#stallMs > 0) {
      this.#watchdog = setInterval(() => this.#checkStalls(), every);
      this.#watchdog.unref();
    }
  }

  /**
   * Adds and starts a camera.
   *
   * @param spec - its id, input and options
   * @returns a promise settled when the camera ends, fails or is removed (never rejects)
   * @throws TypeError for a bad or duplicate id (a removed camera's id may be reused)
   */
  add(spec: CameraSpec): Promise<void> {
    validateCameraId(spec?.id);
    const existing = this.#cameras.get(spec.id);
    if (existing && existing.state === 'running') throw new TypeError(`camera ${JSON.stringify(spec.id)} is already running`);
    const prefix = spec.prefix ?? `${this.#options.prefix ?? 'cameras'}/${spec.id}`;
    const sink = this.#options.sinkFor(spec, prefix);
    const stream = this.#options.createStream(spec, sink);
    const cam = { spec, prefix, stream, state: 'running', framesIn: 0, errors: 0, stalls: 0, lastFrameAt: Date.now(), error: undefined } as Omit<
      Camera,
      'source' | 'done'
    > as Camera;
    const source = this.#options.createSource(spec, this.#guard(cam));
    (cam as { source: ManagedSource }).source = source;
    (cam as { done: Promise<void> }).done = this.#run(cam);
    this.#cameras.set(spec.id, cam);
    this.emit('camera-added', spec.id);
    return cam.done;
  }

  /**
   * Stops a camera: its source is stopped, its stream finalized (the open segment is emitted).
   *
   * @param id - the camera id
   * @returns when the camera has stopped
   * @throws TypeError when no such camera exists
   */
  async remove(id: string): Promise<void> {
    const cam = this.#cameras.get(id);
    if (!cam) throw new TypeError(`no camera ${JSON.stringify(id)}`);
    if (cam.state === 'running') {
      cam.state = 'removed';
      await cam.source.stop();
    }
    await cam.done;
    this.#cameras.delete(id);
    this.emit('camera-removed', id);
  }

  /** Stops every camera (see {@link remove}) and the watchdog. */
  async stopAll(): Promise<void> {
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    await Promise.all([...this.#cameras.keys()].map((id) => this.remove(id)));
  }

  /** Settles when every camera added so far has ended, failed or been removed. */
  async settled(): Promise<void> {
    await Promise.all([...this.#cameras.values()].map((c) => c.done));
  }

  /** The cameras and their counters. */
  list(): CameraStatus[] {
    const now = Date.now();
    return [...this.#cameras.values()].map((c) => ({
      id: c.spec.id,
      prefix: c.prefix,
      state: c.state,
      framesIn: c.framesIn,
      errors: c.errors,
      stalls: c.stalls,
      idleMs: now - c.lastFrameAt,
      error: c.error,
      stream: c.stream.stats(),
    }));
  }

  async #run(cam: Camera): Promise<void> {
    try {
      await cam.source.run();
      if (cam.state === 'running') cam.state = 'ended';
    } catch (err) {
      cam.error = err instanceof Error ? err : new Error(String(err));
      if (cam.state === 'running') cam.state = 'failed';
    }
    try {
      cam.stream.finalize();
    } catch (err) {
      cam.errors++;
      this.emit('camera-error', cam.spec.id, err instanceof Error ? err : new Error(String(err)));
    }
    if (cam.state === 'ended') this.emit('camera-ended', cam.spec.id);
    else if (cam.state === 'failed') this.emit('camera-failed', cam.spec.id, cam.error as Error);
  }

  /** The camera's FrameTarget: counts, stamps the watchdog, and contains anything its stream throws. */
  #guard(cam: Camera): FrameTarget {
    const fail = (err: unknown): false => {
      cam.errors++;
      this.emit('camera-error', cam.spec.id, err instanceof Error ? err : new Error(String(err)));
      return false;
    };
    return {
      putVideoFrame: (pack: VideoFramePack): boolean => {
        cam.framesIn++;
        cam.lastFrameAt = Date.now();
        try {
          return cam.stream.putVideoFrame(pack);
        } catch (err) {
          return fail(err);
        }
      },
      putAudioFrame: (pack: AudioFramePack): boolean => {
        try {
          return cam.stream.putAudioFrame(pack);
        } catch (err) {
          return fail(err);
        }
      },
      markDiscontinuity: (reason: DiscontinuityReason): void => {
        try {
          cam.stream.markDiscontinuity(reason);
        } catch (err) {
          fail(err);
        }
      },
    };
  }

  #checkStalls(): void {
    const now = Date.now();
    for (const cam of this.#cameras.values()) {
      const idle = now - cam.lastFrameAt;
      // Only live cameras stall: a file input paused by upload backpressure is not stuck.
      const live = cam.spec.live ?? looksLive(cam.spec.input);
      if (cam.state !== 'running' || !live || idle < this.#stallMs || !cam.source.killChild) continue;
      if (cam.source.killChild()) {
        cam.stalls++;
        // Give the new child a full period before judging it.
        cam.lastFrameAt = now;
        this.emit('camera-stalled', cam.spec.id, idle);
      }
    }
  }
}
