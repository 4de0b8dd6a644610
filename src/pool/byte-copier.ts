/**
 * Copies byte ranges into the pool without allocating.
 *
 * `dest.set(src.subarray(a, b), o)` is the obvious copy, but `subarray` allocates a view object per
 * call: per TS packet, that is ~30 % of the payload volume in garbage. A byte loop allocates nothing
 * but runs at ~1 GB/s here. Copying 32-bit words through DataViews runs at ~3 GB/s with no
 * allocation; the DataView of a source buffer is cached, and an encoder ring (or a file reader's
 * buffer) is the same ArrayBuffer frame after frame, so in steady state no view is created at all.
 * (Measured on this project's 2-core VM; see docs/benchmarks.md.)
 */

/** Copies ranges of any Uint8Array into one destination buffer (the pool). */
export class ByteCopier {
  readonly #dest: Uint8Array;
  readonly #destView: DataView;
  // Two cached source views: a frame pack's two parts usually share one ring buffer, but an item
  // may also come from a second buffer (e.g. remembered SPS/PPS).
  #buf0: ArrayBufferLike | undefined;
  #view0: DataView | undefined;
  #buf1: ArrayBufferLike | undefined;
  #view1: DataView | undefined;

  /** @param dest - the destination (the pool's bytes) */
  constructor(dest: Uint8Array) {
    this.#dest = dest;
    this.#destView = new DataView(dest.buffer, dest.byteOffset, dest.byteLength);
  }

  #viewOf(buffer: ArrayBufferLike): DataView {
    if (buffer === this.#buf0) return this.#view0 as DataView;
    if (buffer === this.#buf1) {
      // Keep the most recent first so the common case is one comparison.
      const v = this.#view1 as DataView;
      this.#buf1 = this.#buf0;
      this.#view1 = this.#view0;
      this.#buf0 = buffer;
      this.#view0 = v;
      return v;
    }
    const v = new DataView(buffer);
    this.#buf1 = this.#buf0;
    this.#view1 = this.#view0;
    this.#buf0 = buffer;
    this.#view0 = v;
    return v;
  }

  /**
   * Copies `src[start, end)` to `dest[destOffset, destOffset + end - start)`.
   * The caller guarantees both ranges are in bounds.
   */
  copy(src: Uint8Array, start: number, end: number, destOffset: number): void {
    const len = end - start;
    if (len < 16) {
      const dest = this.#dest;
      for (let i = 0; i < len; i++) dest[destOffset + i] = src[start + i];
      return;
    }
    const sv = this.#viewOf(src.buffer);
    const dv = this.#destView;
    const s = src.byteOffset + start;
    const d = destOffset; // #destView starts where #dest starts
    // Four words per iteration: a TS packet's 184 payload bytes are 11 iterations and one word,
    // ~1.5x the one-word loop here (fewer loop checks per byte; issue 15 §4).
    const blocks = len - (len % 16);
    let i = 0;
    for (; i < blocks; i += 16) {
      dv.setUint32(d + i, sv.getUint32(s + i, true), true);
      dv.setUint32(d + i + 4, sv.getUint32(s + i + 4, true), true);
      dv.setUint32(d + i + 8, sv.getUint32(s + i + 8, true), true);
      dv.setUint32(d + i + 12, sv.getUint32(s + i + 12, true), true);
    }
    const words = len - (len % 4);
    for (; i < words; i += 4) dv.setUint32(d + i, sv.getUint32(s + i, true), true);
    const dest = this.#dest;
    for (; i < len; i++) dest[destOffset + i] = src[start + i];
  }
}
