/**
 * The 33-bit 90 kHz timestamp fields: PTS/DTS in a PES header (ISO/IEC 13818-1 §2.4.3.7) and the
 * program_clock_reference in an adaptation field (§2.4.3.4, §2.4.2.2).
 *
 * Values of 2^31 and more are normal (a 90 kHz clock passes 2^31 after 6.6 hours, 2^32 after 13.3
 * hours), and JavaScript's `<<`, `>>` and `>>>` work on 32 bits: `pts >>> 30` silently drops bit 32.
 * So every split of a timestamp here uses division and remainder; only the small pieces (< 2^16)
 * are combined with bit operators.
 */

import { PCR_EXTENSION_MODULUS, TIMESTAMP_MODULUS } from './constants.js';

const TWO_15 = 2 ** 15;
const TWO_30 = 2 ** 30;

/**
 * Reduces a 90 kHz tick count modulo 2^33 (the wrap of PTS/DTS/PCR base), with arithmetic.
 *
 * @param ticks - a tick count; any safe integer, negative values wrap from the top
 * @returns `ticks mod 2^33`, in 0..2^33-1
 * @throws RangeError when `ticks` is not a safe integer
 */
export function wrapTicks(ticks: number): number {
  if (!Number.isSafeInteger(ticks)) throw new RangeError(`timestamp must be a safe integer of 90 kHz ticks, got ${ticks}`);
  const r = ticks % TIMESTAMP_MODULUS;
  return r < 0 ? r + TIMESTAMP_MODULUS : r;
}

/**
 * Writes a 5-byte PTS or DTS field (§2.4.3.7, Table 2-21):
 * `prefix(4) TS[32..30](3) marker(1) | TS[29..15](15) marker(1) | TS[14..0](15) marker(1)`.
 *
 * @param dest - the buffer to write into
 * @param offset - where the 5 bytes go
 * @param prefix4 - the 4-bit prefix: `0b0010` PTS alone, `0b0011` PTS followed by DTS, `0b0001` DTS
 * @param ticks - the timestamp in 90 kHz ticks; reduced modulo 2^33 (2^33 is written as 0)
 * @throws RangeError when `ticks` is not a safe integer
 */
export function writeTimestamp(dest: Uint8Array, offset: number, prefix4: number, ticks: number): void {
  const t = wrapTicks(ticks);
  const high3 = Math.floor(t / TWO_30); // TS[32..30], 0..7
  const mid15 = Math.floor(t / TWO_15) % TWO_15; // TS[29..15]
  const low15 = t % TWO_15; // TS[14..0]
  dest[offset] = ((prefix4 & 0x0f) << 4) | (high3 << 1) | 1;
  dest[offset + 1] = mid15 >> 7;
  dest[offset + 2] = ((mid15 & 0x7f) << 1) | 1;
  dest[offset + 3] = low15 >> 7;
  dest[offset + 4] = ((low15 & 0x7f) << 1) | 1;
}

/**
 * Writes the 6-byte program_clock_reference field of an adaptation field (§2.4.3.4, Table 2-6):
 * `program_clock_reference_base(33) reserved(6) = 111111 program_clock_reference_extension(9)`.
 * PCR = base × 300 + extension in 27 MHz units (§2.4.2.2).
 *
 * @param dest - the buffer to write into
 * @param offset - where the 6 bytes go
 * @param base90k - the PCR base in 90 kHz ticks; reduced modulo 2^33
 * @param extension - the 27 MHz remainder, 0..299 (s3hls writes 0: its clock is the 90 kHz PTS)
 * @throws RangeError when `base90k` is not a safe integer or `extension` is not an integer in 0..299
 */
export function writePcr(dest: Uint8Array, offset: number, base90k: number, extension: number): void {
  if (!Number.isInteger(extension) || extension < 0 || extension >= PCR_EXTENSION_MODULUS) {
    throw new RangeError(`writePcr: extension must be an integer in 0..299, got ${extension}`);
  }
  writePcrBits(dest, offset, wrapTicks(base90k), extension);
}

/**
 * Writes the PCR field of `holder.pcr90k` with extension 0. The packetizer's path: the value is read
 * from the object here instead of being passed as an argument, because a value of 2^31 or more is a
 * heap number in V8 and passing it to a function that is not inlined allocates a box per call.
 *
 * @param dest - the buffer to write into
 * @param offset - where the 6 bytes go
 * @param holder - an object whose `pcr90k` is the PCR base in 90 kHz ticks (a safe integer ≥ 0)
 */
export function writePcrOf(dest: Uint8Array, offset: number, holder: { readonly pcr90k: number }): void {
  const r = holder.pcr90k % TIMESTAMP_MODULUS;
  writePcrBits(dest, offset, r < 0 ? r + TIMESTAMP_MODULUS : r, 0);
}

/** The byte layout of Table 2-6's PCR, for a base already in 0..2^33-1. */
function writePcrBits(dest: Uint8Array, offset: number, b: number, extension: number): void {
  dest[offset] = Math.floor(b / 2 ** 25); // base[32..25]
  dest[offset + 1] = Math.floor(b / 2 ** 17) % 256; // base[24..17]
  dest[offset + 2] = Math.floor(b / 2 ** 9) % 256; // base[16..9]
  dest[offset + 3] = Math.floor(b / 2) % 256; // base[8..1]
  dest[offset + 4] = ((b % 2) << 7) | 0x7e | (extension >> 8); // base[0], reserved 111111, ext[8]
  dest[offset + 5] = extension & 0xff; // ext[7..0]
}
