/**
 * The endpoint's static files (the player page and hls.min.js), rendered and gzipped once when the
 * server starts and then answered from memory with an ETag, so repeated requests cost a buffer
 * write. Before, every `GET /hls.min.js` was gzipped again (~40 ms of CPU each): a few hundred
 * unauthenticated requests stalled `/cameras` for seconds.
 */
import { isStreamed } from '../playback/http-body.js';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RouteRequest, RouteResponse } from './playlist-routes.js';

/** One file, in both encodings. */
interface StaticAsset {
  readonly headers: Readonly<Record<string, string>>;
  /** Tag of the plain bytes; the gzip variant's is this with `-gz` inside the quotes. */
  readonly etag: string;
  readonly plain: Buffer;
  /** Undefined when gzip would not make it smaller. */
  readonly gzip: Buffer | undefined;
}

/** What {@link StaticAssets.answer} gives the transport. */
export interface StaticAnswer {
  readonly status: 200 | 304;
  readonly headers: Record<string, string>;
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
      assets.set(rawPath, { headers, etag, plain, gzip: zipped.length < plain.length ? zipped : undefined });
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
    const gzip = a.gzip !== undefined && /\bgzip\b/i.test(headers.acceptEncoding ?? '');
    // Each encoding is its own representation with its own tag (RFC 9110 §8.8.3), as Apache does.
    const etag = gzip ? `${a.etag.slice(0, -1)}-gz"` : a.etag;
    const base: Record<string, string> = { ...a.headers, etag, vary: 'accept-encoding' };
    if (headers.ifNoneMatch !== undefined && etagMatches(headers.ifNoneMatch, etag)) {
      // RFC 9110 §15.4.5: a 304 repeats the validators and caching headers, no body.
      return { status: 304, headers: { etag, 'cache-control': base['cache-control'], vary: base.vary }, body: Buffer.alloc(0) };
    }
    const body = gzip ? a.gzip : a.plain;
    return { status: 200, headers: { ...base, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) }, body };
  }
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
