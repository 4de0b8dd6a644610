/**
 * The endpoint the player page tests run against: `startPlaylistServer` as it is, with an INTERIM
 * stand-in for the two routes the page needs that another branch (`playback`, issue 12 §1/§2) adds
 * to the endpoint itself:
 *
 *     GET /cameras/<camera>/recordings.json?start=&end=   querySpans → [{start, end, segments}]
 *     GET /cameras/<camera>/clip.mp4?start=&end=          exportClip → fMP4, Content-Disposition: attachment
 *
 * At start it asks the real endpoint for each route; only a route the endpoint answers with its
 * generic 404 ("not found") is served here, everything else is passed through unchanged. Once
 * the endpoint has the routes (after the merge), the tests exercise the real ones and this
 * stand-in does nothing: delete it then. Not shipped: it lives under test/.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { validateCameraId } from '../../src/keys/object-keys.js';
import { parseTimeParam } from '../../src/playlist/time-param.js';
import { querySpans, spanToJson } from '../../src/recordings/spans.js';
import { exportClip, ExportRangeError } from '../../src/export/clip-exporter.js';
import { startPlaylistServer, type PlaylistServerOptions } from '../../src/server/playlist-server.js';

/** A running endpoint for page tests. */
export interface PageServer {
  readonly url: string;
  /** Which routes the stand-in serves (false: the real endpoint has them). */
  readonly interim: { readonly recordings: boolean; readonly clip: boolean };
  close(): Promise<void>;
}

async function routeMissing(base: string, path: string, token: string | undefined): Promise<boolean> {
  const q = 'start=2026-01-01T00:00:00Z&end=2026-01-01T00:10:00Z';
  const r = await fetch(`${base}/cameras/probe-camera/${path}?${q}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await r.text();
  return r.status === 404 && body.trim() === 'not found';
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(message + '\n');
}

/** Starts the endpoint and, for routes it lacks, the stand-in in front of it. */
export async function startPageServer(options: PlaylistServerOptions): Promise<PageServer> {
  const inner = await startPlaylistServer(options);
  const interim = {
    recordings: await routeMissing(inner.url, 'recordings.json', options.accessToken),
    clip: await routeMissing(inner.url, 'clip.mp4', options.accessToken),
  };
  const root = options.rootPrefix;

  async function stand(req: IncomingMessage, res: ServerResponse, camera: string, route: string, query: URLSearchParams): Promise<void> {
    if (options.accessToken !== undefined && req.headers.authorization !== `Bearer ${options.accessToken}`) return text(res, 401, 'missing or wrong bearer token');
    let startMs: number;
    let endMs: number;
    try {
      startMs = parseTimeParam(query.get('start') ?? '', 'start');
      endMs = parseTimeParam(query.get('end') ?? '', 'end');
    } catch (e) {
      return text(res, 400, (e as Error).message);
    }
    const prefix = `${root}/${camera}`;
    if (route === 'recordings.json') {
      const { spans } = await querySpans({ client: options.client, bucket: options.bucket, prefix, startMs, endMs });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(spans.map(spanToJson)));
      return;
    }
    const chunks = exportClip({ client: options.client, bucket: options.bucket, prefix, startMs, endMs });
    let first: IteratorResult<Uint8Array>;
    try {
      first = await chunks.next();
    } catch (e) {
      if (e instanceof ExportRangeError) return text(res, 400, e.message);
      throw e;
    }
    const name = `${camera}_${new Date(startMs).toISOString()}_${new Date(endMs).toISOString()}.mp4`.replace(/:/g, '-');
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });
    for (let c = first; !c.done; c = await chunks.next()) {
      if (!res.write(c.value)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  const front = createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const parts = (q === -1 ? raw : raw.slice(0, q)).split('/');
    const route = parts[3] ?? '';
    const mine = parts.length === 4 && parts[1] === 'cameras' && ((route === 'recordings.json' && interim.recordings) || (route === 'clip.mp4' && interim.clip));
    if (mine && req.method === 'GET') {
      let camera: string;
      try {
        camera = validateCameraId(decodeURIComponent(parts[2]));
      } catch {
        return text(res, 400, 'bad camera id');
      }
      stand(req, res, camera, route, new URLSearchParams(q === -1 ? '' : raw.slice(q + 1))).catch(() => {
        if (!res.headersSent) text(res, 502, 'storage request failed');
        else res.destroy();
      });
      return;
    }
    const proxied = request(`${inner.url}${raw}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    proxied.on('error', () => text(res, 502, 'proxy failed'));
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const addr = front.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    interim,
    close: async () => {
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        front.closeAllConnections();
      });
      await inner.close();
    },
  };
}
