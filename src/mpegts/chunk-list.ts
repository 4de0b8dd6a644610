/**
 * A PES payload as an ordered list of byte ranges in the caller's buffers, so that the packetizer
 * copies each byte exactly once, from the encoder's ring straight into the pool.
 *
 * A frame pack item wrapped in the encoder's ring is two ranges; an access unit with an inserted AUD
 * and re-inserted SPS/PPS is a few more. The arrays are allocated once and doubled when a frame has
 * more ranges than ever before, so steady-state use allocates nothing.
 */
import type { ByteCopier } from '../pool/byte-copier.js';

/** Initial capacity in ranges: enough for AUD + SPS + PPS + SEI + a sliced frame in two parts. */
const INITIAL_CAPACITY = 32;

/** An ordered list of `[start, end)` ranges of Uint8Arrays: one PES payload, not copied. */
export class ChunkList {
  #sources: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(INITIAL_CAPACITY).fill(undefined);
  // Plain arrays of small integers (V8 "SMI elements"): reading one gives an unboxed integer that
  // can be passed on without allocating, unlike a Float64Array element (a boxed heap number once it
  // crosses a call boundary: measured at ~500 bytes of garbage per frame).
  readonly #starts: number[] = new Array<number>(INITIAL_CAPACITY).fill(0);
  readonly #ends: number[] = new Array<number>(INITIAL_CAPACITY).fill(0);
  #count = 0;
  #byteLength = 0;

  /** Number of ranges added since the last {@link ChunkList.clear}. */
  get count(): number {
    return this.#count;
  }

  /** Total bytes of all ranges. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Forgets all ranges (and drops the references to their buffers, so none is kept alive). */
  clear(): void {
    const sources = this.#sources;
    for (let i = 0; i < this.#count; i++) sources[i] = undefined;
    this.#count = 0;
    this.#byteLength = 0;
  }

  /**
   * Appends `src[start, end)`. Empty ranges are ignored. The bytes are not copied: `src` must keep
   * them until the payload has been written.
   *
   * @param src - the buffer holding the bytes
   * @param start - offset of the first byte
   * @param end - offset just past the last byte
   * @throws RangeError when the range is not inside `src` (integers, 0 ≤ start ≤ end ≤ src.length)
   */
  add(src: Uint8Array, start: number, end: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > src.length || end > 0x7fffffff) {
      throw new RangeError(`ChunkList.add: range [${start}, ${end}) is not inside a ${src.length}-byte buffer`);
    }
    if (end === start) return;
    if (this.#count === this.#starts.length) {
      // Grows rarely: only when a frame has more ranges than any before it.
      this.#sources.push(undefined);
      this.#starts.push(0);
      this.#ends.push(0);
    }
    const i = this.#count++;
    this.#sources[i] = src;
    this.#starts[i] = start;
    this.#ends[i] = end;
    this.#byteLength += end - start;
  }

  /**
   * The buffer of range `i`.
   * @param i - 0 ≤ i < count (not checked: hot path)
   * @returns the buffer
   */
  source(i: number): Uint8Array {
    return this.#sources[i] as Uint8Array;
  }

  /**
   * The start offset of range `i`.
   * @param i - 0 ≤ i < count (not checked: hot path)
   * @returns the offset of its first byte in {@link ChunkList.source}(i)
   */
  start(i: number): number {
    return this.#starts[i];
  }

  /**
   * The end offset of range `i`.
   * @param i - 0 ≤ i < count (not checked: hot path)
   * @returns the offset just past its last byte
   */
  end(i: number): number {
    return this.#ends[i];
  }
}

/**
 * Sets `out` to bytes `[from, to)` of `src` (ranges over the same buffers, nothing copied): a run
 * of ADTS frames out of a pack, for instance.
 * @param src - the whole payload
 * @param from - first byte, 0 ≤ from ≤ to ≤ src.byteLength
 * @param to - one past the last byte
 * @param out - cleared, then filled
 */
export function sliceChunks(src: ChunkList, from: number, to: number, out: ChunkList): void {
  out.clear();
  let at = 0; // payload offset of range i's first byte
  for (let i = 0; i < src.count && at < to; i++) {
    const start = src.start(i);
    const len = src.end(i) - start;
    const a = Math.max(from, at);
    const b = Math.min(to, at + len);
    if (b > a) out.add(src.source(i), start + (a - at), start + (b - at));
    at += len;
  }
}

/**
 * Copies bytes `[from, to)` of `src` to offset `at` of the copier's destination (a frame held back
 * for a later segment). Through {@link ByteCopier}, not `set(subarray())`: a view per range would be
 * an allocation per held frame.
 * @returns the number of bytes copied
 */
export function copyChunks(src: ChunkList, from: number, to: number, dest: ByteCopier, at: number): number {
  let pos = 0;
  let out = at;
  for (let i = 0; i < src.count && pos < to; i++) {
    const start = src.start(i);
    const len = src.end(i) - start;
    const a = Math.max(from, pos);
    const b = Math.min(to, pos + len);
    if (b > a) {
      dest.copy(src.source(i), start + (a - pos), start + (b - pos), out);
      out += b - a;
    }
    pos += len;
  }
  return out - at;
}
