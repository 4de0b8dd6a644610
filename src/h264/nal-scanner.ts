/**
 * Finds the Annex B NAL units of one item: `part1 ++ part2`, a virtual concatenation where `part2`
 * is what wrapped around the end of the encoder's ring buffer. The split may fall anywhere (inside
 * a start code, inside the NAL header, inside the payload); offsets handed out are *virtual*
 * (0 .. part1.length + part2.length), so the muxer can copy payload ranges straight into the pool.
 *
 * Byte stream format (ITU-T H.264 Annex B, §B.1/§B.2): each NAL unit is preceded by the
 * start_code_prefix_one_3bytes `00 00 01`, optionally by a zero_byte before it (the 4-byte start
 * code `00 00 00 01`), and may be followed by trailing_zero_8bits. A NAL unit never ends in a 0x00
 * byte (§7.4.1: an RBSP ending in cabac_zero_word gets a final 0x03), so stripping the zeros before
 * the next prefix loses nothing.
 *
 * Speed: the start-code search is the per-byte cost of the whole SDK. It runs natively through
 * `Buffer.prototype.indexOf` *called on the caller's Uint8Array itself* with a 3-byte needle: Node
 * accepts any ArrayBufferView there and searches exactly the view's bytes, so no Buffer view is
 * created or cached and nothing is allocated. Measured on this project's 2-core VM (Node 20.20),
 * counting start codes in `1080p.h264` (6.46 MB, 5 Mbit/s) held in a 16 MiB ring, median of 7
 * (a second run under a load average of 9 gave 6300 / 5350 / 3200 / 1800 / 100, same order):
 *
 * | search                                                        | MB/s  |
 * |---------------------------------------------------------------|-------|
 * | `Buffer.prototype.indexOf.call(u8, [0,0,1], from)` (chosen)    | ~6800 |
 * | `Buffer.prototype.indexOf.call(u8, 1, from)` (memchr) + look back | ~7000 |
 * | plain JS loop, skipping 3 bytes when `b > 1`                  | ~3800 |
 * | `Uint8Array.prototype.indexOf(1, from)` + look back            | ~2200 |
 * | Buffer view over the whole ring ArrayBuffer, cached, clamped (ring zeroed past the data) | ~126 |
 *
 * The memchr variant is as fast on this stream but makes one native call per 0x01 byte (about one
 * in 256 of entropy-coded data, more in CAVLC/low-entropy streams); the needle variant makes one
 * call per real start code. A cached Buffer view of the ring's whole ArrayBuffer cannot be bounded:
 * the last search of every item runs on past the item through the rest of the ring (a zeroed ring
 * is the worst case: every byte matches the needle's first byte), hence ~126 MB/s.
 * The whole scanner (including the boundary and bookkeeping) is measured in
 * test/h264/nal-scanner.test.ts, which prints its throughput on the 1080p fixture.
 */
import { Buffer } from 'node:buffer';

/** start_code_prefix_one_3bytes (H.264 §B.1.1). */
const START_CODE_PREFIX = new Uint8Array([0, 0, 1]);

/**
 * Node's native byte search. Typed as a free function: it is applied to plain Uint8Arrays (Node
 * only requires an ArrayBufferView as `this`), which is what keeps the scan allocation-free.
 */
const nativeIndexOf = (Buffer.prototype as { indexOf: (this: Uint8Array, value: Uint8Array, byteOffset: number) => number }).indexOf;

/** Largest virtual length: offsets are kept in Int32Arrays. */
const MAX_ITEM_BYTES = 0x7fffffff;

/** Default number of NAL units the scanner holds before it grows. */
const DEFAULT_CAPACITY = 64;

/**
 * Returns the byte at virtual offset `i` of `part1 ++ part2`.
 *
 * @param part1 - the first part of the item
 * @param part2 - the part that wrapped around the ring, if any
 * @param i - virtual offset, 0 ≤ i < part1.length + part2.length
 * @returns the byte (0-255)
 * @throws RangeError when `i` is outside the item
 */
export function byteAt(part1: Uint8Array, part2: Uint8Array | undefined, i: number): number {
  const len1 = part1.length;
  if (i >= 0 && i < len1) return part1[i];
  const j = i - len1;
  if (part2 !== undefined && j >= 0 && j < part2.length) return part2[j];
  throw new RangeError(`byteAt: offset ${i} is outside the item (length ${len1 + (part2?.length ?? 0)})`);
}

/**
 * Copies the virtual range `[start, end)` of `part1 ++ part2` into `dest` at `destOffset`. Meant for
 * small headers that may straddle the split (SPS, PPS, ADTS headers); not the hot path (it may
 * create subarray views).
 *
 * @param part1 - the first part of the item
 * @param part2 - the part that wrapped around the ring, if any
 * @param start - first virtual offset to copy
 * @param end - virtual offset after the last byte to copy
 * @param dest - destination buffer
 * @param destOffset - where in `dest` the first byte goes
 * @returns the number of bytes copied, `end - start`
 * @throws RangeError when the range is not inside the item or does not fit in `dest`
 */
export function copyVirtual(part1: Uint8Array, part2: Uint8Array | undefined, start: number, end: number, dest: Uint8Array, destOffset: number): number {
  const len1 = part1.length;
  const total = len1 + (part2?.length ?? 0);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > total) {
    throw new RangeError(`copyVirtual: range [${start}, ${end}) is not inside the item (length ${total})`);
  }
  const n = end - start;
  if (!Number.isInteger(destOffset) || destOffset < 0 || destOffset + n > dest.length) {
    throw new RangeError(`copyVirtual: destOffset ${destOffset} + ${n} bytes does not fit in dest (length ${dest.length})`);
  }
  if (start < len1) {
    const stop = end < len1 ? end : len1;
    dest.set(part1.subarray(start, stop), destOffset);
  }
  if (end > len1 && part2 !== undefined) {
    const from = start > len1 ? start - len1 : 0;
    dest.set(part2.subarray(from, end - len1), destOffset + (from + len1 - start));
  }
  return n;
}

/**
 * Finds the NAL units of an item and keeps, per unit, its virtual start and end and its header
 * byte. One scanner is reused item after item: storage is preallocated and only grows (by
 * doubling) when an item has more units than ever before, so a steady-state `scan` allocates
 * nothing.
 *
 * Units whose forbidden_zero_bit is set, and empty units (a start code followed by nothing but
 * zeros or the next start code), are left out of {@link NalScanner.count} and counted in
 * {@link NalScanner.badUnits}; bytes before the first start code are counted in
 * {@link NalScanner.leadingBytes}. The caller reports both (`BAD_NAL_UNIT`, `NO_START_CODE`).
 *
 * @example
 * ```ts
 * const scanner = new NalScanner(); // once per stream
 * const n = scanner.scan(item.part1, item.part2);
 * if (scanner.leadingBytes > 0 || scanner.badUnits > 0) report(ErrorCode.BadNalUnit);
 * for (let i = 0; i < n; i++) {
 *   if (scanner.type(i) === NalType.Sps) {
 *     const len = copyVirtual(item.part1, item.part2, scanner.start(i), scanner.end(i), spsBuf, 0);
 *   }
 * }
 * ```
 */
export class NalScanner {
  #starts: Int32Array;
  #ends: Int32Array;
  #headers: Uint8Array;
  #count = 0;
  #badUnits = 0;
  #leadingBytes = 0;
  // State of the scan in progress; the parts are dropped when it ends so the scanner does not keep
  // the caller's ring alive.
  #part1: Uint8Array = START_CODE_PREFIX;
  #part2: Uint8Array | undefined;
  #len1 = 0;
  #prevPrefix = -1;

  /**
   * @param initialCapacity - number of NAL units held before the storage grows (by doubling).
   * @defaultValue 64
   * @throws TypeError when `initialCapacity` is not an integer; RangeError when it is < 1 or > 2^24
   */
  constructor(initialCapacity: number = DEFAULT_CAPACITY) {
    if (typeof initialCapacity !== 'number' || !Number.isInteger(initialCapacity)) {
      throw new TypeError(`NalScanner: initialCapacity must be an integer, got ${String(initialCapacity)}`);
    }
    if (initialCapacity < 1 || initialCapacity > 1 << 24) {
      throw new RangeError(`NalScanner: initialCapacity must be in [1, 16777216], got ${initialCapacity}`);
    }
    this.#starts = new Int32Array(initialCapacity);
    this.#ends = new Int32Array(initialCapacity);
    this.#headers = new Uint8Array(initialCapacity);
  }

  /** Number of NAL units found by the last {@link NalScanner.scan} (bad units excluded). */
  get count(): number {
    return this.#count;
  }

  /**
   * Bytes before the first start code of the last item (its zero_byte and leading_zero_8bits not
   * counted): 0 when the item starts with a start code, the whole length when it has none.
   * Non-zero means garbage the caller reports.
   */
  get leadingBytes(): number {
    return this.#leadingBytes;
  }

  /** Units of the last item that were empty or had forbidden_zero_bit set; not in {@link NalScanner.count}. */
  get badUnits(): number {
    return this.#badUnits;
  }

  /** Current storage capacity in units (grows by doubling; exposed so tests can see it stays put). */
  get capacity(): number {
    return this.#starts.length;
  }

  /**
   * Scans `part1 ++ part2` for Annex B NAL units (3- or 4-byte start codes).
   *
   * @param part1 - the item, or its bytes up to the end of the encoder's ring
   * @param part2 - the bytes that wrapped to the start of the ring; absent or empty when none.
   *   (A zero-length `part1` with a non-empty `part2` is the caller's error to report; it is scanned
   *   as if `part2` were the whole item.)
   * @returns the number of units found, also in {@link NalScanner.count}
   * @throws TypeError when a part is not a Uint8Array; RangeError when the item exceeds 2^31-1 bytes
   */
  scan(part1: Uint8Array, part2?: Uint8Array): number {
    if (!(part1 instanceof Uint8Array)) throw new TypeError(`NalScanner.scan: part1 must be a Uint8Array, got ${typeof part1}`);
    if (part2 !== undefined && !(part2 instanceof Uint8Array)) throw new TypeError(`NalScanner.scan: part2 must be a Uint8Array or undefined, got ${typeof part2}`);
    const len1 = part1.length;
    const len2 = part2 === undefined ? 0 : part2.length;
    const total = len1 + len2;
    if (total > MAX_ITEM_BYTES) throw new RangeError(`NalScanner.scan: item of ${total} bytes exceeds ${MAX_ITEM_BYTES}`);

    this.#count = 0;
    this.#badUnits = 0;
    this.#leadingBytes = 0;
    this.#part1 = part1;
    this.#part2 = len2 > 0 ? part2 : undefined;
    this.#len1 = len1;
    this.#prevPrefix = -1;

    // 1. Prefixes wholly inside part1. `00 00 01` cannot overlap itself, so every occurrence is a
    //    start code and resuming at p + 3 skips none.
    for (let from = 0; ;) {
      const p = nativeIndexOf.call(part1, START_CODE_PREFIX, from);
      if (p < 0) break;
      this.#onPrefix(p);
      from = p + 3;
    }
    if (len2 > 0) {
      const p2 = part2 as Uint8Array;
      // 2. Prefixes straddling the split: they start in the last two bytes of part1. Byte by byte,
      //    through the virtual view (part2 may be a single byte).
      for (let p = len1 >= 2 ? len1 - 2 : 0; p < len1; p++) {
        if (p + 2 < total && this.#byte(p) === 0 && this.#byte(p + 1) === 0 && this.#byte(p + 2) === 1) this.#onPrefix(p);
      }
      // 3. Prefixes wholly inside part2.
      for (let from = 0; ;) {
        const p = nativeIndexOf.call(p2, START_CODE_PREFIX, from);
        if (p < 0) break;
        this.#onPrefix(len1 + p);
        from = p + 3;
      }
    }

    if (this.#prevPrefix < 0) {
      // No start code at all: the whole item is garbage for the caller to report.
      this.#leadingBytes = total;
    } else {
      const start = this.#prevPrefix + 3;
      this.#closeUnit(start, this.#trimZeros(total, start));
    }
    this.#part1 = START_CODE_PREFIX;
    this.#part2 = undefined;
    return this.#count;
  }

  /**
   * Virtual offset of unit `i`'s NAL header byte (the first byte after its start code).
   *
   * @param i - unit index, 0 ≤ i < count
   * @returns the offset in `part1 ++ part2`
   * @throws RangeError when `i` is not a unit index of the last scan
   */
  start(i: number): number {
    this.#check(i);
    return this.#starts[i];
  }

  /**
   * Virtual end (exclusive) of unit `i`: trailing_zero_8bits and the zero_byte of a following
   * 4-byte start code are not part of it.
   *
   * @param i - unit index, 0 ≤ i < count
   * @returns the offset after the unit's last byte
   * @throws RangeError when `i` is not a unit index of the last scan
   */
  end(i: number): number {
    this.#check(i);
    return this.#ends[i];
  }

  /**
   * nal_unit_type of unit `i` (low 5 bits of its header byte, H.264 §7.3.1; see `NalType`).
   *
   * @param i - unit index, 0 ≤ i < count
   * @returns 0-31
   * @throws RangeError when `i` is not a unit index of the last scan
   */
  type(i: number): number {
    this.#check(i);
    return this.#headers[i] & 0x1f;
  }

  /**
   * nal_ref_idc of unit `i` (bits 5-6 of its header byte, H.264 §7.4.1): 0 means no other picture
   * references this one.
   *
   * @param i - unit index, 0 ≤ i < count
   * @returns 0-3
   * @throws RangeError when `i` is not a unit index of the last scan
   */
  refIdc(i: number): number {
    this.#check(i);
    return (this.#headers[i] >> 5) & 0x03;
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.#count) {
      throw new RangeError(`NalScanner: unit index ${i} is not in [0, ${this.#count})`);
    }
  }

  #byte(i: number): number {
    return i < this.#len1 ? this.#part1[i] : (this.#part2 as Uint8Array)[i - this.#len1];
  }

  /** Moves `end` back over zero bytes, not below `floor`. */
  #trimZeros(end: number, floor: number): number {
    while (end > floor && this.#byte(end - 1) === 0) end--;
    return end;
  }

  /** A start code prefix at virtual offset `p`: it ends the previous unit (or the leading bytes). */
  #onPrefix(p: number): void {
    const prev = this.#prevPrefix;
    if (prev < 0) {
      // leading_zero_8bits and the zero_byte belong to the byte stream, not to the garbage.
      this.#leadingBytes = this.#trimZeros(p, 0);
    } else {
      this.#closeUnit(prev + 3, this.#trimZeros(p, prev + 3));
    }
    this.#prevPrefix = p;
  }

  #closeUnit(start: number, end: number): void {
    if (end <= start) {
      this.#badUnits++;
      return;
    }
    const header = this.#byte(start);
    // forbidden_zero_bit (H.264 §7.4.1) must be 0: anything else is not H.264.
    if (header & 0x80) {
      this.#badUnits++;
      return;
    }
    const n = this.#count;
    if (n === this.#starts.length) this.#grow();
    this.#starts[n] = start;
    this.#ends[n] = end;
    this.#headers[n] = header;
    this.#count = n + 1;
  }

  #grow(): void {
    const cap = this.#starts.length * 2;
    const starts = new Int32Array(cap);
    const ends = new Int32Array(cap);
    const headers = new Uint8Array(cap);
    starts.set(this.#starts);
    ends.set(this.#ends);
    headers.set(this.#headers);
    this.#starts = starts;
    this.#ends = ends;
    this.#headers = headers;
  }
}
