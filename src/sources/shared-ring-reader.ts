/**
 * The consumer side of the shared frame ring, on the main thread: each access unit becomes a
 * VideoFramePack whose item is a view into the SharedArrayBuffer — one part, or two when the unit
 * wrapped around the end of the ring (`part1` to the end, `part2` from the start). Nothing is copied
 * here; the muxer copies once into its pool, and the ring space is released right after
 * `putVideoFrame` returns (the contract of types.ts: the SDK is done with the bytes by then).
 */
import type { PackItem } from '../types.js';
import type { FrameTarget } from './frame-target.js';
import { Ctl, SLOT_WORDS, ringViews, type SharedRingViews } from './shared-ring-layout.js';

/** Options of {@link SharedRingReader.run}. */
export interface SharedRingRunOptions {
  /** Stops reading (frames still in the ring stay there). */
  readonly signal?: AbortSignal;
  /** Frames handled before yielding to the event loop (uploads need it). @defaultValue 16 */
  readonly batchFrames?: number;
}

/** What {@link SharedRingReader.run} delivered. */
export interface SharedRingRunResult {
  /** Frames read from the ring and handed to the target. */
  readonly frames: number;
  /** Bytes of those frames. */
  readonly bytes: number;
  /** Frames whose unit wrapped and was delivered as two parts. */
  readonly wrapped: number;
  /** Frames the target refused (it counted them as drops). */
  readonly refused: number;
  /** `closed` when the writer closed the ring, `aborted` after the signal. */
  readonly reason: 'closed' | 'aborted';
}

// Atomics.waitAsync is in Node ≥ 16 but only in TypeScript's ES2024 lib.
type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs?: number) => { async: boolean; value: Promise<string> | string };
const EMPTY = new Uint8Array(0);
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Reads frame packs out of a ring made by `createSharedRing`. Use from one thread only. */
export class SharedRingReader {
  readonly #v: SharedRingViews;
  readonly #item: { part1: Uint8Array; part2: Uint8Array | undefined } = { part1: new Uint8Array(0), part2: undefined };
  readonly #pack: { items: readonly PackItem[]; pts90k: number; dts90k: number } = { items: [this.#item], pts90k: 0, dts90k: 0 };
  #running = false;

  /**
   * @param ring - the SharedArrayBuffer from `createSharedRing`
   * @throws TypeError when `ring` is not such a buffer
   */
  constructor(ring: SharedArrayBuffer) {
    this.#v = ringViews(ring);
  }

  /**
   * Delivers every frame to `target` until the writer closes the ring or `signal` aborts.
   *
   * @param target - an `HlsStream` (or any FrameTarget)
   * @param options - abort signal, batch size
   * @returns counts and why it ended
   * @throws TypeError when already running
   */
  async run(target: FrameTarget, options: SharedRingRunOptions = {}): Promise<SharedRingRunResult> {
    if (this.#running) throw new TypeError('SharedRingReader.run() is already running');
    this.#running = true;
    const { control } = this.#v;
    const batch = options.batchFrames ?? 16;
    const signal = options.signal;
    // Wake the wait below on abort (no polling).
    const onAbort = (): void => void Atomics.notify(control, Ctl.FramesReady);
    signal?.addEventListener('abort', onAbort, { once: true });
    let frames = 0;
    let bytes = 0;
    let wrapped = 0;
    let refused = 0;
    try {
      for (;;) {
        if (signal?.aborted) return { frames, bytes, wrapped, refused, reason: 'aborted' };
        const ready = Atomics.load(control, Ctl.FramesReady);
        if (ready === 0) {
          if (Atomics.load(control, Ctl.Closed) === 1) return { frames, bytes, wrapped, refused, reason: 'closed' };
          const w = waitAsync(control, Ctl.FramesReady, 0);
          if (w.async) await w.value;
          continue;
        }
        for (let i = 0; i < Math.min(ready, batch); i++) {
          const r = this.#deliverOne(target);
          frames++;
          bytes += r.length;
          if (r.wrapped) wrapped++;
          if (!r.accepted) refused++;
        }
        // Let timers and sockets run (the upload queue lives on this thread).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#running = false;
    }
  }

  readonly #one = { length: 0, wrapped: false, accepted: false };

  #deliverOne(target: FrameTarget): { length: number; wrapped: boolean; accepted: boolean } {
    const { control, slots, data, capacity, slotCount } = this.#v;
    const tail = control[Ctl.SlotTail];
    const s = tail * SLOT_WORDS;
    const offset = slots[s];
    const length = slots[s + 1];
    const item = this.#item;
    const first = Math.min(length, capacity - offset);
    item.part1 = data.subarray(offset, offset + first);
    item.part2 = first < length ? data.subarray(0, length - first) : undefined;
    const pack = this.#pack;
    pack.pts90k = slots[s + 2];
    pack.dts90k = slots[s + 3];
    let accepted: boolean;
    try {
      accepted = target.putVideoFrame(pack);
    } finally {
      // Release even when the target threw, so the writer is never wedged.
      control[Ctl.SlotTail] = (tail + 1) % slotCount;
      control[Ctl.DataReadPos] = (offset + length) % capacity;
      // Drop the views so nothing keeps reading ring space the writer may now reuse.
      item.part1 = EMPTY;
      item.part2 = undefined;
      Atomics.sub(control, Ctl.BytesUsed, length);
      Atomics.sub(control, Ctl.FramesReady, 1);
      Atomics.add(control, Ctl.ReleaseSeq, 1);
      Atomics.notify(control, Ctl.ReleaseSeq);
    }
    const one = this.#one;
    one.length = length;
    one.wrapped = first < length;
    one.accepted = accepted;
    return one;
  }
}
