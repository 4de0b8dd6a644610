/**
 * The playlist endpoint as an AWS Lambda function behind API Gateway HTTP API (payload format
 * 2.0): the same routes as `s3hls serve`, so playlists scale with the number of viewers on an
 * existing serverless engine (docs/playback.md shows deployment, an authorizer and CDN caching).
 *
 * It fails closed (docs/security.md): a bad environment (an empty S3HLS_TOKEN, a range over the
 * cap) answers 500 and logs why, never serves without the token; a malformed event answers 400
 * with a JSON reason; every storage failure is logged once as one JSON line without secrets.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import { BodyTooLargeError, collectBody, encodeBuffered } from '../playback/http-body.js';
import { writeClipToS3 } from '../playback/clip-to-s3.js';
import { baseUrlResolver, presignedUrlResolver } from '../playlist/segment-urls.js';
import { redactUrlCredentials } from '../redact.js';
import { normalizeAccessToken } from '../server/access-token.js';
import { parseCorsOrigins, preflightResponse, withCors, type CorsPolicy } from '../server/cors.js';
import { createPlaylistRoutes, type ClipDelivery, type PlaylistRoutesOptions, type RouteResponse } from '../server/playlist-routes.js';
import { checkEvent, MAX_RANGE_SECONDS_CAP, type HttpApiEventV2, type HttpApiResultV2 } from './event.js';

export type { HttpApiEventV2, HttpApiResultV2 } from './event.js';
export { MAX_RANGE_SECONDS_CAP } from './event.js';

/**
 * Largest body the handler builds before encoding, bytes. A synchronous Lambda response is at most
 * 6 MB; a gzipped playlist is ~5-8x smaller than its text, base64 adds a third. Beyond this the
 * answer is a 400 naming the limit (ask for a shorter range), never an out-of-memory function.
 */
export const LAMBDA_MAX_BODY_BYTES = 24 * 1024 * 1024;
/** The Lambda response limit (6 MB), minus room for headers. */
const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** Options of {@link createLambdaHandler}: the routes' plus where log lines go and clips are written. */
export interface LambdaHandlerOptions extends PlaylistRoutesOptions {
  /** Where the JSON log lines go (CloudWatch Logs via stdout/stderr). @defaultValue console.error */
  readonly log?: ((line: string) => void) | undefined;
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
      client: options.client,
      bucket: options.bucket,
      exportsPrefix: options.exportsPrefix ?? 'exports',
      fileName: clip.fileName,
      chunks: clip.chunks,
      expiresInSeconds: Number.isFinite(options.urls.validForSeconds) ? options.urls.validForSeconds : 3600,
    });
    return {
      status: 303,
      headers: { location: out.url, 'content-type': 'application/json', 'cache-control': clip.cacheControl },
      body: JSON.stringify({ url: out.url, key: out.key, bytes: out.bytes, expiresAt: out.expiresAt, fileName: clip.fileName }),
    };
  };
}

/** JSON answers (errors) are never cached. */
function json(status: number, body: Record<string, string>): HttpApiResultV2 {
  return { statusCode: status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body), isBase64Encoded: false };
}

/**
 * One structured log line: a JSON object with `level` and `msg`, every string redacted.
 *
 * @param log - the sink
 * @param fields - what to log (never a header, a token or a credential)
 */
function logJson(log: (line: string) => void, fields: Record<string, string | number | undefined>): void {
  const clean: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = typeof v === 'string' ? redactUrlCredentials(v) : v;
  log(JSON.stringify(clean));
}

/**
 * The fields of a storage error worth logging: its name, the SDK's HTTP status and request id,
 * and its message. Not the error object itself: SDK errors carry the request (headers with the
 * signature and session token) in `$response`.
 */
function errorFields(e: unknown): Record<string, string | number | undefined> {
  const err = e as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  return { error: err?.name ?? typeof e, message: err?.message ?? String(e), code: err?.code, s3Status: err?.$metadata?.httpStatusCode, s3RequestId: err?.$metadata?.requestId };
}

/**
 * Makes a handler from options.
 *
 * @param options - as for the HTTP endpoint; `accessToken` may be left out when an API Gateway
 *   authorizer checks callers
 * @returns the Lambda handler
 * @throws TypeError/RangeError for bad options (empty token, bad CORS value, bad limits)
 */
export function createLambdaHandler(options: LambdaHandlerOptions): (event: HttpApiEventV2) => Promise<HttpApiResultV2> {
  const log = options.log ?? ((line: string) => console.error(line));
  const token = options.accessToken === undefined ? undefined : normalizeAccessToken(options.accessToken, 'accessToken');
  const cors: CorsPolicy | undefined = options.corsOrigin === undefined ? undefined : parseCorsOrigins(options.corsOrigin, 'corsOrigin');
  // The path of the request being answered, for the storage-failure line (concurrent calls each see their own).
  const current = new AsyncLocalStorage<{ method: string; path: string }>();
  const onError = options.onError ?? ((e: unknown) => logJson(log, { level: 'error', msg: 'storage request failed', ...current.getStore(), ...errorFields(e) }));
  // Clips are limited to what one invocation writes well inside API Gateway's 29 s (docs/export.md).
  const handle = createPlaylistRoutes({ maxClipRangeMs: DEFAULT_LAMBDA_CLIP_MS, ...options, accessToken: token, corsOrigin: undefined, onError, deliverClip: clipToS3(options) });
  const tooLarge = (path: string, bytes: number, gzipped: boolean): HttpApiResultV2 => {
    // Lambda would fail the invocation (API Gateway: 502); say what to change instead.
    logJson(log, { level: 'warn', msg: 'response over the Lambda payload limit', path, bytes });
    return json(400, {
      error: `the answer is ${bytes} bytes, over the ${LAMBDA_MAX_RESPONSE_BYTES}-byte Lambda response limit: ask for a shorter range${gzipped ? '' : ' or send Accept-Encoding: gzip'}, or use s3hls serve, which streams it`,
    });
  };
  const answer = async (event: HttpApiEventV2): Promise<HttpApiResultV2> => {
    const bad = checkEvent(event);
    if (bad !== undefined) {
      logJson(log, { level: 'warn', msg: 'malformed event', reason: bad });
      return json(400, { error: `malformed event: ${bad}` });
    }
    const headers = event.headers ?? {};
    const method = event.requestContext.http.method;
    const origin = headers['origin'];
    if (method === 'OPTIONS' && cors) return { statusCode: 204, headers: preflightResponse(cors, origin).headers, body: '', isBase64Encoded: false };
    let res: RouteResponse = await current.run({ method, path: event.rawPath }, () =>
      handle({ method, rawPath: event.rawPath, query: new URLSearchParams(event.rawQueryString ?? ''), authorization: headers['authorization'] }),
    );
    res = withCors(res, cors, origin);
    // A caller who was authorized (our token, or an API Gateway authorizer) got a per-user answer:
    // a shared cache (CloudFront, a corporate proxy) must not hand it to anyone else.
    const authorized = token !== undefined || headers['authorization'] !== undefined || event.requestContext.authorizer !== undefined;
    if (authorized && res.headers['cache-control']) res = { ...res, headers: { ...res.headers, 'cache-control': res.headers['cache-control'].replace(/\bpublic\b/, 'private') } };
    // A streamed body (a long playlist) is collected up to a bound: a Lambda answer is one buffer.
    let raw: Buffer;
    try {
      raw = await collectBody(res.body, LAMBDA_MAX_BODY_BYTES);
    } catch (e) {
      if (!(e instanceof BodyTooLargeError)) throw e;
      return tooLarge(event.rawPath, LAMBDA_MAX_BODY_BYTES, false);
    }
    // encodeBuffered appends Accept-Encoding to Vary (never replaces: with CORS it varies on Origin too).
    const { headers: out, body } = encodeBuffered(raw, res.headers, headers['accept-encoding'], !/^video\/|^audio\//.test(res.headers['content-type'] ?? ''));
    if (out['content-encoding'] === 'gzip') {
      const b64 = body.toString('base64');
      if (b64.length > LAMBDA_MAX_RESPONSE_BYTES) return tooLarge(event.rawPath, b64.length, true);
      return { statusCode: res.status, headers: out, body: b64, isBase64Encoded: true };
    }
    if (body.length > LAMBDA_MAX_RESPONSE_BYTES) return tooLarge(event.rawPath, body.length, false);
    return { statusCode: res.status, headers: out, body: body.toString('utf8'), isBase64Encoded: false };
  };
  // The catch of last resort (as serve's listenForRequests): an unexpected throw is a 500 and one
  // log line, not an exception into the runtime (an opaque 502 and a possibly recycled environment).
  return async (event) => {
    try {
      return await answer(event);
    } catch (e) {
      logJson(log, { level: 'error', msg: 'request failed', path: typeof event?.rawPath === 'string' ? event.rawPath : undefined, ...errorFields(e) });
      return json(500, { error: 'internal error' });
    }
  };
}

/** Longest clip the Lambda writes by default: 10 min (~375 MB at 5 Mbit/s, ~16 s of transmuxing). */
export const DEFAULT_LAMBDA_CLIP_MS = 600_000;

/**
 * Options from the function's environment:
 * `S3HLS_BUCKET` (required), `S3HLS_ROOT_PREFIX` (required), `S3HLS_PRESIGN_SECONDS` (default 3600)
 * or `S3HLS_BASE_URL` (plain URLs for a public/CDN bucket), `S3HLS_TOKEN` (optional bearer token;
 * set but empty is an error, never "no token"), `S3HLS_MAX_RANGE_SECONDS` (at most
 * {@link MAX_RANGE_SECONDS_CAP}), `S3HLS_MAX_CLIP_SECONDS` (default 600, at most 1800),
 * `S3HLS_EXPORTS_PREFIX` (where clips are written, default `exports`), `S3HLS_LIVE_WINDOW`,
 * `S3HLS_LIVE_GRACE_SECONDS` (how long a hole in a live/EVENT list may still be filled by a late
 * upload, default 30), `S3HLS_CORS_ORIGIN` (`*`, an origin or a comma list). The S3 client takes
 * the function role's credentials and `AWS_REGION` from the Lambda runtime.
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
  const maxRange = num('S3HLS_MAX_RANGE_SECONDS');
  if (maxRange !== undefined && !(Number.isInteger(maxRange) && maxRange >= 1 && maxRange <= MAX_RANGE_SECONDS_CAP)) {
    throw new TypeError(`S3HLS_MAX_RANGE_SECONDS must be a whole number of seconds in 1..${MAX_RANGE_SECONDS_CAP} (24 h), got ${JSON.stringify(env['S3HLS_MAX_RANGE_SECONDS'])}`);
  }
  const token = env['S3HLS_TOKEN'];
  const cors = env['S3HLS_CORS_ORIGIN'];
  if (cors !== undefined) parseCorsOrigins(cors, 'S3HLS_CORS_ORIGIN'); // named here: createLambdaHandler would say corsOrigin
  const client = new S3Client({});
  const baseUrl = env['S3HLS_BASE_URL'];
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
    accessToken: token === undefined ? undefined : normalizeAccessToken(token, 'S3HLS_TOKEN'),
    maxRangeMs: maxRange === undefined ? undefined : maxRange * 1000,
    liveWindow: num('S3HLS_LIVE_WINDOW'),
    liveGraceMs: grace === undefined ? undefined : grace * 1000,
    maxClipRangeMs: clipSeconds === undefined ? undefined : clipSeconds * 1000,
    exportsPrefix: env['S3HLS_EXPORTS_PREFIX'] || undefined,
    corsOrigin: cors,
    // The page would need hls.js bundled into the function; serve it from `s3hls serve` or a static site.
    playerPage: false,
  };
}

/**
 * A handler configured from an environment on its first call and reused while the execution
 * environment stays warm. A configuration error is not thrown into the runtime (that is an opaque
 * 502): each call answers 500 `{"error":"configuration error ..."}` and logs one JSON line naming
 * the variable, until the configuration is fixed.
 *
 * @param env - the environment @defaultValue process.env
 * @param log - where JSON log lines go @defaultValue console.error
 * @returns the Lambda handler
 */
export function createEnvHandler(
  env: Readonly<Record<string, string | undefined>> = process.env,
  log: (line: string) => void = (l) => console.error(l),
): (event: HttpApiEventV2) => Promise<HttpApiResultV2> {
  let ready: ((event: HttpApiEventV2) => Promise<HttpApiResultV2>) | undefined;
  return async (event) => {
    if (ready === undefined) {
      try {
        ready = createLambdaHandler({ ...optionsFromEnv(env), log });
      } catch (e) {
        logJson(log, { level: 'error', msg: 'configuration error', error: (e as Error).name, message: (e as Error).message });
        return json(500, { error: 'configuration error: see the function log' });
      }
    }
    return ready(event);
  };
}

let lazy: ((event: HttpApiEventV2) => Promise<HttpApiResultV2>) | undefined;

/**
 * The Lambda entry point (`handler`): {@link createEnvHandler} on `process.env`.
 *
 * @param event - the API Gateway HTTP API v2 event
 * @returns the HTTP result (500 with a log line when the environment is incomplete or wrong)
 */
export async function handler(event: HttpApiEventV2): Promise<HttpApiResultV2> {
  lazy ??= createEnvHandler();
  return lazy(event);
}
