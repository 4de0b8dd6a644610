/**
 * Raw H.264 Annex B from a file, stdin or a pipe → access units (AccessUnitSplitter, H.264
 * §7.4.1.2.3) → frame packs. Raw Annex B carries no timestamps: with `fps` they come from the
 * decode index and the picture order count (FrameTiming: B-frames get the right PTS); without,
 * from the wall clock at arrival (a live pipe).
 *
 * Each NAL unit is handed over as one item `{ part1: start code, part2: NAL unit }` — the item
 * contract allows the split anywhere — so the splitter's bytes are never copied here.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { S3HlsError } from '../errors.js';
import { AccessUnitSplitter, type AccessUnit } from '../h264/access-unit-splitter.js';
import { FrameTiming } from '../h264/frame-timing.js';
import type { SpsInfo } from '../h264/sps.js';
import type { PackItem } from '../types.js';
import type { FrameTarget } from './frame-target.js';
import { SourceError, SourceErrorCode } from './source-errors.js';

/** Options of {@link AnnexBSource}. */
export interface AnnexBSourceOptions {
  /** A file path, `-` for stdin, or any Readable of Annex B bytes. */
  readonly input: string | Readable;
  /** Frame rate (`{ num, den }`, see `parseFps`); absent = wall-clock timestamps at arrival. */
  readonly fps?: { readonly num: number; readonly den: number };
  /** Sleep so frames are delivered at the frame rate (a file played as a live camera; needs `fps`). @defaultValue false */
  readonly realtime?: boolean;
  /** Start the file over when it ends, timestamps continuing (needs a file path). @defaultValue false */
  readonly loop?: boolean;
  /** Called after each frame; a returned promise pauses reading until it settles (upload pacing). */
  readonly backpressure?: () => Promise<void> | undefined;
  /** Bad media the splitter reported (it goes on). */
  readonly onError?: (error: S3HlsError) => void;
  /** Stops reading. */
  readonly signal?: AbortSignal;
}

/** What {@link AnnexBSource.run} delivered. */
export interface AnnexBRunResult {
  /** `ended` at the end of the input, `stopped` after stop()/abort. */
  readonly reason: 'ended' | 'stopped';
  /** Access units handed to the target. */
  readonly videoFrames: number;
  /** Frames the target refused (it counted them). */
  readonly refused: number;
  /** Access units before the first SPS, which cannot be timed or decoded. */
  readonly skipped: number;
  /** Bad-media reports of the splitter. */
  readonly errors: number;
  /** Frames whose PTS had to be clamped (the stream reordered more than its SPS said). */
  readonly clampedPts: number;
}

/** Four-byte start code (§B.1.1: zero_byte + start_code_prefix_one_3bytes) put before each NAL. */
const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** Reads Annex B and feeds an `HlsStream`; single use. */
export class AnnexBSource {
  readonly #target: FrameTarget;
  readonly #options: AnnexBSourceOptions;
  readonly #splitter: AccessUnitSplitter;
  readonly #timing: FrameTiming | undefined;
  #stopping = false;
  #started = false;
  #current: Readable | undefined;
  #sps: SpsInfo | undefined;
  #frames = 0;
  #refused = 0;
  #skipped = 0;
  #startedAtMs = 0;
  // Reused items: grown to the largest NAL count seen, the pack's array re-sliced by length.
  readonly #itemPool: { part1: Uint8Array; part2: Uint8Array | undefined }[] = [];
  readonly #items: PackItem[] = [];
  readonly #pack: { items: readonly PackItem[]; pts90k: number; dts90k: number; timestampUs: number | undefined } = {
    items: this.#items,
    pts90k: 0,
    dts90k: 0,
    timestampUs: undefined,
  };

  /**
   * @param target - an `HlsStream` (or any FrameTarget)
   * @param options - input, frame rate, pacing
   * @throws TypeError for an empty input, `loop` without a file path, `realtime` without `fps`
   */
  constructor(target: FrameTarget, options: AnnexBSourceOptions) {
    if (typeof target?.putVideoFrame !== 'function') throw new TypeError('target must have putVideoFrame/putAudioFrame/markDiscontinuity');
    if (options.input === '' || options.input === undefined) throw new TypeError(`input must be a path, '-' or a Readable, got ${JSON.stringify(options.input)}`);
    if (options.loop && (typeof options.input !== 'string' || options.input === '-')) throw new TypeError('loop needs a file path as input');
    if (options.realtime && !options.fps) throw new TypeError('realtime needs fps (raw H.264 has no timestamps to pace by)');
    this.#target = target;
    this.#options = options;
    this.#timing = options.fps ? new FrameTiming({ num: options.fps.num, den: options.fps.den }) : undefined;
    this.#splitter = new AccessUnitSplitter({ onError: options.onError });
  }

  /**
   * Reads to the end of the input (or forever with `loop`) and delivers every access unit.
   *
   * @returns counts and how it ended
   * @throws SourceError `INPUT_UNAVAILABLE` when the input cannot be read; `BAD_INPUT` when it
   *   held no H.264 access unit
   * @throws TypeError when called twice
   */
  async run(): Promise<AnnexBRunResult> {
    if (this.#started) throw new TypeError('AnnexBSource.run() may be called once');
    this.#started = true;
    const signal = this.#options.signal;
    const onAbort = (): void => void this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.#stopping = true;
    this.#startedAtMs = performance.now();
    try {
      do {
        await this.#readOnce();
      } while (this.#options.loop && !this.#stopping);
      if (this.#frames === 0 && !this.#stopping) {
        const name = typeof this.#options.input === 'string' ? this.#options.input : 'the input';
        throw new SourceError(SourceErrorCode.BadInput, `no H.264 access unit found in ${name === '-' ? 'stdin' : name} (is it raw Annex B H.264?)`);
      }
      return {
        reason: this.#stopping ? 'stopped' : 'ended',
        videoFrames: this.#frames,
        refused: this.#refused,
        skipped: this.#skipped,
        errors: this.#splitter.errorCount,
        clampedPts: this.#timing?.clampedCount ?? 0,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops reading; `run()` resolves with `stopped`. */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#current?.destroy();
    return Promise.resolve();
  }

  async #readOnce(): Promise<void> {
    const input = this.#options.input;
    const stream = typeof input !== 'string' ? input : input === '-' ? process.stdin : createReadStream(input, { highWaterMark: 256 * 1024 });
    this.#current = stream;
    try {
      for await (const chunk of stream) {
        if (this.#stopping) break;
        for (const au of this.#splitter.push(chunk as Uint8Array)) await this.#deliver(au);
      }
    } catch (err) {
      if (this.#stopping) return;
      const e = err as NodeJS.ErrnoException;
      throw new SourceError(
        SourceErrorCode.InputUnavailable,
        `cannot read ${typeof input === 'string' ? input : 'the input'}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
        { cause: err },
      );
    }
    for (const au of this.#splitter.end()) await this.#deliver(au);
  }

  async #deliver(au: AccessUnit): Promise<void> {
    if (this.#stopping) return;
    if (au.sps) this.#sps = au.sps;
    const sps = this.#sps;
    if (!sps) {
      this.#skipped++;
      return;
    }
    const pack = this.#pack;
    if (this.#timing) {
      const t = this.#timing.next(au, sps);
      pack.pts90k = t.pts90k;
      pack.dts90k = t.dts90k;
      if (this.#options.realtime) {
        const dueMs = this.#startedAtMs + t.dts90k / 90;
        const waitMs = dueMs - performance.now();
        if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
      }
    } else {
      // Wall clock at arrival, in 90 kHz ticks (no B-frame reorder is possible without fps).
      const ticks = Math.round(performance.now() * 90);
      pack.pts90k = ticks;
      pack.dts90k = ticks;
    }
    const items = this.#items;
    items.length = au.nals.length;
    for (let i = 0; i < au.nals.length; i++) {
      let item = this.#itemPool[i];
      if (!item) this.#itemPool.push((item = { part1: START_CODE, part2: undefined }));
      item.part2 = au.nals[i];
      items[i] = item;
    }
    this.#frames++;
    if (!this.#target.putVideoFrame(pack)) this.#refused++;
    const wait = this.#options.backpressure?.();
    if (wait) await wait;
  }
}
