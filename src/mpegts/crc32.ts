/**
 * CRC-32/MPEG-2, the CRC_32 field that ends every PSI section (ISO/IEC 13818-1 Annex A, §2.4.4.10).
 *
 * Polynomial 0x04C11DB7, initial value 0xFFFFFFFF, bits processed most significant first, no final
 * XOR, no reflection. The spec defines it so that running the decoder over a whole section, CRC
 * included, leaves zero in the register; the encoder writes the register after the other bytes.
 * Check value: CRC-32/MPEG-2("123456789") = 0x0376E6E7.
 *
 * Bit operators are safe here: the register is a 32-bit quantity by definition, never a timestamp.
 */

/** One 32-bit table entry per leading byte: the classic MSB-first table-driven form. */
const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * Computes CRC-32/MPEG-2 of `bytes[start, end)`.
 *
 * @param bytes - the buffer holding the section
 * @param start - offset of the first byte covered (a section's table_id)
 * @param end - offset just past the last byte covered (where CRC_32 will be written)
 * @returns the CRC as an unsigned 32-bit integer (0..0xFFFFFFFF)
 * @throws RangeError when `start`/`end` are not integers with 0 ≤ start ≤ end ≤ bytes.length
 * @example
 * ```ts
 * crc32Mpeg2(new TextEncoder().encode('123456789'), 0, 9); // 0x0376e6e7
 * ```
 */
export function crc32Mpeg2(bytes: Uint8Array, start: number, end: number): number {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > bytes.length) {
    throw new RangeError(`crc32Mpeg2: range [${start}, ${end}) is not inside a ${bytes.length}-byte buffer`);
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ bytes[i]) & 0xff];
  return crc >>> 0;
}
