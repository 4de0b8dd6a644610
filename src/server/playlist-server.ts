/**
 * The playlist endpoint on node:http: the routes of playlist-routes.ts plus gzip, HEAD, CORS, the
 * static files from memory (static-assets.ts), and the safety rules checked before listening:
 * the bind address (127.0.0.1 unless told otherwise; a non-loopback address needs a token or an
 * explicit `allowPublic`), the token, and the CORS setting. Every request is answered inside one
 * catch: whatever a route does, the client gets a 500, one line is logged, and the process lives on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { encodeBuffered, isStreamed, writeAnswer } from '../playback/http-body.js';
import { redactUrlCredentials } from '../redact.js';
import { normalizeAccessToken } from './access-token.js';
import { parseCorsOrigins, preflightResponse, withCors, type CorsPolicy } from './cors.js';
import { createPlaylistRoutes, type PlaylistRoutesOptions, type RouteResponse } from './playlist-routes.js';
import { StaticAssets } from './static-assets.js';
import { TurnBudgetQueue } from './turn-budget-queue.js';

/** Options of {@link startPlaylistServer}. */
export interface PlaylistServerOptions extends PlaylistRoutesOptions {
  /** Address to bind: an IP address or a host name, never empty. @defaultValue '127.0.0.1' */
  readonly host?: string | undefined;
  /** Port; 0 picks a free one. @defaultValue 0 */
  readonly port?: number | undefined;
  /**
   * Allow a non-loopback `host` without an `accessToken` (an authenticating reverse proxy in front,
   * or a deliberately open LAN viewer). Without it such a start is refused. @defaultValue false
   */
  readonly allowPublic?: boolean | undefined;
  /** Where warnings go (public bind without a token, expiring credentials). @defaultValue console.warn */
  readonly onWarning?: ((message: string) => void) | undefined;
  /** Where the one line per failed request goes (a route or the transport threw). @defaultValue console.error */
  readonly onRequestError?: ((line: string) => void) | undefined;
}

/** A running endpoint. */
export interface PlaylistServer {
  /** Base URL, e.g. `http://127.0.0.1:8080` (IPv6 hosts in brackets). */
  readonly url: string;
  /** The port it listens on (the one picked when 0 was asked). */
  readonly port: number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/**
 * A response ready for the wire: encoded bytes (Content-Length and any Content-Encoding set), or a
 * streamed body (a long playlist, a clip) that is written chunked, gzipped when it pays, with
 * backpressure (playback/http-body.ts writeAnswer).
 */
export interface WireResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Record<string, string>;
  /** Encoded bytes, or chunks to stream. */
  readonly body: Buffer | AsyncIterable<string | Uint8Array>;
}

/**
 * An answer that is ready before any route runs (a static file from memory): written from a
 * {@link TurnBudgetQueue}, a few milliseconds of them per event-loop turn.
 */
export interface FixedResponse {
  /** HTTP status. */
  readonly status: number;
  /** Headers as an object, or as a flat name, value, … list (built once, shared between requests). */
  readonly headers: Readonly<Record<string, string>> | readonly string[];
  /** The bytes (not sent for HEAD). */
  readonly body: Buffer;
}

/**
 * Whether an address only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`.
 *
 * @param host - the bind address
 * @returns true for loopback
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * Encodes a buffered route response for the wire: gzip when the client accepts it and it pays
 * (playback/http-body.ts, the helper the Lambda handler uses too); media is never gzipped.
 *
 * @param res - the route's response (a string or bytes body)
 * @param acceptEncoding - the request's Accept-Encoding header
 * @returns headers and body bytes
 * @throws TypeError for a streamed body (it goes to the wire as it is, see {@link listenForRequests})
 */
export function encodeResponse(res: RouteResponse, acceptEncoding: string | undefined): { headers: Record<string, string>; body: Buffer } {
  if (isStreamed(res.body)) throw new TypeError('encodeResponse takes a buffered body; streamed bodies are written as they come');
  const compressible = !/^video\/|^audio\//.test(res.headers['content-type'] ?? '');
  const { headers, body } = encodeBuffered(typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : Buffer.from(res.body), res.headers, acceptEncoding, compressible);
  return { headers: { ...headers, 'content-length': String(body.length) }, body };
}

/** The checked settings of a server. */
interface CheckedConfig {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly cors: CorsPolicy | undefined;
}

/**
 * Checks everything that can be checked before listening, so a bad value stops the start instead
 * of the first request.
 *
 * @param options - the server options
 * @returns host, port, trimmed token, CORS policy
 * @throws TypeError for an empty or malformed host, a bad token or CORS value, or a non-loopback
 *   host without a token and without `allowPublic`; RangeError for a bad port
 */
export function checkServerConfig(options: PlaylistServerOptions): CheckedConfig {
  const host = options.host ?? '127.0.0.1';
  // An empty host makes node bind every interface: the opposite of what an empty value suggests.
  if (typeof host !== 'string' || host.trim() === '')
    throw new TypeError('host must not be empty: give an address to bind (127.0.0.1 for this machine only, 0.0.0.0 for every interface)');
  if (isIP(host) === 0 && !/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/i.test(host)) throw new TypeError(`host must be an IP address or a host name, got ${JSON.stringify(host)}`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in 0..65535, got ${port}`);
  const token = options.accessToken === undefined ? undefined : normalizeAccessToken(options.accessToken, 'accessToken');
  const cors = options.corsOrigin === undefined ? undefined : parseCorsOrigins(options.corsOrigin, 'corsOrigin');
  if (!isLoopback(host) && token === undefined && options.allowPublic !== true) {
    throw new TypeError(
      `refusing to serve on ${host} without an access token: anyone who can reach it could list cameras and get segment URLs. Set a token (--token or S3HLS_TOKEN), bind 127.0.0.1, or pass --public (allowPublic) when a proxy in front checks callers`,
    );
  }
  return { host, port, token, cors };
}

/**
 * Starts the endpoint.
 *
 * @param options - see {@link PlaylistServerOptions}
 * @returns the URL, port and `close()`
 * @throws TypeError/RangeError for bad options (see {@link checkServerConfig}); the listen error (EADDRINUSE, EACCES)
 */
export async function startPlaylistServer(options: PlaylistServerOptions): Promise<PlaylistServer> {
  const cfg = checkServerConfig(options);
  const warn = options.onWarning ?? ((m: string) => console.warn(`s3hls: warning: ${m}`));
  if (!isLoopback(cfg.host) && cfg.token === undefined) {
    warn(`serving on ${cfg.host} without an access token (allowed by --public): anyone who can reach it can list cameras and get segment URLs`);
  }
  // CORS is applied here, per request origin (a list echoes the caller's origin): the routes get none.
  const handle = createPlaylistRoutes({ ...options, accessToken: cfg.token, corsOrigin: undefined });
  const assets = options.playerPage === false ? undefined : await StaticAssets.build(handle);
  return listenForRequests(
    async (req) => {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const rawPath = q === -1 ? raw : raw.slice(0, q);
      const method = req.method ?? 'GET';
      const origin = req.headers.origin;
      if (method === 'OPTIONS' && cfg.cors) return { status: 204, ...encodeResponse(preflightResponse(cfg.cors, origin), undefined) };
      const out = withCors(
        await handle({ method, rawPath, query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)), authorization: req.headers.authorization }),
        cfg.cors,
        origin,
      );
      if (isStreamed(out.body)) return { status: out.status, headers: out.headers, body: out.body };
      return { status: out.status, ...encodeResponse(out, req.headers['accept-encoding']) };
    },
    { host: cfg.host, port: cfg.port, onRequestError: options.onRequestError, answerFixed: assets && ((req) => staticAnswer(assets, cfg.cors, req)) },
  );
}

/**
 * The static file a request asks for, answered from memory before any URL parsing or auth (they
 * are public, and they are what a flood asks for).
 *
 * @param assets - the server's static files
 * @param cors - the CORS policy, if any
 * @param req - the request
 * @returns the answer, or undefined when the request is not for a static file (or not GET/HEAD)
 */
function staticAnswer(assets: StaticAssets, cors: CorsPolicy | undefined, req: IncomingMessage): FixedResponse | undefined {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const fixed = assets.answer(req.method ?? 'GET', q === -1 ? raw : raw.slice(0, q), { ifNoneMatch: req.headers['if-none-match'], acceptEncoding: req.headers['accept-encoding'] });
  if (!fixed) return undefined;
  // Without CORS the prebuilt header list goes out as it is; with it, the origin decides the headers.
  if (!cors) return { status: fixed.status, headers: fixed.rawHeaders, body: fixed.body };
  return { status: fixed.status, headers: withCors({ status: fixed.status, headers: { ...fixed.headers }, body: '' }, cors, req.headers.origin).headers, body: fixed.body };
}

/**
 * The transport under {@link startPlaylistServer}: listens, answers each request with what
 * `respond` returns (no body for HEAD), and catches everything. When `respond` throws or rejects,
 * or writing the answer throws, the client gets `500 internal error` (or, when the headers were
 * already sent, a closed connection), `onRequestError` gets one line naming the method, path and
 * error, and the server keeps serving.
 *
 * @param respond - makes the answer for a request
 * @param options - where to listen; where failure lines go @defaultValue console.error
 * @returns the URL, port and `close()`
 * @throws the listen error (EADDRINUSE, EACCES)
 */
export async function listenForRequests(
  respond: (req: IncomingMessage) => Promise<WireResponse>,
  options: {
    readonly host: string;
    readonly port: number;
    readonly onRequestError?: ((line: string) => void) | undefined;
    /** Answers known without a route (static files); written a time budget per event-loop turn. */
    readonly answerFixed?: ((req: IncomingMessage) => FixedResponse | undefined) | undefined;
  },
): Promise<PlaylistServer> {
  const logLine = options.onRequestError ?? ((line: string) => console.error(line));
  const fixedQueue = new TurnBudgetQueue((e) => logLine(`s3hls: static answer failed: ${e instanceof Error ? e.message : String(e)}`));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let fixed: FixedResponse | undefined;
    try {
      fixed = options.answerFixed?.(req);
    } catch (e) {
      failRequest(req, res, e, logLine);
      return;
    }
    if (fixed) {
      const out = fixed;
      fixedQueue.push(() => writeFixed(req, res, out, logLine));
      return;
    }
    void (async () => {
      try {
        const out = await respond(req);
        if (Buffer.isBuffer(out.body)) {
          res.writeHead(out.status, out.headers);
          res.end(req.method === 'HEAD' ? undefined : out.body);
        } else {
          // Streamed: a failure after the headers went out ends in a cut connection (below).
          await writeAnswer(res, { status: out.status, headers: out.headers, body: out.body }, { method: req.method ?? 'GET', acceptEncoding: req.headers['accept-encoding'] });
        }
      } catch (e) {
        failRequest(req, res, e, logLine);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Writes a queued fixed answer, unless the client went away while it waited.
 *
 * @param req - the request
 * @param res - its response
 * @param out - the answer
 * @param logLine - where a failure line goes
 */
function writeFixed(req: IncomingMessage, res: ServerResponse, out: FixedResponse, logLine: (line: string) => void): void {
  if (res.destroyed) return;
  try {
    // writeHead takes a flat list as it is (no copy, no mutation); its type just is not readonly.
    res.writeHead(out.status, out.headers as string[] | Record<string, string>);
    res.end(req.method === 'HEAD' ? undefined : out.body);
  } catch (e) {
    failRequest(req, res, e, logLine);
  }
}

/**
 * The catch of every request: one line naming the method and path (never the query: it is the
 * caller's business, and a header may carry the token), then a 500, or a cut connection when the
 * headers already went out.
 *
 * @param req - the request
 * @param res - its response
 * @param e - what was thrown
 * @param logLine - where the line goes
 */
function failRequest(req: IncomingMessage, res: ServerResponse, e: unknown, logLine: (line: string) => void): void {
  const path = (req.url ?? '/').split('?')[0];
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  logLine(redactUrlCredentials(`s3hls: ${req.method ?? '?'} ${path} failed: ${what}`.replace(/\s*[\r\n]+\s*/g, ' ')));
  try {
    if (res.headersSent) res.destroy();
    else {
      res.removeHeader('content-length');
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('internal error\n');
    }
  } catch {
    res.destroy();
  }
}
