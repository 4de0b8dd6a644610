/**
 * Bit reader over the RBSP of one H.264 NAL unit: fixed-width `u(n)`, exp-Golomb `ue(v)`/`se(v)`
 * (H.264 §9.1), skipping emulation_prevention_three_byte on the fly (§7.3.1, §7.4.1) so nothing is
 * copied or allocated while reading.
 */
import { ErrorCode, S3HlsError } from '../errors.js';

/** Longest exp-Golomb prefix we accept: ue(v) values in H.264 syntax fit in 32 bits (§9.1). */
const MAX_EXP_GOLOMB_LEADING_ZEROS = 31;

/**
 * Reads bits MSB-first from `nal[start, end)`, removing every 0x03 that follows two zero bytes
 * (emulation prevention, §7.4.1). Reading past `end` throws.
 *
 * @example
 * ```ts
 * const r = new RbspReader(spsNal, 1); // skip the one-byte NAL header
 * const profileIdc = r.u(8);
 * ```
 */
export class RbspReader {
  private readonly nal: Uint8Array;
  private readonly end: number;
  /** Index of the next byte to load into `cur`. */
  private pos: number;
  /** The byte being consumed. */
  private cur = 0;
  /** Bits of `cur` not yet consumed (0 → load the next byte first). */
  private curBits = 0;
  /** Zero bytes immediately before `pos` (in the escaped stream), to spot emulation prevention. */
  private zeros = 0;
  /** Escaped-stream bit index of the rbsp_stop_one_bit, computed on first use (-1 = not yet, -2 = none). */
  private stopBitIndex = -1;

  /**
   * @param nal - the NAL unit bytes (emulation prevention still in)
   * @param start - first byte to read; pass 1 to skip the one-byte NAL header
   * @param end - one past the last byte to read
   * @defaultValue start = 0, end = nal.length
   * @throws RangeError when start/end are outside `nal` or out of order
   */
  constructor(nal: Uint8Array, start = 0, end = nal.length) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > nal.length || start > end) {
      throw new RangeError(`RbspReader: start ${start} / end ${end} outside 0..${nal.length}`);
    }
    this.nal = nal;
    this.pos = start;
    this.end = end;
  }

  /** Bits not yet read, counting any emulation prevention bytes still ahead as data (an upper bound). */
  get bitsLeft(): number {
    return (this.end - this.pos) * 8 + this.curBits;
  }

  /**
   * Reads `bits` bits as an unsigned integer, MSB first.
   *
   * @param bits - 0..32
   * @returns the value, 0..2^bits-1 (arithmetic, so 32-bit values stay positive)
   * @throws RangeError when `bits` is outside 0..32
   * @throws S3HlsError BadNalUnit when the NAL unit ends first
   */
  u(bits: number): number {
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new RangeError(`RbspReader.u: bits ${bits} outside 0..32`);
    let value = 0;
    let need = bits;
    while (need > 0) {
      if (this.curBits === 0) this.loadByte();
      const take = need < this.curBits ? need : this.curBits;
      const shift = this.curBits - take;
      // take ≤ 8 bits of one byte: bit operators are safe here; the accumulator uses arithmetic
      // because a 32-bit field would go negative with `<<`.
      const chunk = (this.cur >> shift) & ((1 << take) - 1);
      value = value * (1 << take) + chunk;
      this.curBits -= take;
      need -= take;
    }
    return value;
  }

  /**
   * Reads one bit.
   *
   * @returns 0 or 1
   * @throws S3HlsError BadNalUnit when the NAL unit ends first
   */
  u1(): number {
    return this.u(1);
  }

  /**
   * Reads an unsigned exp-Golomb code ue(v) (§9.1).
   *
   * @returns 0..2^32-2
   * @throws S3HlsError BadNalUnit on a prefix longer than 31 zeros or when the NAL unit ends first
   */
  ue(): number {
    let leadingZeros = 0;
    while (this.u(1) === 0) {
      leadingZeros++;
      if (leadingZeros > MAX_EXP_GOLOMB_LEADING_ZEROS) {
        throw new S3HlsError(ErrorCode.BadNalUnit, `exp-Golomb code with more than ${MAX_EXP_GOLOMB_LEADING_ZEROS} leading zero bits`);
      }
    }
    return 2 ** leadingZeros - 1 + this.u(leadingZeros);
  }

  /**
   * Reads a signed exp-Golomb code se(v) (§9.1.1: 1 → 1, 2 → -1, 3 → 2, ...).
   *
   * @returns the signed value
   * @throws S3HlsError BadNalUnit as {@link RbspReader.ue}
   */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /**
   * Skips `bits` bits.
   *
   * @param bits - non-negative integer
   * @throws RangeError when `bits` is negative or not an integer
   * @throws S3HlsError BadNalUnit when the NAL unit ends first
   */
  skip(bits: number): void {
    if (!Number.isInteger(bits) || bits < 0) throw new RangeError(`RbspReader.skip: bits ${bits} is not a non-negative integer`);
    let left = bits;
    while (left > 32) {
      this.u(32);
      left -= 32;
    }
    this.u(left);
  }

  /**
   * more_rbsp_data() (§7.2): true while data remains before the rbsp_stop_one_bit (the last 1 bit
   * of the NAL unit, ignoring trailing zero bytes such as cabac_zero_words).
   *
   * @returns whether syntax elements remain
   */
  moreRbspData(): boolean {
    if (this.stopBitIndex === -1) this.stopBitIndex = this.findStopBit();
    if (this.stopBitIndex < 0) return false;
    return this.escapedBitIndex() < this.stopBitIndex;
  }

  /** Bit position in the escaped byte range, counting from the range's first byte. */
  private escapedBitIndex(): number {
    return this.pos * 8 - this.curBits;
  }

  /** Escaped-stream bit index (absolute, in `nal`) of the rbsp_stop_one_bit, or -2 when the range is all zeros. */
  private findStopBit(): number {
    let i = this.end - 1;
    while (i >= 0 && i >= this.pos - 1 && this.nal[i] === 0) i--;
    if (i < 0 || i < this.pos - 1) return -2;
    // A final 0x03 after two zeros is emulation prevention protecting trailing cabac_zero_words
    // (§7.4.1), not data: the stop bit lies before it.
    while (this.nal[i] === 0x03 && i >= 2 && this.nal[i - 1] === 0 && this.nal[i - 2] === 0) {
      i -= 3;
      while (i >= 0 && this.nal[i] === 0) i--;
      if (i < 0) return -2;
    }
    const byte = this.nal[i];
    let lowestSetBit = 0;
    while (((byte >> lowestSetBit) & 1) === 0) lowestSetBit++;
    return i * 8 + (7 - lowestSetBit);
  }

  /** Loads the next RBSP byte into `cur`, dropping an emulation_prevention_three_byte first. */
  private loadByte(): void {
    if (this.pos >= this.end) {
      throw new S3HlsError(ErrorCode.BadNalUnit, 'NAL unit ended in the middle of a syntax element');
    }
    let b = this.nal[this.pos++];
    if (this.zeros >= 2 && b === 0x03) {
      // emulation_prevention_three_byte (§7.4.1): discarded; the run of zeros restarts after it.
      this.zeros = 0;
      if (this.pos >= this.end) {
        throw new S3HlsError(ErrorCode.BadNalUnit, 'NAL unit ended in the middle of a syntax element');
      }
      b = this.nal[this.pos++];
    }
    this.zeros = b === 0 ? this.zeros + 1 : 0;
    this.cur = b;
    this.curBits = 8;
  }
}
