/**
 * A source that runs ffmpeg (from PATH) on any input it reads — an RTSP camera, a V4L2 device, a
 * file, a lavfi pattern — has it write MPEG-TS to stdout, and demuxes that with the source's PTS/DTS
 * into frame packs. When the child dies it is restarted with exponential backoff and the target is
 * told `markDiscontinuity('source-restart')` (the camera servers this learns from — cam_server,
 * video-edge-ai-proxy — do one process per camera with reconnects the same way).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { PackItem } from '../types.js';
import { ffmpegArgs, looksLive, type FfmpegArgsOptions } from './ffmpeg-args.js';
import { ffprobeBeside, planAudio, probeAudio, type AudioPlan } from './ffmpeg-audio.js';
import type { FrameTarget } from './frame-target.js';
import { SourceError, SourceErrorCode } from './source-errors.js';
import { TsDemuxer, type DemuxedPes } from './ts-demuxer.js';
import { redactUrlCredentials } from '../redact.js';

/** Options of {@link FfmpegSource}. */
export interface FfmpegSourceOptions extends FfmpegArgsOptions {
  /** The ffmpeg executable. @defaultValue `'ffmpeg'` (looked up on PATH) */
  readonly ffmpegPath?: string;
  /** The ffprobe that tells AAC (copied) from other audio (re-encoded). @defaultValue the one beside `ffmpegPath`, else `'ffprobe'` on PATH */
  readonly ffprobePath?: string;
  /** Longest wait for ffprobe, ms; after it the audio is re-encoded. @defaultValue 10000 */
  readonly probeTimeoutMs?: number;
  /**
   * Restart when ffmpeg ends, even cleanly, and run until stopped.
   * @defaultValue true for URLs and devices, false for files and lavfi graphs (see `looksLive`)
   */
  readonly live?: boolean;
  /** First restart delay, ms; doubles per consecutive failure. @defaultValue 500 */
  readonly restartDelayMs?: number;
  /** Upper bound of the restart delay, ms. @defaultValue 10000 */
  readonly maxRestartDelayMs?: number;
  /** Restarts allowed in a row (a child that ran ≥ `stableAfterMs` resets the count). @defaultValue Infinity when live, 0 otherwise */
  readonly maxRestarts?: number;
  /** A child that ran this long counts as healthy: the next failure starts the backoff over. @defaultValue 10000 */
  readonly stableAfterMs?: number;
  /**
   * Called after each frame; when it returns a promise, reading ffmpeg's output pauses until it
   * settles (a file input paced by the upload queue instead of dropping frames).
   */
  readonly backpressure?: () => Promise<void> | undefined;
  /** Stops the source (like {@link FfmpegSource.stop}). */
  readonly signal?: AbortSignal;
}

/** Events of {@link FfmpegSource}. */
export interface FfmpegSourceEvents {
  /** A child was started (`attempt` 0 is the first). */
  spawn: [info: { pid: number; attempt: number }];
  /** A child ended; `restartInMs` is set when another one will be started. */
  exit: [info: { code: number | null; signal: NodeJS.Signals | null; restartInMs: number | undefined; lastError: string }];
  /** A line ffmpeg wrote to stderr (errors only: it runs with `-loglevel error`). */
  stderr: [line: string];
  /** A demuxing problem (PES without PTS, lost sync); the source goes on. */
  warning: [message: string];
  /** What happens to the audio, decided before a child starts (`plan.description` is the progress line). */
  audio: [plan: AudioPlan];
}

/** What a finished {@link FfmpegSource.run} reports. */
export interface FfmpegRunResult {
  /** `ended` when the input ended (file), `stopped` after stop()/abort. */
  readonly reason: 'ended' | 'stopped';
  /** Video frames handed to the target. */
  readonly videoFrames: number;
  /** Audio packs (ADTS frames of one PES) handed to the target. */
  readonly audioPacks: number;
  /** Times ffmpeg was restarted (live inputs). */
  readonly restarts: number;
}

const STDERR_LINES_KEPT = 8;

/** Runs ffmpeg on an input and feeds its frames to a target (an `HlsStream`). */
export class FfmpegSource extends EventEmitter<FfmpegSourceEvents> {
  readonly #target: FrameTarget;
  readonly #options: FfmpegSourceOptions;
  #args: string[];
  /** Set once a probe answered; until then every start probes again (a camera that was offline). */
  #audioPlan: AudioPlan | undefined;
  /** Ends a probe in progress when stop() is called (the abort signal, if any, reaches stop() too). */
  readonly #probeAbort = new AbortController();
  /** The input as it may be printed: a URL's password replaced by `***` (see redact.ts). */
  readonly #shownInput: string;
  readonly #live: boolean;
  readonly #demuxer: TsDemuxer;
  #child: ChildProcess | undefined;
  #stopping = false;
  #started = false;
  #videoFrames = 0;
  #audioPacks = 0;
  #restarts = 0;
  #stderrTail: string[] = [];
  #wake: (() => void) | undefined;
  /** A backpressure promise not yet applied to the child's stdout. */
  #pending: Promise<void> | undefined;
  /** What the target threw (a programmer error, e.g. put after finalize): ends run() with it. */
  #targetError: unknown;
  // Reused pack objects: the target copies before returning, so one of each suffices.
  readonly #item: { part1: Uint8Array; part2: Uint8Array | undefined } = { part1: new Uint8Array(0), part2: undefined };
  readonly #items: readonly PackItem[] = [this.#item];
  readonly #videoPack: { items: readonly PackItem[]; pts90k: number; dts90k: number } = { items: this.#items, pts90k: 0, dts90k: 0 };
  readonly #audioPack: { items: readonly PackItem[]; pts90k: number } = { items: this.#items, pts90k: 0 };

  /**
   * @param target - where frames go (an `HlsStream`)
   * @param options - input, encoder, restart policy
   * @throws TypeError/RangeError for bad options (see `ffmpegArgs`)
   */
  constructor(target: FrameTarget, options: FfmpegSourceOptions) {
    super();
    if (typeof target?.putVideoFrame !== 'function') throw new TypeError('target must have putVideoFrame/putAudioFrame/markDiscontinuity');
    this.#target = target;
    this.#options = options;
    this.#args = ffmpegArgs(options);
    this.#shownInput = redactUrlCredentials(options.input);
    this.#live = options.live ?? looksLive(options.input);
    for (const [name, v] of [
      ['restartDelayMs', options.restartDelayMs],
      ['maxRestartDelayMs', options.maxRestartDelayMs],
      ['stableAfterMs', options.stableAfterMs],
      ['probeTimeoutMs', options.probeTimeoutMs],
    ] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a finite number ≥ 0, got ${v}`);
    }
    if (options.maxRestarts !== undefined && !(options.maxRestarts >= 0)) throw new RangeError(`maxRestarts must be ≥ 0, got ${options.maxRestarts}`);
    this.#demuxer = new TsDemuxer({
      onVideo: (pes) => this.#onVideo(pes),
      onAudio: options.audio === false ? undefined : (pes) => this.#onAudio(pes),
      onWarning: (m) => this.emit('warning', m),
    });
  }

  /** The ffmpeg arguments used, as given to the child: a URL in them keeps its password, so redact before printing. */
  get args(): readonly string[] {
    return this.#args;
  }

  /** The running child's pid, or undefined between restarts. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** What is done with the audio, once decided (before the first child starts). */
  get audioPlan(): AudioPlan | undefined {
    return this.#audioPlan;
  }

  /** Frames delivered so far (all children). */
  get videoFrames(): number {
    return this.#videoFrames;
  }

  /**
   * Runs ffmpeg until the input ends (file) or {@link stop} is called, restarting it on failure.
   *
   * @returns how it ended and what it delivered
   * @throws SourceError `FFMPEG_NOT_FOUND` when ffmpeg is missing; `INPUT_UNAVAILABLE` when a
   *   non-live input fails (ffmpeg's last error line is the message); `TOO_MANY_RESTARTS` when
   *   `maxRestarts` failures happened in a row; `BAD_INPUT` when a file gave no H.264 frame
   * @throws TypeError when called twice (single use); whatever the target threw (the child is
   *   killed and the source stops)
   */
  async run(): Promise<FfmpegRunResult> {
    if (this.#started) throw new TypeError('FfmpegSource.run() may be called once');
    this.#started = true;
    const signal = this.#options.signal;
    const onAbort = (): void => void this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.#stopping = true;
    const maxRestarts = this.#options.maxRestarts ?? (this.#live ? Infinity : 0);
    const baseDelay = this.#options.restartDelayMs ?? 500;
    const maxDelay = this.#options.maxRestartDelayMs ?? 10_000;
    const stableAfter = this.#options.stableAfterMs ?? 10_000;
    let failures = 0;
    try {
      for (let attempt = 0; !this.#stopping; attempt++) {
        if (attempt > 0) {
          this.#demuxer.reset();
          // The new child starts a new TS with its own clock: the playlist must say so.
          this.#target.markDiscontinuity('source-restart');
          this.#restarts++;
        }
        if (this.#audioPlan === undefined) await this.#planAudio();
        if (this.#stopping) break;
        const startedAt = Date.now();
        const framesBefore = this.#videoFrames;
        const exit = await this.#runChild(attempt);
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows exactly what the frame target threw (recorded in the data callback), whatever it is
        if (this.#targetError !== undefined) throw this.#targetError;
        if (this.#stopping) break;
        // ffmpeg prefixes input errors with the input ("x.mp4: No such file..."): say it once.
        const tail = this.#stderrTail[this.#stderrTail.length - 1] ?? '';
        const lastError = tail.startsWith(`${this.#shownInput}: `) ? tail.slice(this.#shownInput.length + 2) : tail;
        const clean = exit.code === 0;
        if (clean && !this.#live) {
          if (this.#videoFrames === 0) {
            throw new SourceError(SourceErrorCode.BadInput, `no H.264 video found in ${this.#shownInput}${lastError ? `: ${lastError}` : ''}`);
          }
          this.emit('exit', { ...exit, restartInMs: undefined, lastError });
          return this.#result('ended');
        }
        failures = Date.now() - startedAt >= stableAfter ? 1 : failures + 1;
        if (failures > maxRestarts) {
          this.emit('exit', { ...exit, restartInMs: undefined, lastError });
          if (maxRestarts === 0) {
            const why = lastError || `ffmpeg exited with ${exit.signal ?? `code ${exit.code}`}`;
            const code = this.#videoFrames > framesBefore ? SourceErrorCode.InputUnavailable : SourceErrorCode.BadInput;
            throw new SourceError(code, `cannot read ${this.#shownInput}: ${why}`);
          }
          throw new SourceError(SourceErrorCode.TooManyRestarts, `ffmpeg failed ${failures} times in a row on ${this.#shownInput}${lastError ? `: ${lastError}` : ''}`);
        }
        const delay = Math.min(maxDelay, baseDelay * 2 ** (failures - 1));
        this.emit('exit', { ...exit, restartInMs: delay, lastError });
        await this.#sleep(delay);
      }
      return this.#result('stopped');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Stops the source: ffmpeg gets SIGINT (it flushes and exits), then SIGKILL after 3 s.
   * @returns when the child has exited
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    this.#probeAbort.abort();
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Kills the current child with SIGKILL, as a crash would (the source restarts it). For stall
   * watchdogs and tests.
   * @returns whether a child was running
   */
  killChild(): boolean {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    return child.kill('SIGKILL');
  }

  /**
   * Probes the input's audio and rebuilds the arguments: AAC is copied bit-exact, other codecs are
   * re-encoded. A probe that failed leaves the plan open (re-encode for this child, probe again
   * before the next one), since a live camera may simply have been offline.
   */
  async #planAudio(): Promise<void> {
    const o = this.#options;
    if (o.audio === false) {
      this.#audioPlan = planAudio({ status: 'none' }, o);
      this.emit('audio', this.#audioPlan);
      return;
    }
    const probed = await probeAudio({
      input: o.input,
      inputArgs: o.inputArgs,
      ffprobePath: o.ffprobePath ?? ffprobeBeside(o.ffmpegPath),
      timeoutMs: o.probeTimeoutMs,
      signal: this.#probeAbort.signal,
    });
    const plan = planAudio(probed, o);
    this.#args = ffmpegArgs(o, plan);
    if (probed.status !== 'unknown') this.#audioPlan = plan;
    this.emit('audio', plan);
  }

  #result(reason: FfmpegRunResult['reason']): FfmpegRunResult {
    return { reason, videoFrames: this.#videoFrames, audioPacks: this.#audioPacks, restarts: this.#restarts };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #runChild(attempt: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.#options.ffmpegPath ?? 'ffmpeg', this.#args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.#child = child;
      this.#stderrTail = [];
      let spawnError: Error | undefined;
      child.once('error', (err: NodeJS.ErrnoException) => {
        spawnError = err;
        if (err.code === 'ENOENT') {
          reject(
            new SourceError(
              SourceErrorCode.FfmpegNotFound,
              `ffmpeg not found (${this.#options.ffmpegPath ?? 'ffmpeg'} on PATH): install it (e.g. apt-get install ffmpeg) or set ffmpegPath`,
              { cause: err },
            ),
          );
        } else {
          reject(new SourceError(SourceErrorCode.InputUnavailable, `cannot start ffmpeg: ${err.message}`, { cause: err }));
        }
      });
      child.once('spawn', () => this.emit('spawn', { pid: child.pid ?? -1, attempt }));
      child.stdout.on('data', (chunk: Buffer) => {
        if (this.#targetError !== undefined) return;
        try {
          this.#demuxer.push(chunk);
        } catch (err) {
          // Never let it escape into the stream's event handler (that would crash the process):
          // stop this source and let run() reject with it.
          this.#targetError = err;
          this.#stopping = true;
          child.kill('SIGKILL');
          return;
        }
        const wait = this.#pending;
        if (wait) {
          this.#pending = undefined;
          child.stdout.pause();
          void wait.finally(() => child.stdout.resume());
        }
      });
      let partial = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const raw of lines) this.#stderrLine(raw);
      });
      child.once('close', (code, signal) => {
        if (partial) this.#stderrLine(partial);
        this.#child = undefined;
        // The last video PES is complete only now (video PES are unbounded in TS), and only when
        // ffmpeg wrote its trailer (clean end, or SIGINT from stop()); after a crash it may be cut.
        if (code === 0 || this.#stopping) this.#demuxer.flush();
        else this.#demuxer.reset();
        if (!spawnError) resolve({ code, signal });
      });
    });
  }

  #stderrLine(raw: string): void {
    // ffmpeg echoes its input URL, password included, in its errors: redact before keeping or emitting.
    const line = redactUrlCredentials(raw.trim());
    if (!line) return;
    this.#stderrTail.push(line);
    if (this.#stderrTail.length > STDERR_LINES_KEPT) this.#stderrTail.shift();
    this.emit('stderr', line);
  }

  #afterFrame(): void {
    const bp = this.#options.backpressure;
    if (!bp || this.#pending) return;
    const p = bp();
    if (p) this.#pending = p;
  }

  #onVideo(pes: DemuxedPes): void {
    this.#item.part1 = pes.bytes;
    this.#videoPack.pts90k = pes.pts90k;
    this.#videoPack.dts90k = pes.dts90k;
    this.#videoFrames++;
    this.#target.putVideoFrame(this.#videoPack);
    this.#afterFrame();
  }

  #onAudio(pes: DemuxedPes): void {
    this.#item.part1 = pes.bytes;
    this.#audioPack.pts90k = pes.pts90k;
    this.#audioPacks++;
    this.#target.putAudioFrame(this.#audioPack);
    this.#afterFrame();
  }
}
