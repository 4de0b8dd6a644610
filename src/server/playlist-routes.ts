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
 *     GET /cameras/<camera>/recordings.json   spans of footage for ?start=&end=
 *     GET /cameras/<camera>/clip.mp4          MP4 of ?start=&end= (streamed; the Lambda delivers another way)
 *
 * Every data route reads through one {@link PlaybackService} (hour index or LIST, page by page):
 * VOD and EVENT playlists and clips are streamed bodies, so a long range never sits in memory.
 *
 * Nothing outside `<rootPrefix>/<camera>/` can be listed: the camera is one path segment checked
 * by validateCameraId after decoding, and paths with `..`, `.` or encoded slashes are refused.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { validateCameraId, validatePrefix } from '../keys/object-keys.js';
import { DEFAULT_MAX_EXPORT_RANGE_MS } from '../export/clip-exporter.js';
import { listCameras } from '../playlist/segment-index.js';
import { DEFAULT_LIVE_GRACE_MS, DEFAULT_LIVE_WINDOW } from '../playlist/live-window.js';
import type { SegmentUrlResolver } from '../playlist/segment-urls.js';
import type { ResponseBody } from '../playback/http-body.js';
import { PlaybackService } from '../playback/playback-service.js';
import { bearerChecker } from './access-token.js';
import { BadRequest, CameraRoutes, type CameraRouteSettings } from './camera-routes.js';
import { hlsJsSource, playerPageHtml } from './player-page.js';

/** Options of {@link createPlaylistRoutes}. */
export interface PlaylistRoutesOptions {
  /** The S3 client that lists (and presigns). */
  readonly client: S3Client;
  /** The bucket holding the segments. */
  readonly bucket: string;
  /** Prefix the camera folders live under, e.g. `cameras`. */
  readonly rootPrefix: string;
  /** Writes segment URIs (presigned or under a base URL). */
  readonly urls: SegmentUrlResolver;
  /** When set, every data route requires `Authorization: Bearer <token>` (16+ characters). */
  readonly accessToken?: string | undefined;
  /** Longest VOD range (and recordings.json range), ms. @defaultValue 86400000 (24 h) */
  readonly maxRangeMs?: number | undefined;
  /**
   * Longest clip.mp4 range, ms: a download holds one connection and one S3 GET at a time for as
   * long as it runs (6 h at 5 Mbit/s is 13 GB). @defaultValue 21600000 (6 h, as `s3hls export`)
   */
  readonly maxClipRangeMs?: number | undefined;
  /**
   * How a clip reaches the client. Default: the MP4 streamed as the response body. The Lambda
   * handler passes one that writes the clip to S3 and answers a presigned URL (its responses are
   * buffered and capped at 6 MB).
   */
  readonly deliverClip?: ((clip: ClipDelivery) => Promise<RouteResponse>) | undefined;
  /** Read hour index objects for closed hours (false: LIST only). @defaultValue true */
  readonly useIndex?: boolean | undefined;
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
  /** HTTP method. */
  readonly method: string;
  /** The raw path, still percent-encoded, without the query. */
  readonly rawPath: string;
  /** The query parameters. */
  readonly query: URLSearchParams;
  /** The Authorization header, if any. */
  readonly authorization?: string | undefined;
}

/** A response before transport encoding (gzip is the adapter's job, playback/http-body.ts). */
export interface RouteResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Record<string, string>;
  /** Text, bytes, or chunks (streamed playlists and clips). */
  readonly body: ResponseBody;
}

/** A clip ready to be delivered (see {@link PlaylistRoutesOptions.deliverClip}). */
export interface ClipDelivery {
  readonly camera: string;
  readonly startMs: number;
  readonly endMs: number;
  /** `<camera>_<start>_<end>.mp4`, times as compact UTC (`20261122T100000Z`). */
  readonly fileName: string;
  /** The MP4 chunks; the first one has been read already, so range errors are behind us. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Headers every answer carries (cache scope). */
  readonly cacheControl: string;
}

const DEFAULT_MAX_RANGE_MS = 86_400_000;

function text(status: number, message: string): RouteResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: message + '\n' };
}

/** The camera routes' settings from the options, each limit checked. */
function cameraRouteSettings(options: PlaylistRoutesOptions, root: string, scope: 'private' | 'public'): CameraRouteSettings {
  const maxRangeMs = options.maxRangeMs ?? DEFAULT_MAX_RANGE_MS;
  if (!(maxRangeMs > 0)) throw new RangeError(`maxRangeMs must be positive, got ${maxRangeMs}`);
  const maxClipRangeMs = options.maxClipRangeMs ?? DEFAULT_MAX_EXPORT_RANGE_MS;
  if (!(maxClipRangeMs > 0)) throw new RangeError(`maxClipRangeMs must be positive, got ${maxClipRangeMs}`);
  const liveWindow = options.liveWindow ?? DEFAULT_LIVE_WINDOW;
  if (!Number.isInteger(liveWindow) || liveWindow < 1) throw new RangeError(`liveWindow must be a positive integer, got ${liveWindow}`);
  return {
    root,
    maxRangeMs,
    maxClipRangeMs,
    liveWindow,
    lookbackMs: options.liveLookbackMs ?? 600_000,
    now: options.nowMs ?? Date.now,
    scope,
    urlsValidForSeconds: options.urls.validForSeconds,
    client: options.client,
    bucket: options.bucket,
    deliverClip: options.deliverClip,
  };
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
  const graceMs = options.liveGraceMs ?? DEFAULT_LIVE_GRACE_MS;
  if (!(graceMs >= 0) || !Number.isFinite(graceMs)) throw new RangeError(`liveGraceMs must be a non-negative number of ms, got ${graceMs}`);
  const cors: Record<string, string> = options.corsOrigin
    ? { 'access-control-allow-origin': options.corsOrigin, 'access-control-allow-headers': 'authorization', 'access-control-allow-methods': 'GET, OPTIONS', vary: 'origin' }
    : {};
  // With a token, responses are per-user: a shared cache must not serve them to others.
  const scope = check ? 'private' : 'public';
  const settings = cameraRouteSettings(options, root, scope);
  const service = new PlaybackService({
    client: options.client,
    bucket: options.bucket,
    urls: options.urls,
    useIndex: options.useIndex,
    liveGraceMs: graceMs,
    nowMs: settings.now,
  });
  const cameraRoutes = new CameraRoutes(service, settings);

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
        camera = validateCameraId(decodeURIComponent(parts[2]));
      } catch {
        throw new BadRequest(400, `bad camera id: use letters, digits and . _ - = + @`);
      }
      const answer = cameraRoutes.answer(parts[3], camera, req.query);
      if (answer) return answer;
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
