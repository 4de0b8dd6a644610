/**
 * Reads a clip's stored segments in order with exactly one GET ahead of the transmuxer: the next
 * segment downloads while the current one is transmuxed and written (against S3 a GET's first byte
 * takes tens of ms, as long as transmuxing a 2 s segment), and memory stays two segment buffers,
 * whatever the clip's length.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SegmentBuffer, SegmentTooLargeError } from './segment-buffer.js';

/** Where the segments are. */
export interface SegmentSource {
  readonly client: S3Client;
  readonly bucket: string;
  /** Stops the reads (a pending GET rejects with an AbortError). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * GETs one object into `buffer`.
 *
 * @returns a view of `buffer` (valid until its next fill), or undefined for an object without a body or over the size limit
 */
async function readSegment(src: SegmentSource, key: string, buffer: SegmentBuffer, signal: AbortSignal): Promise<Uint8Array | undefined> {
  const got = await src.client.send(new GetObjectCommand({ Bucket: src.bucket, Key: key }), { abortSignal: signal });
  const body = got.Body;
  if (body === undefined) return undefined;
  // In Node the body is an http.IncomingMessage (async iterable); other runtimes' bodies fall back to one array.
  if (!(Symbol.asyncIterator in body)) return body.transformToByteArray();
  try {
    return await buffer.fill(body as AsyncIterable<Uint8Array>, got.ContentLength);
  } catch (e) {
    if (e instanceof SegmentTooLargeError) return undefined;
    throw e;
  }
}

/** Hands out the segments of `keys` in order, prefetching one. Call {@link SegmentPrefetcher.close} when done (or abandoning). */
export class SegmentPrefetcher {
  // Two buffers: segment i is read into buffers[i % 2], so the prefetch of i + 1 never overwrites
  // the bytes of i (which the caller transmuxes synchronously before asking for i + 1).
  private readonly buffers = [new SegmentBuffer(), new SegmentBuffer()];
  private readonly stop = new AbortController();
  private readonly onAbort = (): void => this.stop.abort();
  private pending: Promise<Uint8Array | undefined> | undefined;
  private index = 0;

  /**
   * @param src - client, bucket and the caller's signal
   * @param keys - object keys in clip order
   */
  constructor(
    private readonly src: SegmentSource,
    private readonly keys: readonly string[],
  ) {
    if (src.signal?.aborted) this.stop.abort();
    else src.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * The next segment's bytes (undefined when unreadable); starts the GET of the one after it.
   *
   * @returns a view valid until the call after next
   * @throws the S3 error or AbortError of that GET
   */
  async take(): Promise<Uint8Array | undefined> {
    const current = this.pending ?? this.start(this.index);
    this.pending = this.index + 1 < this.keys.length ? this.start(this.index + 1) : undefined;
    this.index++;
    return current;
  }

  /** Aborts a prefetch still in flight and lets go of the caller's signal. */
  close(): void {
    this.src.signal?.removeEventListener('abort', this.onAbort);
    this.stop.abort();
    this.pending = undefined;
  }

  private start(i: number): Promise<Uint8Array | undefined> {
    const p = readSegment(this.src, this.keys[i], this.buffers[i % 2], this.stop.signal);
    // A prefetch may fail while the caller is still writing the previous segment: handled here so it
    // is not an unhandled rejection; `take` still returns the rejected promise itself.
    p.catch(() => undefined);
    return p;
  }
}
