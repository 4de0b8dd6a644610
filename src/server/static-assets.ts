/**
 * The endpoint's static files (the player page and hls.min.js), rendered and gzipped once when the
 * server starts and then answered from memory with an ETag, so repeated requests cost a buffer
 * write. Before, every `GET /hls.min.js` was gzipped again (~40 ms of CPU each): a few hundred
 * unauthenticated requests stalled `/cameras` for seconds.
 */
import { acceptsGzip, isStreamed } from '../playback/http-body.js';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RouteRequest, RouteResponse } from './playlist-routes.js';

/**
 * One file's answers, built once: 200 and 304, plain and gzip. Every request gets one of these
 * objects as it is (no per-request spread, regex or string building: with hundreds of requests in
 * flight each microsecond is paid hundreds of times while /cameras waits).
 */
interface StaticAsset {
  readonly plain: { readonly ok: StaticAnswer; readonly notModified: StaticAnswer };
  /** Undefined when gzip would not make it smaller. */
  readonly gzip: { readonly ok: StaticAnswer; readonly notModified: StaticAnswer } | undefined;
}

/** What {@link StaticAssets.answer} gives the transport. Shared between requests: never mutate it. */
export interface StaticAnswer {
  readonly status: 200 | 304;
  /** The ETag of this representation (plain and gzip each have their own). */
  readonly etag: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The same headers as a flat name, value, name, value… list for `res.writeHead` (no object walk per request). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/**
 * Cache-Control per path. hls.min.js changes only with an s3hls upgrade: a week, after which the
 * ETag makes the check a 304. The page is revalidated on every load (`no-cache` still stores it;
 * the 304 is cheap), so an upgrade shows at once.
 */
const CACHE_CONTROL: Readonly<Record<string, string>> = {
  '/hls.min.js': 'public, max-age=604800',
  '/': 'no-cache',
};

/** The paths served from memory. */
export const STATIC_PATHS: readonly string[] = Object.keys(CACHE_CONTROL);

/** The static files of one server, built once at start. */
export class StaticAssets {
  readonly #assets: Map<string, StaticAsset>;

  private constructor(assets: Map<string, StaticAsset>) {
    this.#assets = assets;
  }

  /**
   * Renders each static path through the routes once and compresses it.
   *
   * @param handle - the playlist routes
   * @param paths - the paths to keep @defaultValue {@link STATIC_PATHS}
   * @returns the assets; a path the routes do not answer with 200 (page disabled, hls.js not
   *   installed) is left to the routes, which then answer per request as before
   */
  static async build(handle: (req: RouteRequest) => Promise<RouteResponse>, paths: readonly string[] = STATIC_PATHS): Promise<StaticAssets> {
    const assets = new Map<string, StaticAsset>();
    for (const rawPath of paths) {
      const res = await handle({ method: 'GET', rawPath, query: new URLSearchParams() });
      if (res.status !== 200) continue;
      // The page and hls.js are buffered answers; anything streamed is left to the routes.
      if (isStreamed(res.body)) continue;
      const plain = typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : Buffer.from(res.body);
      const zipped = gzipSync(plain, { level: 9 });
      // A strong validator from the bytes: the same file gives the same tag across restarts and replicas.
      const etag = `"${createHash('sha256').update(plain).digest('base64url').slice(0, 27)}"`;
      const headers = { ...res.headers, 'cache-control': CACHE_CONTROL[rawPath] ?? res.headers['cache-control'] ?? 'no-cache' };
      // Each encoding is its own representation with its own tag (RFC 9110 §8.8.3), as Apache does.
      const gzip = zipped.length < plain.length ? representation(headers, `${etag.slice(0, -1)}-gz"`, zipped, { 'content-encoding': 'gzip' }) : undefined;
      assets.set(rawPath, { plain: representation(headers, etag, plain, {}), gzip });
    }
    return new StaticAssets(assets);
  }

  /**
   * Answers a request from memory, or says it is not a static file.
   *
   * @param method - GET or HEAD (others are left to the routes, which answer 405)
   * @param rawPath - the path without the query
   * @param headers - the request's `If-None-Match` and `Accept-Encoding`
   * @returns the answer (200 or 304), or undefined when the path is not a static file
   */
  answer(method: string, rawPath: string, headers: { ifNoneMatch?: string | undefined; acceptEncoding?: string | undefined }): StaticAnswer | undefined {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const a = this.#assets.get(rawPath);
    if (!a) return undefined;
    const r = a.gzip !== undefined && acceptsGzip(headers.acceptEncoding) ? a.gzip : a.plain;
    return headers.ifNoneMatch !== undefined && etagMatches(headers.ifNoneMatch, r.ok.etag) ? r.notModified : r.ok;
  }
}

/**
 * The 200 and 304 answers of one representation.
 *
 * @param headers - the route's headers with Cache-Control set
 * @param etag - this representation's tag
 * @param body - its bytes
 * @param extra - Content-Encoding when gzipped
 * @returns both answers, headers frozen
 */
function representation(headers: Record<string, string>, etag: string, body: Buffer, extra: Record<string, string>): { ok: StaticAnswer; notModified: StaticAnswer } {
  const okHeaders: Readonly<Record<string, string>> = Object.freeze({ ...headers, etag, vary: 'accept-encoding', ...extra, 'content-length': String(body.length) });
  // RFC 9110 §15.4.5: a 304 repeats the validators and caching headers, no body.
  const nmHeaders: Readonly<Record<string, string>> = Object.freeze({ etag, 'cache-control': headers['cache-control'], vary: 'accept-encoding' });
  return {
    ok: { status: 200, etag, headers: okHeaders, rawHeaders: Object.freeze(Object.entries(okHeaders).flat()), body },
    notModified: { status: 304, etag, headers: nmHeaders, rawHeaders: Object.freeze(Object.entries(nmHeaders).flat()), body: Buffer.alloc(0) },
  };
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so `W/"x"` matches `"x"`; `*` matches
 * any current representation.
 *
 * @param header - the If-None-Match value
 * @param etag - the asset's tag
 * @returns whether the client's copy is current
 */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
