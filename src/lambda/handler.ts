/**
 * The playlist endpoint as an AWS Lambda function behind API Gateway HTTP API (payload format
 * 2.0): the same routes as `s3hls serve`, so playlists scale with the number of viewers on an
 * existing serverless engine (docs/playback.md shows deployment, an authorizer and CDN caching).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { BodyTooLargeError, collectBody, encodeBuffered } from '../playback/http-body.js';
import { writeClipToS3 } from '../playback/clip-to-s3.js';
import { baseUrlResolver, presignedUrlResolver } from '../playlist/segment-urls.js';
import { createPlaylistRoutes, type ClipDelivery, type PlaylistRoutesOptions, type RouteResponse } from '../server/playlist-routes.js';

/** The parts of an API Gateway HTTP API v2 event the handler reads. */
export interface HttpApiEventV2 {
  readonly version?: string;
  /** Path as sent, percent-encoded (with the stage name first unless the stage is `$default`). */
  readonly rawPath: string;
  readonly rawQueryString?: string;
  /** Header names in lower case. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: { readonly http: { readonly method: string } };
}

/** An API Gateway HTTP API v2 result. */
export interface HttpApiResultV2 {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/**
 * Largest body the handler builds before encoding, bytes. A synchronous Lambda response is at most
 * 6 MB; a gzipped playlist is ~5-8x smaller than its text, base64 adds a third. Beyond this the
 * answer is a 400 naming the limit (ask for a shorter range), never an out-of-memory function.
 */
export const LAMBDA_MAX_BODY_BYTES = 24 * 1024 * 1024;
/** The Lambda response limit (6 MB), minus room for headers. */
const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** Options of {@link createLambdaHandler}: the routes' plus where clips are written. */
export interface LambdaHandlerOptions extends PlaylistRoutesOptions {
  /**
   * Prefix clips are written under (`<prefix>/<uuid>/<camera>_<start>_<end>.mp4`) and answered as
   * a presigned URL (303). @defaultValue 'exports'
   */
  readonly exportsPrefix?: string | undefined;
}

/**
 * The Lambda's clip delivery: the MP4 written to S3, answered `303 See Other` to a presigned URL
 * (a browser follows it to the download) with the same facts as JSON in the body.
 */
function clipToS3(options: LambdaHandlerOptions): (clip: ClipDelivery) => Promise<RouteResponse> {
  return async (clip) => {
    const out = await writeClipToS3({
      client: options.client, bucket: options.bucket, exportsPrefix: options.exportsPrefix ?? 'exports', fileName: clip.fileName, chunks: clip.chunks,
      expiresInSeconds: Number.isFinite(options.urls.validForSeconds) ? options.urls.validForSeconds : 3600,
    });
    return {
      status: 303,
      headers: { location: out.url, 'content-type': 'application/json', 'cache-control': clip.cacheControl },
      body: JSON.stringify({ url: out.url, key: out.key, bytes: out.bytes, expiresAt: out.expiresAt, fileName: clip.fileName }),
    };
  };
}

/**
 * Makes a handler from options.
 *
 * @param options - as for the HTTP endpoint; `accessToken` may be left out when an API Gateway
 *   authorizer checks callers
 * @returns the Lambda handler
 * @throws TypeError/RangeError for bad options
 */
export function createLambdaHandler(options: LambdaHandlerOptions): (event: HttpApiEventV2) => Promise<HttpApiResultV2> {
  // Clips are limited to what one invocation writes well inside API Gateway's 29 s (docs/export.md).
  const handle = createPlaylistRoutes({ maxClipRangeMs: DEFAULT_LAMBDA_CLIP_MS, ...options, deliverClip: clipToS3(options) });
  return async (event) => {
    const headers = event.headers ?? {};
    const res: RouteResponse = await handle({
      method: event.requestContext.http.method,
      rawPath: event.rawPath,
      query: new URLSearchParams(event.rawQueryString ?? ''),
      authorization: headers['authorization'],
    });
    let raw: Buffer;
    try {
      raw = await collectBody(res.body, LAMBDA_MAX_BODY_BYTES);
    } catch (e) {
      if (!(e instanceof BodyTooLargeError)) throw e;
      return tooLarge(res.headers);
    }
    const { headers: out, body } = encodeBuffered(raw, res.headers, headers['accept-encoding']);
    if (out['content-encoding'] === 'gzip') {
      const b64 = body.toString('base64');
      if (b64.length > LAMBDA_MAX_RESPONSE_BYTES) return tooLarge(res.headers);
      return { statusCode: res.status, headers: out, body: b64, isBase64Encoded: true };
    }
    if (body.length > LAMBDA_MAX_RESPONSE_BYTES) return tooLarge(res.headers);
    return { statusCode: res.status, headers: out, body: body.toString('utf8'), isBase64Encoded: false };
  };
}

/** Longest clip the Lambda writes by default: 10 min (~375 MB at 5 Mbit/s, ~16 s of transmuxing). */
export const DEFAULT_LAMBDA_CLIP_MS = 600_000;

function tooLarge(routeHeaders: Record<string, string>): HttpApiResultV2 {
  const cors = Object.fromEntries(Object.entries(routeHeaders).filter(([k]) => k.startsWith('access-control-') || k === 'vary'));
  return {
    statusCode: 400,
    headers: { ...cors, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', vary: routeHeaders['vary'] ? `${routeHeaders['vary']}, accept-encoding` : 'accept-encoding' },
    body: `the answer is larger than a Lambda response may be (6 MB): ask for a shorter range, or use s3hls serve, which streams it\n`,
    isBase64Encoded: false,
  };
}

/**
 * Options from the function's environment:
 * `S3HLS_BUCKET` (required), `S3HLS_ROOT_PREFIX` (required), `S3HLS_PRESIGN_SECONDS` (default 3600)
 * or `S3HLS_BASE_URL` (plain URLs for a public/CDN bucket), `S3HLS_TOKEN` (optional bearer token),
 * `S3HLS_MAX_RANGE_SECONDS`, `S3HLS_MAX_CLIP_SECONDS` (default 600, at most 1800),
 * `S3HLS_EXPORTS_PREFIX` (where clips are written, default `exports`), `S3HLS_LIVE_WINDOW`, `S3HLS_LIVE_GRACE_SECONDS` (how long a hole in a
 * live/EVENT list may still be filled by a late upload, default 30), `S3HLS_CORS_ORIGIN`. The S3 client takes the
 * function role's credentials and `AWS_REGION` from the Lambda runtime.
 *
 * @param env - the environment @defaultValue process.env
 * @returns route options
 * @throws TypeError naming the missing or bad variable
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): LambdaHandlerOptions {
  const bucket = env['S3HLS_BUCKET'];
  const rootPrefix = env['S3HLS_ROOT_PREFIX'];
  if (!bucket) throw new TypeError('S3HLS_BUCKET must be set to the bucket holding the segments');
  if (!rootPrefix) throw new TypeError('S3HLS_ROOT_PREFIX must be set to the prefix the camera folders live under');
  const num = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new TypeError(`${name} must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const client = new S3Client({});
  const baseUrl = env['S3HLS_BASE_URL'];
  const maxRange = num('S3HLS_MAX_RANGE_SECONDS');
  const grace = num('S3HLS_LIVE_GRACE_SECONDS');
  const clipSeconds = num('S3HLS_MAX_CLIP_SECONDS');
  if (clipSeconds !== undefined && !(clipSeconds > 0 && clipSeconds <= 1800)) {
    throw new TypeError(`S3HLS_MAX_CLIP_SECONDS must be in 1..1800 (a clip is written within one API Gateway request, 29 s), got ${clipSeconds}`);
  }
  return {
    client,
    bucket,
    rootPrefix,
    urls: baseUrl ? baseUrlResolver(baseUrl) : presignedUrlResolver({ client, bucket, expiresInSeconds: num('S3HLS_PRESIGN_SECONDS') ?? 3600, onWarning: (m) => console.warn(m) }),
    accessToken: env['S3HLS_TOKEN'] || undefined,
    maxRangeMs: maxRange === undefined ? undefined : maxRange * 1000,
    liveWindow: num('S3HLS_LIVE_WINDOW'),
    liveGraceMs: grace === undefined ? undefined : grace * 1000,
    maxClipRangeMs: clipSeconds === undefined ? undefined : clipSeconds * 1000,
    exportsPrefix: env['S3HLS_EXPORTS_PREFIX'] || undefined,
    corsOrigin: env['S3HLS_CORS_ORIGIN'] || undefined,
    // The page would need hls.js bundled into the function; serve it from `s3hls serve` or a static site.
    playerPage: false,
  };
}

let lazy: ((event: HttpApiEventV2) => Promise<HttpApiResultV2>) | undefined;

/**
 * The Lambda entry point (`handler`), configured from the environment on the first call and
 * reused while the execution environment stays warm.
 *
 * @param event - the API Gateway HTTP API v2 event
 * @returns the HTTP result
 * @throws TypeError on the first call when the environment is incomplete
 */
export async function handler(event: HttpApiEventV2): Promise<HttpApiResultV2> {
  lazy ??= createLambdaHandler(optionsFromEnv());
  return lazy(event);
}
