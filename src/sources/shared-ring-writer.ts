/**
 * The producer side of the shared frame ring, for an encoder running in a worker thread: each
 * `write` appends one access unit (its NAL units, Annex B) and its timestamps. Runs in the worker,
 * so it may block with `Atomics.wait` while the ring is full — the encoder is paced by the muxer
 * instead of dropping frames.
 */
import { Ctl, SLOT_WORDS, ringViews, type SharedRingViews } from './shared-ring-layout.js';

/** Writes access units into a ring made by `createSharedRing`. Use from one thread only. */
export class SharedRingWriter {
  readonly #v: SharedRingViews;
  #closed = false;

  /**
   * @param ring - the SharedArrayBuffer from `createSharedRing` (posted to the worker)
   * @throws TypeError when `ring` is not such a buffer
   */
  constructor(ring: SharedArrayBuffer) {
    this.#v = ringViews(ring);
  }

  /**
   * Appends one access unit. Blocks (Atomics.wait: workers only) while the ring lacks room, up to
   * `timeoutMs`.
   *
   * @param units - the access unit's bytes, in one or more pieces (e.g. one per NAL unit); copied in
   * @param pts90k - presentation time, 90 kHz ticks (integer ≥ 0; may pass 2^33, kept exact)
   * @param dts90k - decode time, 90 kHz ticks @defaultValue `pts90k`
   * @param timeoutMs - how long to wait for room @defaultValue Infinity
   * @returns true when written; false when the ring stayed full for `timeoutMs` (frame not written)
   * @throws RangeError when the unit is empty or larger than the ring; TypeError after close()
   */
  write(units: Uint8Array | readonly Uint8Array[], pts90k: number, dts90k: number = pts90k, timeoutMs = Infinity): boolean {
    if (this.#closed) throw new TypeError('SharedRingWriter.write() after close()');
    const parts = units instanceof Uint8Array ? [units] : units;
    let length = 0;
    for (const p of parts) length += p.byteLength;
    const { control, slots, data, capacity, slotCount } = this.#v;
    if (length === 0 || length > capacity) throw new RangeError(`access unit of ${length} bytes must be in [1, ${capacity}] (the ring's capacityBytes)`);
    if (!Number.isInteger(pts90k) || pts90k < 0 || !Number.isInteger(dts90k) || dts90k < 0) {
      throw new RangeError(`pts90k/dts90k must be integers ≥ 0, got ${pts90k}/${dts90k}`);
    }
    const deadline = timeoutMs === Infinity ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const seq = Atomics.load(control, Ctl.ReleaseSeq);
      if (Atomics.load(control, Ctl.FramesReady) < slotCount && Atomics.load(control, Ctl.BytesUsed) + length <= capacity) break;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      // Woken by the reader's release (it bumps ReleaseSeq and notifies); re-check after waking.
      Atomics.wait(control, Ctl.ReleaseSeq, seq, left === Infinity ? undefined : left);
    }
    const start = control[Ctl.DataWritePos];
    let pos = start;
    for (const p of parts) {
      const first = Math.min(p.byteLength, capacity - pos);
      data.set(first === p.byteLength ? p : p.subarray(0, first), pos);
      if (first < p.byteLength) data.set(p.subarray(first), 0);
      pos = (pos + p.byteLength) % capacity;
    }
    control[Ctl.DataWritePos] = pos;
    const head = control[Ctl.SlotHead];
    const s = head * SLOT_WORDS;
    slots[s] = start;
    slots[s + 1] = length;
    slots[s + 2] = pts90k;
    slots[s + 3] = dts90k;
    control[Ctl.SlotHead] = (head + 1) % slotCount;
    // Publish: the Atomics.add orders the plain writes above before the reader's Atomics.load.
    Atomics.add(control, Ctl.BytesUsed, length);
    Atomics.add(control, Ctl.FramesReady, 1);
    Atomics.notify(control, Ctl.FramesReady);
    return true;
  }

  /** Ends the stream: the reader delivers what is left, then its `run()` resolves. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#v.control, Ctl.Closed, 1);
    Atomics.notify(this.#v.control, Ctl.FramesReady);
  }
}
