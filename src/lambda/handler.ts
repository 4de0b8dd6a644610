/**
 * The playlist endpoint as an AWS Lambda function behind API Gateway HTTP API (payload format
 * 2.0): the same routes as `s3hls serve`, so playlists scale with the number of viewers on an
 * existing serverless engine (docs/playback.md shows deployment, an authorizer and CDN caching).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { baseUrlResolver, presignedUrlResolver } from '../playlist/segment-urls.js';
import { createPlaylistRoutes, type PlaylistRoutesOptions, type RouteResponse } from '../server/playlist-routes.js';

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

/** Bodies at least this long are gzipped when the client accepts it (API Gateway passes the bytes through). */
const GZIP_MIN_BYTES = 512;

/**
 * Makes a handler from options.
 *
 * @param options - as for the HTTP endpoint; `accessToken` may be left out when an API Gateway
 *   authorizer checks callers
 * @returns the Lambda handler
 * @throws TypeError/RangeError for bad options
 */
export function createLambdaHandler(options: PlaylistRoutesOptions): (event: HttpApiEventV2) => Promise<HttpApiResultV2> {
  const handle = createPlaylistRoutes(options);
  return async (event) => {
    const headers = event.headers ?? {};
    const res: RouteResponse = await handle({
      method: event.requestContext.http.method,
      rawPath: event.rawPath,
      query: new URLSearchParams(event.rawQueryString ?? ''),
      authorization: headers['authorization'],
    });
    // Append, never replace: with CORS the routes already vary on Origin, and a cache keyed on one
    // header only would hand one origin's (or one encoding's) answer to another. Both branches
    // vary on Accept-Encoding, as the HTTP server does (playlist-server.ts encodeResponse).
    const vary = res.headers['vary'] ? `${res.headers['vary']}, accept-encoding` : 'accept-encoding';
    if (res.body.length >= GZIP_MIN_BYTES && /\bgzip\b/i.test(headers['accept-encoding'] ?? '')) {
      return { statusCode: res.status, headers: { ...res.headers, 'content-encoding': 'gzip', vary }, body: gzipSync(res.body).toString('base64'), isBase64Encoded: true };
    }
    return { statusCode: res.status, headers: { ...res.headers, vary }, body: res.body, isBase64Encoded: false };
  };
}

/**
 * Options from the function's environment:
 * `S3HLS_BUCKET` (required), `S3HLS_ROOT_PREFIX` (required), `S3HLS_PRESIGN_SECONDS` (default 3600)
 * or `S3HLS_BASE_URL` (plain URLs for a public/CDN bucket), `S3HLS_TOKEN` (optional bearer token),
 * `S3HLS_MAX_RANGE_SECONDS`, `S3HLS_LIVE_WINDOW`, `S3HLS_LIVE_GRACE_SECONDS` (how long a hole in a
 * live/EVENT list may still be filled by a late upload, default 30), `S3HLS_CORS_ORIGIN`. The S3 client takes the
 * function role's credentials and `AWS_REGION` from the Lambda runtime.
 *
 * @param env - the environment @defaultValue process.env
 * @returns route options
 * @throws TypeError naming the missing or bad variable
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PlaylistRoutesOptions {
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
  return {
    client,
    bucket,
    rootPrefix,
    urls: baseUrl ? baseUrlResolver(baseUrl) : presignedUrlResolver({ client, bucket, expiresInSeconds: num('S3HLS_PRESIGN_SECONDS') ?? 3600, onWarning: (m) => console.warn(m) }),
    accessToken: env['S3HLS_TOKEN'] || undefined,
    maxRangeMs: maxRange === undefined ? undefined : maxRange * 1000,
    liveWindow: num('S3HLS_LIVE_WINDOW'),
    liveGraceMs: grace === undefined ? undefined : grace * 1000,
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
