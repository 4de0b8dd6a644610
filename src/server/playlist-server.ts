/**
 * The playlist endpoint on node:http: the routes of playlist-routes.ts plus gzip, HEAD, and the
 * bind-address safety rule (127.0.0.1 unless told otherwise; a warning when a public address has
 * no token).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { encodeBuffered, isStreamed, writeAnswer } from '../playback/http-body.js';
import { createPlaylistRoutes, type PlaylistRoutesOptions, type RouteResponse } from './playlist-routes.js';

/** Options of {@link startPlaylistServer}. */
export interface PlaylistServerOptions extends PlaylistRoutesOptions {
  /** Address to bind. @defaultValue '127.0.0.1' */
  readonly host?: string | undefined;
  /** Port; 0 picks a free one. @defaultValue 0 */
  readonly port?: number | undefined;
  /** Where warnings go (public bind without a token, expiring credentials). @defaultValue console.warn */
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** A running endpoint. */
export interface PlaylistServer {
  /** Base URL, e.g. `http://127.0.0.1:8080` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/**
 * Encodes a buffered route response for the wire: gzip when the client accepts it and it pays
 * (playback/http-body.ts, the helper the Lambda handler uses too).
 *
 * @param res - the route's response (a string or bytes body)
 * @param acceptEncoding - the request's Accept-Encoding header
 * @returns headers and body bytes
 * @throws TypeError for a streamed body (use writeAnswer)
 */
export function encodeResponse(res: RouteResponse, acceptEncoding: string | undefined): { headers: Record<string, string>; body: Buffer } {
  if (isStreamed(res.body)) throw new TypeError('encodeResponse takes a buffered body; streamed bodies go through writeAnswer');
  const { headers, body } = encodeBuffered(typeof res.body === 'string' ? Buffer.from(res.body, 'utf8') : Buffer.from(res.body), res.headers, acceptEncoding);
  return { headers: { ...headers, 'content-length': String(body.length) }, body };
}

/**
 * Starts the endpoint.
 *
 * @param options - see {@link PlaylistServerOptions}
 * @returns the URL, port and `close()`
 * @throws TypeError/RangeError for bad options; the listen error (EADDRINUSE, EACCES)
 */
export async function startPlaylistServer(options: PlaylistServerOptions): Promise<PlaylistServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in 0..65535, got ${port}`);
  const warn = options.onWarning ?? ((m: string) => console.warn(`s3hls: warning: ${m}`));
  if (!LOOPBACK.has(host) && options.accessToken === undefined) {
    warn(`serving on ${host} without an access token: anyone who can reach it can list cameras and get presigned segment URLs (set --token or S3HLS_TOKEN)`);
  }
  const handle = createPlaylistRoutes(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    handle({
      method: req.method ?? 'GET',
      rawPath: q === -1 ? raw : raw.slice(0, q),
      query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)),
      authorization: req.headers.authorization,
    })
      .then((out) => writeAnswer(res, out, { method: req.method ?? 'GET', acceptEncoding: req.headers['accept-encoding'] }))
      .catch(() => {
        // Mid-stream (headers sent) the only honest signal is a cut connection.
        if (res.headersSent) res.destroy();
        else {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error\n');
        }
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
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
