/**
 * Bit-level helpers of the independent TS checker (ts-checker.ts): the CRC computed from the
 * Annex A shift register, PTS/DTS fields read with their marker bits, and small byte utilities.
 * Like the checker, nothing here comes from src/mpegts.
 */

/** Bytes per transport packet (§2.4.3.2). */
export const PACKET = 188;

/**
 * CRC-32/MPEG-2 computed one bit at a time, straight from the Annex A shift-register description
 * (polynomial x^32+x^26+x^23+x^22+x^16+x^12+x^11+x^10+x^8+x^7+x^5+x^4+x^2+x+1, register preset to all
 * ones, MSB first, no final inversion).
 *
 * @param bytes - the data
 * @param start - first byte
 * @param end - one past the last byte
 * @returns the register, unsigned
 */
export function crc32Mpeg2Bitwise(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const inBit = (bytes[i] >> bit) & 1;
      const top = crc >>> 31;
      crc = (crc << 1) >>> 0;
      if ((top ^ inBit) === 1) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc >>> 0;
}

/** stream_ids whose PES packets have no optional header (§2.4.3.6, Table 2-21). */
export function hasOptionalHeader(streamId: number): boolean {
  return ![0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xff, 0xf2, 0xf8].includes(streamId);
}

/** A number as hex, for messages. */
export const hex = (n: number): string => `0x${n.toString(16)}`;

/** Reads a 5-byte PTS/DTS field, checking its 4-bit prefix and three marker bits (§2.4.3.7). */
export function readTimestamp(h: number[], p: number, prefix: number, report: (msg: string) => void): number {
  if (h[p] >> 4 !== prefix) report(`prefix is ${(h[p] >> 4).toString(2).padStart(4, '0')}, expected ${prefix.toString(2).padStart(4, '0')}`);
  if ((h[p] & 1) !== 1 || (h[p + 2] & 1) !== 1 || (h[p + 4] & 1) !== 1) report(`marker_bit is 0`);
  // 33 bits: assembled with multiplication, since JavaScript bit operators stop at 32 bits.
  return ((h[p] >> 1) & 0x07) * 2 ** 30 + h[p + 1] * 2 ** 22 + (h[p + 2] >> 1) * 2 ** 15 + h[p + 3] * 2 ** 7 + (h[p + 4] >> 1);
}

/** Whether the 188-byte packets at `a` and `b` are identical (a duplicate packet, §2.4.3.3). */
export function sameBytes(data: Uint8Array, a: number, b: number): boolean {
  for (let k = 0; k < PACKET; k++) if (data[a + k] !== data[b + k]) return false;
  return true;
}

/** The parts of a segment as one array (the checker walks one buffer). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
