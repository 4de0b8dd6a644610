/**
 * The playlist endpoint's routes as one framework-free function, shared by the node:http server
 * (playlist-server.ts) and the Lambda handler (src/lambda/handler.ts):
 *
 *     GET /                                   player page (static, no data)
 *     GET /hls.min.js                         hls.js for the page
 *     GET /cameras                            {"cameras":[...]}
 *     GET /cameras/<camera>/playlist.m3u8     VOD for ?start=&end=
 *     GET /cameras/<camera>/live.m3u8         live sliding window (or EVENT from ?start=)
 *     GET /cameras/<camera>/index.m3u8        multivariant playlist → one of the two above
 *
 * Nothing outside `<rootPrefix>/<camera>/` can be listed: the camera is one path segment checked
 * by validateCameraId after decoding, and paths with `..`, `.` or encoded slashes are refused.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { validateCameraId, validatePrefix } from '../keys/object-keys.js';
import { listCameras, listSegments } from '../playlist/segment-index.js';
import { DEFAULT_LIVE_GRACE_MS, DEFAULT_LIVE_WINDOW, selectLiveWindow, settledRecords } from '../playlist/live-window.js';
import { renderMediaPlaylist, targetDurationSeconds } from '../playlist/m3u8-renderer.js';
import { buildMultivariantPlaylist, multivariantTarget } from '../playlist/multivariant.js';
import type { SegmentUrlResolver } from '../playlist/segment-urls.js';
import { parseTimeParam, TimeParamError } from '../playlist/time-param.js';
import { bearerChecker } from './access-token.js';
import { hlsJsSource, playerPageHtml } from './player-page.js';

/** Options of {@link createPlaylistRoutes}. */
export interface PlaylistRoutesOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Prefix the camera folders live under, e.g. `cameras`. */
  readonly rootPrefix: string;
  /** Writes segment URIs (presigned or under a base URL). */
  readonly urls: SegmentUrlResolver;
  /** When set, every data route requires `Authorization: Bearer <token>` (16+ characters). */
  readonly accessToken?: string | undefined;
  /** Longest VOD range, ms. @defaultValue 86400000 (24 h) */
  readonly maxRangeMs?: number | undefined;
  /** Segments in a live playlist. @defaultValue 6 */
  readonly liveWindow?: number | undefined;
  /** How far back a live request lists, ms (bounds the cost; see live-window.ts). @defaultValue 600000 */
  readonly liveLookbackMs?: number | undefined;
  /**
   * How long a hole in a live or EVENT listing's numbering may still be filled by a late upload, ms:
   * the playlist ends before the hole until then (see settledRecords in live-window.ts). Cover the
   * uploader's `retry.maxDelayMs`. @defaultValue 30000
   */
  readonly liveGraceMs?: number | undefined;
  /** `Access-Control-Allow-Origin` value; no CORS headers when unset. */
  readonly corsOrigin?: string | undefined;
  /** Serve the player page at `/`. @defaultValue true */
  readonly playerPage?: boolean | undefined;
  /** Clock. @defaultValue Date.now */
  readonly nowMs?: (() => number) | undefined;
  /** Told about storage failures answered with 502 (the client only sees "storage request failed"). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** A request, reduced to what the routes read. */
export interface RouteRequest {
  readonly method: string;
  /** The raw path, still percent-encoded, without the query. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  /** The Authorization header, if any. */
  readonly authorization?: string | undefined;
}

/** A response before transport encoding (gzip is the adapter's job). */
export interface RouteResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const M3U8 = 'application/vnd.apple.mpegurl';
const DEFAULT_MAX_RANGE_MS = 86_400_000;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function text(status: number, message: string): RouteResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: message + '\n' };
}

/**
 * Builds the route function.
 *
 * @param options - see {@link PlaylistRoutesOptions}
 * @returns `handle(request)`, which never throws for a bad request (4xx) and answers 502 when S3 fails
 * @throws TypeError/RangeError for bad options (prefix, token, limits)
 */
export function createPlaylistRoutes(options: PlaylistRoutesOptions): (request: RouteRequest) => Promise<RouteResponse> {
  const root = validatePrefix(options.rootPrefix);
  const check = options.accessToken !== undefined ? bearerChecker(options.accessToken) : undefined;
  const maxRangeMs = options.maxRangeMs ?? DEFAULT_MAX_RANGE_MS;
  if (!(maxRangeMs > 0)) throw new RangeError(`maxRangeMs must be positive, got ${maxRangeMs}`);
  const liveWindow = options.liveWindow ?? DEFAULT_LIVE_WINDOW;
  if (!Number.isInteger(liveWindow) || liveWindow < 1) throw new RangeError(`liveWindow must be a positive integer, got ${liveWindow}`);
  const lookbackMs = options.liveLookbackMs ?? 600_000;
  const graceMs = options.liveGraceMs ?? DEFAULT_LIVE_GRACE_MS;
  if (!(graceMs >= 0) || !Number.isFinite(graceMs)) throw new RangeError(`liveGraceMs must be a non-negative number of ms, got ${graceMs}`);
  const now = options.nowMs ?? Date.now;
  const cors: Record<string, string> = options.corsOrigin
    ? { 'access-control-allow-origin': options.corsOrigin, 'access-control-allow-headers': 'authorization', 'access-control-allow-methods': 'GET, OPTIONS', vary: 'origin' }
    : {};
  // With a token, responses are per-user: a shared cache must not serve them to others.
  const scope = check ? 'private' : 'public';

  async function cameraExists(camera: string): Promise<boolean> {
    const r = await options.client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: `${root}/${camera}/`, MaxKeys: 1 }));
    return (r.KeyCount ?? r.Contents?.length ?? 0) > 0;
  }

  function time(query: URLSearchParams, name: string): number | undefined {
    const values = query.getAll(name);
    if (values.length > 1) throw new BadRequest(400, `${name} is given more than once`);
    if (values.length === 0 || values[0] === '') return undefined;
    try {
      return parseTimeParam(values[0]!, name);
    } catch (e) {
      if (e instanceof TimeParamError) throw new BadRequest(400, e.message);
      throw e;
    }
  }

  async function vod(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const start = time(query, 'start');
    if (start === undefined) throw new BadRequest(400, 'start is required (ISO 8601, epoch seconds, or "YYYY-MM-DD HH:mm:ss" UTC)');
    const nowMs = now();
    const end = time(query, 'end') ?? nowMs;
    if (end <= start) throw new BadRequest(400, `end (${new Date(end).toISOString()}) must be after start (${new Date(start).toISOString()})`);
    if (end - start > maxRangeMs) throw new BadRequest(400, `range of ${(end - start) / 1000} s is over the maximum of ${maxRangeMs / 1000} s`);
    if (!(await cameraExists(camera))) throw new BadRequest(400, `unknown camera ${JSON.stringify(camera)}`);
    const { records } = await listSegments({ client: options.client, bucket: options.bucket, prefix: `${root}/${camera}`, startMs: start, endMs: end });
    const uris = await options.urls.urls(records.map((r) => r.key));
    const body = renderMediaPlaylist({ kind: 'vod', records, uris });
    // A range that is over never changes, but its presigned URLs expire: cache for a fraction of
    // their life. A range reaching into the future grows: cache briefly.
    const maxAge = end > nowMs - 60_000 ? 2 : Math.min(3600, Math.floor(options.urls.validForSeconds / 4));
    return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${scope}, max-age=${maxAge}` }, body };
  }

  async function live(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const start = time(query, 'start');
    const nowMs = now();
    if (start !== undefined && nowMs - start > maxRangeMs) throw new BadRequest(400, `an EVENT playlist from start may cover at most ${maxRangeMs / 1000} s`);
    if (!(await cameraExists(camera))) throw new BadRequest(400, `unknown camera ${JSON.stringify(camera)}`);
    const prefix = `${root}/${camera}`;
    let body: string;
    let target: number;
    if (start !== undefined) {
      // EVENT: everything from a fixed start; segments are only ever appended (§4.3.3.5), so
      // sequence numbers are their index and stay put. The list ends before a hole that a late
      // upload may still fill, or the late segment would be inserted mid-list.
      const { records } = await listSegments({ client: options.client, bucket: options.bucket, prefix, startMs: start });
      const settled = settledRecords(records, { nowMs, graceMs, listedFromMs: start });
      target = targetDurationSeconds(records);
      body = renderMediaPlaylist({ kind: 'event', records: settled, uris: await options.urls.urls(settled.map((r) => r.key)), targetDurationSeconds: target });
    } else {
      const from = Math.max(0, nowMs - lookbackMs);
      const { records } = await listSegments({ client: options.client, bucket: options.bucket, prefix, startMs: from });
      // Cut at a hole that may still be filled: otherwise the window would start after it now and
      // before it once the late segment is stored (MEDIA-SEQUENCE going back, §6.2.1/§6.2.2).
      const w = selectLiveWindow(settledRecords(records, { nowMs, graceMs, runStartsSettle: true, listedFromMs: from }), liveWindow);
      // §6.2.1: TARGETDURATION must not change. Over the whole look back, not the window, a long
      // GOP keeps it raised for as long as it is listed instead of only while it is in the window.
      target = targetDurationSeconds(records);
      body = renderMediaPlaylist({
        kind: 'live',
        records: w.records,
        uris: await options.urls.urls(w.records.map((r) => r.key)),
        mediaSequence: w.mediaSequence,
        discontinuitySequence: w.discontinuitySequence,
        targetDurationSeconds: target,
      });
    }
    // RFC 8216 §6.2.1: a live playlist changes about every target duration; half of it keeps a CDN
    // from serving a stale window for long.
    return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${scope}, max-age=${Math.max(1, Math.floor(target / 2))}` }, body };
  }

  // Multivariant playlist (src/playlist/multivariant.ts): start/end/live passed on to the media playlist.
  async function multivariant(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const target = multivariantTarget(query, { startMs: time(query, 'start'), endMs: time(query, 'end'), nowMs: now(), liveLookbackMs: lookbackMs });
    if (target.endMs !== undefined && !(target.endMs > target.startMs && target.endMs - target.startMs <= maxRangeMs)) throw new BadRequest(400, `end must be after start and at most ${maxRangeMs / 1000} s later`);
    const r = await buildMultivariantPlaylist({ client: options.client, bucket: options.bucket, prefix: `${root}/${camera}`, ...target });
    if (r === undefined) throw new BadRequest(404, `no segment of ${JSON.stringify(camera)} stored in the requested window`);
    return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${scope}, max-age=${target.maxAgeSeconds}` }, body: r.text };
  }

  async function route(req: RouteRequest): Promise<RouteResponse> {
    const path = req.rawPath;
    if (options.playerPage !== false && path === '/') {
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body: playerPageHtml() };
    }
    if (options.playerPage !== false && path === '/hls.min.js') {
      return { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }, body: hlsJsSource() };
    }
    const parts = path.split('/');
    // Refuse anything that could name another prefix: encoded separators or dots, dot segments,
    // empty segments. The camera is then one plain segment under the root prefix.
    if (/%2f|%5c|%2e|\\/i.test(path) || parts.some((p, i) => i > 0 && (p === '' || p === '.' || p === '..'))) {
      throw new BadRequest(400, 'path must not contain empty, "." or ".." segments or encoded separators');
    }
    if (check && !check(req.authorization)) throw new BadRequest(401, 'missing or wrong bearer token');
    if (path === '/cameras') {
      const cameras = await listCameras({ client: options.client, bucket: options.bucket, rootPrefix: root });
      return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': `${scope}, max-age=10` }, body: JSON.stringify({ cameras }) };
    }
    if (parts.length === 4 && parts[1] === 'cameras') {
      let camera: string;
      try {
        camera = validateCameraId(decodeURIComponent(parts[2]!));
      } catch {
        throw new BadRequest(400, `bad camera id: use letters, digits and . _ - = + @`);
      }
      if (parts[3] === 'playlist.m3u8') return vod(camera, req.query);
      if (parts[3] === 'live.m3u8') return live(camera, req.query);
      if (parts[3] === 'index.m3u8') return multivariant(camera, req.query);
    }
    throw new BadRequest(404, 'not found');
  }

  return async (req) => {
    if (req.method === 'OPTIONS' && options.corsOrigin) return { status: 204, headers: { ...cors, 'access-control-max-age': '600' }, body: '' };
    let res: RouteResponse;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res = text(405, 'only GET');
    } else {
      try {
        res = await route(req);
      } catch (e) {
        if (e instanceof BadRequest) {
          res = text(e.status, e.message);
          if (e.status === 401) res.headers['www-authenticate'] = 'Bearer';
        } else {
          // S3 refused or failed: no details to the client (they may name the bucket's internals).
          options.onError?.(e);
          res = text(502, 'storage request failed');
        }
      }
    }
    return { ...res, headers: { ...res.headers, ...cors } };
  };
}
