/**
 * The per-camera routes of the playlist endpoint (`/cameras/<camera>/…`): VOD, live/EVENT and
 * multivariant playlists, recordings.json and clip.mp4. playlist-routes.ts checks the path, the
 * camera id and the token, then hands the request here; every answer reads through one
 * {@link PlaybackService}. A bad request is thrown as {@link BadRequest}, which the caller turns
 * into a 4xx answer.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ExportRangeError } from '../export/clip-exporter.js';
import { buildMultivariantPlaylist, multivariantTarget } from '../playlist/multivariant.js';
import { parseTimeParam, TimeParamError } from '../playlist/time-param.js';
import type { PlaybackService } from '../playback/playback-service.js';
import { spanToJson } from '../recordings/spans.js';
import type { ClipDelivery, RouteResponse } from './playlist-routes.js';

/** The HLS playlist media type (RFC 8216 §4). */
const M3U8 = 'application/vnd.apple.mpegurl';

/** A request the routes refuse: answered with `status` and the message as text. */
export class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the camera routes need of the endpoint's (already validated) options. */
export interface CameraRouteSettings {
  /** The validated root prefix; a camera lives under `<root>/<camera>`. */
  readonly root: string;
  readonly maxRangeMs: number;
  readonly maxClipRangeMs: number;
  readonly liveWindow: number;
  readonly lookbackMs: number;
  readonly now: () => number;
  /** `private` with a token (per-user answers), `public` without. */
  readonly scope: 'private' | 'public';
  /** How long presigned segment URLs stay valid, s (bounds the cache lifetime of a range). */
  readonly urlsValidForSeconds: number;
  readonly client: S3Client;
  readonly bucket: string;
  readonly deliverClip?: ((clip: ClipDelivery) => Promise<RouteResponse>) | undefined;
}

/** `20261122T100000Z`: a UTC time that is safe in a file name on every system. */
function compactTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** The routes under `/cameras/<camera>/`. */
export class CameraRoutes {
  constructor(
    private readonly service: PlaybackService,
    private readonly s: CameraRouteSettings,
  ) {}

  /**
   * Answers `/cameras/<camera>/<name>`.
   *
   * @param name - the last path segment (`playlist.m3u8`, `live.m3u8`, …)
   * @param camera - the validated camera id
   * @param query - the query parameters
   * @returns the answer, or undefined when `name` is no route (a 404 for the caller)
   * @throws BadRequest for a bad parameter or an unknown camera; the SDK's error when S3 fails
   */
  answer(name: string, camera: string, query: URLSearchParams): Promise<RouteResponse> | undefined {
    if (name === 'playlist.m3u8') return this.vod(camera, query);
    if (name === 'live.m3u8') return this.live(camera, query);
    if (name === 'index.m3u8') return this.multivariant(camera, query);
    if (name === 'recordings.json') return this.recordings(camera, query);
    if (name === 'clip.mp4') return this.clip(camera, query);
    return undefined;
  }

  private async knownCamera(camera: string): Promise<string> {
    const prefix = `${this.s.root}/${camera}`;
    if (!(await this.service.hasObjects(prefix))) throw new BadRequest(400, `unknown camera ${JSON.stringify(camera)}`);
    return prefix;
  }

  private time(query: URLSearchParams, name: string): number | undefined {
    const values = query.getAll(name);
    if (values.length > 1) throw new BadRequest(400, `${name} is given more than once`);
    if (values.length === 0 || values[0] === '') return undefined;
    try {
      return parseTimeParam(values[0], name);
    } catch (e) {
      if (e instanceof TimeParamError) throw new BadRequest(400, e.message);
      throw e;
    }
  }

  /** `start` (required) and `end` (default now) of a range request, checked against `limitMs`. */
  private range(query: URLSearchParams, limitMs: number, what: string): { start: number; end: number; nowMs: number } {
    const start = this.time(query, 'start');
    if (start === undefined) throw new BadRequest(400, 'start is required (ISO 8601, epoch seconds, or "YYYY-MM-DD HH:mm:ss" UTC)');
    const nowMs = this.s.now();
    const end = this.time(query, 'end') ?? nowMs;
    if (end <= start) throw new BadRequest(400, `end (${new Date(end).toISOString()}) must be after start (${new Date(start).toISOString()})`);
    if (end - start > limitMs) throw new BadRequest(400, `range of ${(end - start) / 1000} s is over the maximum of ${limitMs / 1000} s for ${what}`);
    return { start, end, nowMs };
  }

  /** Cache lifetime of a range answer: a range that is over never changes, but its presigned URLs expire. */
  private rangeMaxAge(end: number, nowMs: number): number {
    return end > nowMs - 60_000 ? 2 : Math.min(3600, Math.floor(this.s.urlsValidForSeconds / 4));
  }

  private async vod(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const { start, end, nowMs } = this.range(query, this.s.maxRangeMs, 'a playlist');
    const prefix = await this.knownCamera(camera);
    const body = this.service.vodPlaylist(prefix, { startMs: start, endMs: end });
    return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${this.s.scope}, max-age=${this.rangeMaxAge(end, nowMs)}` }, body };
  }

  private async recordings(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    // Spans are cheap to answer from the hour index: the same limit as a playlist, so one
    // request never walks more than the operator allowed.
    const { start, end, nowMs } = this.range(query, this.s.maxRangeMs, 'recordings');
    const prefix = await this.knownCamera(camera);
    const { spans } = await this.service.spans(prefix, { startMs: start, endMs: end });
    const body = JSON.stringify({ camera, start: new Date(start).toISOString(), end: new Date(end).toISOString(), spans: spans.map(spanToJson) });
    return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': `${this.s.scope}, max-age=${end > nowMs - 60_000 ? 2 : 60}` }, body };
  }

  private async clip(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const { start, end } = this.range(query, this.s.maxClipRangeMs, 'a clip (longer clips: s3hls export, which has no connection to keep open)');
    const prefix = await this.knownCamera(camera);
    const it = this.service.clip(prefix, { startMs: start, endMs: end, maxRangeMs: this.s.maxClipRangeMs });
    let first: IteratorResult<Uint8Array>;
    try {
      // The first chunk comes after the listing: an empty range is still a 400, not a broken download.
      first = await it.next();
    } catch (e) {
      if (e instanceof ExportRangeError) throw new BadRequest(400, e.message);
      throw e;
    }
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (!first.done) yield first.value;
      yield* it;
    }
    const fileName = `${camera}_${compactTime(start)}_${compactTime(end)}.mp4`;
    const delivery: ClipDelivery = { camera, startMs: start, endMs: end, fileName, chunks: chunks(), cacheControl: `${this.s.scope}, no-store` };
    if (this.s.deliverClip) return this.s.deliverClip(delivery);
    return {
      status: 200,
      headers: { 'content-type': 'video/mp4', 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': delivery.cacheControl },
      body: delivery.chunks,
    };
  }

  private async live(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const start = this.time(query, 'start');
    const nowMs = this.s.now();
    if (start !== undefined && nowMs - start > this.s.maxRangeMs) throw new BadRequest(400, `an EVENT playlist from start may cover at most ${this.s.maxRangeMs / 1000} s`);
    const prefix = await this.knownCamera(camera);
    const scope = this.s.scope;
    if (start !== undefined) {
      // EVENT: everything from a fixed start; segments are only ever appended (§4.3.3.5). The list
      // leaves out late uploads and ends before a hole one may still fill (docs/playback.md, "Late uploads").
      return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${scope}, max-age=1` }, body: this.service.eventPlaylist(prefix, start) };
    }
    const { text: body, targetSeconds } = await this.service.livePlaylist(prefix, this.s.lookbackMs, this.s.liveWindow);
    // RFC 8216 §6.2.1: a live playlist changes about every target duration; half of it keeps a CDN
    // from serving a stale window for long.
    return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${scope}, max-age=${Math.max(1, Math.floor(targetSeconds / 2))}` }, body };
  }

  // Multivariant playlist (src/playlist/multivariant.ts): start/end/live passed on to the media playlist.
  private async multivariant(camera: string, query: URLSearchParams): Promise<RouteResponse> {
    const { maxRangeMs } = this.s;
    const target = multivariantTarget(query, { startMs: this.time(query, 'start'), endMs: this.time(query, 'end'), nowMs: this.s.now(), liveLookbackMs: this.s.lookbackMs });
    if (target.endMs !== undefined && !(target.endMs > target.startMs && target.endMs - target.startMs <= maxRangeMs))
      throw new BadRequest(400, `end must be after start and at most ${maxRangeMs / 1000} s later`);
    const r = await buildMultivariantPlaylist({ client: this.s.client, bucket: this.s.bucket, prefix: `${this.s.root}/${camera}`, ...target });
    if (r === undefined) throw new BadRequest(404, `no segment of ${JSON.stringify(camera)} stored in the requested window`);
    return { status: 200, headers: { 'content-type': M3U8, 'cache-control': `${this.s.scope}, max-age=${target.maxAgeSeconds}` }, body: r.text };
  }
}
