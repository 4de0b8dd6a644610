/**
 * One reusable buffer for the stored segments an export reads, filled straight from each GET's body
 * stream. The SDK's `transformToByteArray()` keeps every chunk of the body and then copies them into
 * a new array, so each segment cost two fresh segment-sized allocations; here the socket's chunks are
 * copied into one buffer that only grows (to the largest segment of the clip), so reading adds no
 * garbage per segment beyond the chunks themselves.
 */

/** Largest stored segment accepted (a 2 s segment at 5 Mbit/s is ~1.3 MB; 60 s at 8 Mbit/s is ~60 MB). */
export const MAX_SEGMENT_BYTES = 128 * 1024 * 1024;

/** Thrown when an object is larger than {@link MAX_SEGMENT_BYTES} (the exporter skips it as unreadable). */
export class SegmentTooLargeError extends RangeError {
  /** `SegmentTooLargeError`. */
  override readonly name = 'SegmentTooLargeError';
}

/** A grow-only byte buffer refilled for each segment. Not shared between exports (one reader at a time). */
export class SegmentBuffer {
  private bytes: Uint8Array;

  /**
   * @param initialBytes - first capacity; it doubles as needed @defaultValue 2 MiB (a 2 s 1080p segment)
   */
  constructor(initialBytes = 2 * 1024 * 1024) {
    this.bytes = new Uint8Array(initialBytes);
  }

  /** Current capacity in bytes (what the buffer holds on to between segments). */
  get capacity(): number {
    return this.bytes.length;
  }

  /**
   * Reads a whole body into the buffer.
   *
   * @param body - the object's bytes as a stream of chunks (a GetObject `Body` in Node)
   * @param lengthHint - the Content-Length when known: the buffer grows once, up front
   * @returns a view of the buffer holding the body; valid until the next `fill`
   * @throws SegmentTooLargeError when the body passes {@link MAX_SEGMENT_BYTES}
   */
  async fill(body: AsyncIterable<Uint8Array>, lengthHint?: number): Promise<Uint8Array> {
    if (lengthHint !== undefined) this.reserve(lengthHint);
    let n = 0;
    for await (const chunk of body) {
      this.reserve(n + chunk.length);
      this.bytes.set(chunk, n);
      n += chunk.length;
    }
    return this.bytes.subarray(0, n);
  }

  private reserve(need: number): void {
    if (need <= this.bytes.length) return;
    if (need > MAX_SEGMENT_BYTES) throw new SegmentTooLargeError(`segment of more than ${need} bytes is over the ${MAX_SEGMENT_BYTES}-byte limit of an exported segment`);
    let size = this.bytes.length;
    while (size < need) size *= 2;
    const grown = new Uint8Array(Math.min(size, MAX_SEGMENT_BYTES));
    grown.set(this.bytes);
    this.bytes = grown;
  }
}
