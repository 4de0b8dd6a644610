/**
 * Response bodies of the playback routes and their transport encoding, in one place for both
 * transports: `s3hls serve` (node:http, streams) and the Lambda handler (one buffered, base64 body).
 * A body is a string, bytes, or an async iterable of chunks (long playlists, MP4 clips), so a route
 * never has to hold a whole month of playlist in memory.
 */
import type { ServerResponse } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';

/** What a route answers with. */
export type ResponseBody = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/** Bodies smaller than this are sent as they are: gzip would not pay for its header. */
export const GZIP_MIN_BYTES = 512;

/** A buffered body went over a transport's limit (the Lambda's 6 MB response). */
export class BodyTooLargeError extends RangeError {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Whether the client takes gzip.
 *
 * @param acceptEncoding - the request's Accept-Encoding header
 * @returns true when it names gzip
 */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return /\bgzip\b/i.test(acceptEncoding ?? '');
}

/**
 * The Vary value after adding Accept-Encoding: appended, never replacing (with CORS the routes
 * already vary on Origin, and a cache keyed on one header only would hand one origin's, or one
 * encoding's, answer to another).
 *
 * @param vary - the route's Vary header, if any
 * @returns the header value
 */
export function varyOnEncoding(vary: string | undefined): string {
  return vary ? `${vary}, accept-encoding` : 'accept-encoding';
}

/**
 * Whether a body is streamed (an async iterable rather than a string or bytes).
 *
 * @param body - a route body
 * @returns true for an async iterable
 */
export function isStreamed(body: ResponseBody): body is AsyncIterable<string | Uint8Array> {
  return typeof body !== 'string' && !(body instanceof Uint8Array);
}

/**
 * Reads a body into one buffer, refusing to grow past `maxBytes`.
 *
 * @param body - the body
 * @param maxBytes - the limit, bytes
 * @returns the bytes
 * @throws BodyTooLargeError when the body is larger (the rest is not read)
 */
export async function collectBody(body: ResponseBody, maxBytes: number): Promise<Buffer> {
  if (!isStreamed(body)) {
    const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    if (b.length > maxBytes) throw new BodyTooLargeError(`body of ${b.length} bytes is over ${maxBytes}`);
    return b;
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += b.length;
    if (size > maxBytes) throw new BodyTooLargeError(`body is over ${maxBytes} bytes`);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/**
 * Encodes a buffered body: gzip when the client accepts it and it pays.
 *
 * @param body - the bytes
 * @param headers - the route's headers (copied; Content-Encoding and Vary are set)
 * @param acceptEncoding - the request's Accept-Encoding
 * @param compressible - false for bodies that are compressed already (MP4)
 * @returns the headers and bytes to send
 */
export function encodeBuffered(
  body: Buffer,
  headers: Record<string, string>,
  acceptEncoding: string | undefined,
  compressible = true,
): { headers: Record<string, string>; body: Buffer } {
  const out = { ...headers, vary: varyOnEncoding(headers['vary']) };
  if (compressible && body.length >= GZIP_MIN_BYTES && acceptsGzip(acceptEncoding)) {
    return { headers: { ...out, 'content-encoding': 'gzip' }, body: gzipSync(body) };
  }
  return { headers: out, body };
}

/**
 * Waits for `event` (`drain`, `finish`), or for the response to close: a client that goes away never drains (never
 * wait without a bound). Both listeners are removed either way (`events.once` in a race would leave
 * the loser registered, one per wait: thousands on a long playlist).
 */
function eventOrClose(target: NodeJS.EventEmitter, event: 'drain' | 'finish', res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      target.removeListener(event, done);
      res.removeListener('close', done);
      resolve();
    };
    target.once(event, done);
    res.once('close', done);
  });
}

/** A route's answer, as the writer below needs it. */
export interface WritableAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ResponseBody;
}

/**
 * Writes an answer to a node:http response: buffered bodies with Content-Length (gzip when it
 * pays), streamed ones chunked, gzip-streamed for text, with backpressure (a slow client slows
 * the S3 reads instead of filling memory). HEAD gets headers only.
 *
 * @param res - the response
 * @param answer - the route's answer
 * @param request - method and Accept-Encoding of the request
 * @returns when the body was written (rejects when the client went away mid-stream)
 */
export async function writeAnswer(res: ServerResponse, answer: WritableAnswer, request: { readonly method: string; readonly acceptEncoding: string | undefined }): Promise<void> {
  const compressible = !/^video\/|^audio\//.test(answer.headers['content-type'] ?? '');
  if (!isStreamed(answer.body)) {
    const buf = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : Buffer.from(answer.body);
    const { headers, body } = encodeBuffered(buf, answer.headers, request.acceptEncoding, compressible);
    res.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
    res.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  const gzip = compressible && acceptsGzip(request.acceptEncoding);
  res.writeHead(answer.status, { ...answer.headers, vary: varyOnEncoding(answer.headers['vary']), ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  if (request.method === 'HEAD') {
    res.end();
    return;
  }
  const sink = gzip ? createGzip() : undefined;
  if (sink) sink.pipe(res);
  const target = sink ?? res;
  for await (const chunk of answer.body) {
    if (res.destroyed) throw new Error('client closed the connection');
    if (!target.write(chunk)) await eventOrClose(target, 'drain', res);
  }
  target.end();
  if (!res.writableFinished) await eventOrClose(res, 'finish', res);
}
