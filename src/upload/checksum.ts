/**
 * Integrity checksums S3 verifies on PutObject (`x-amz-checksum-crc32` / `x-amz-checksum-sha256`),
 * computed over a segment's parts in place (no concatenation).
 *
 * CRC32 here is the IEEE 802.3 CRC-32 (reflected, polynomial 0xEDB88320) that S3 uses — not the
 * CRC-32/MPEG-2 of the PSI tables (ISO/IEC 13818-1 Annex A), which is unreflected.
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';

/** Checksum algorithms the uploader can send. `none` sends no checksum header. */
export type UploadChecksum = 'CRC32' | 'SHA256' | 'none';

type Crc32Fn = (data: Uint8Array, value?: number) => number;

// zlib.crc32 exists from Node 20.15 / 22.2; the table fallback keeps older Node 20 working.
const nativeCrc32 = (zlib as unknown as { crc32?: Crc32Fn }).crc32;

let table: Uint32Array | undefined;
function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * Table-driven CRC-32 (IEEE), continuing from `value`.
 * @param data - bytes
 * @param value - the CRC of the bytes before `data` (0 to start)
 * @returns the CRC as an unsigned 32-bit integer
 */
export function crc32Table(data: Uint8Array, value = 0): number {
  const t = crcTable();
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 (IEEE) of the concatenation of `parts`, without concatenating them.
 * @param parts - the byte ranges, in order
 * @returns the CRC as an unsigned 32-bit integer (`"123456789"` gives 0xCBF43926)
 */
export function crc32Parts(parts: readonly Uint8Array[]): number {
  let value = 0;
  for (const p of parts) value = nativeCrc32 ? nativeCrc32(p, value) : crc32Table(p, value);
  return value >>> 0;
}

/**
 * The header value S3 expects for a checksum over `parts`: the big-endian digest in base64.
 * @param algorithm - `CRC32` or `SHA256`
 * @param parts - the byte ranges, in order
 * @returns base64 digest
 */
export function checksumBase64(algorithm: Exclude<UploadChecksum, 'none'>, parts: readonly Uint8Array[]): string {
  if (algorithm === 'SHA256') {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return h.digest('base64');
  }
  const crc = crc32Parts(parts);
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(crc, 0);
  return out.toString('base64');
}
