/**
 * The PutObject body of a segment, made from its pool views without copying: one part is sent as
 * that Uint8Array; a segment that wraps the pool is sent as a stream of its two parts with an
 * explicit Content-Length.
 */
import { Readable } from 'node:stream';

/**
 * A request body over `parts`. A new stream is made for every attempt (a stream is consumed by
 * the attempt that sends it).
 *
 * @param parts - the segment's views into the pool (1 or more)
 * @returns the single part itself, or a Readable yielding each part in order
 * @throws RangeError when `parts` is empty
 */
export function segmentBody(parts: readonly Uint8Array[]): Uint8Array | Readable {
  if (parts.length === 0) throw new RangeError('segment.parts must hold at least one part, got 0');
  if (parts.length === 1) return parts[0];
  // Buffer views over the same memory (no copy): http.ClientRequest.write takes them as they are.
  const chunks = parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return Readable.from(chunks, { objectMode: false });
}

/**
 * Total bytes of `parts`.
 * @param parts - byte ranges
 * @returns the sum of their lengths
 */
export function partsLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  return n;
}
