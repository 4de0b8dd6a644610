/**
 * `s3hls serve`: the playlist endpoint and player page.
 *
 *     s3hls serve --bucket B --root-prefix P [--host 127.0.0.1] [--port 8080] [--token T]
 *                 [--presign SECONDS | --base-url URL] [--cors ORIGIN] [--max-range SECONDS]
 *                 [--live-window N] [--live-grace SECONDS] [--endpoint URL --path-style] [--region R]
 *
 * The token may come from `S3HLS_TOKEN` instead of the flag (keeps it out of `ps`).
 */
import { parseArgs } from 'node:util';
import { startPlaylistServer } from '../../server/playlist-server.js';
import { intFlag, STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';
import type { CommandIo } from './playlist.js';

/**
 * Runs `s3hls serve` until `signal` aborts (or SIGINT/SIGTERM when no signal is given).
 *
 * @param argv - the arguments after `serve`
 * @param options - `signal` to stop, `onListening(url)` once bound, output streams
 * @returns the exit status: 0 after a clean stop, 2 for a usage error, 1 when listening failed
 */
export async function runServe(
  argv: readonly string[],
  options: { signal?: AbortSignal; onListening?: (url: string) => void } & CommandIo = {},
): Promise<number> {
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: {
        ...STORE_FLAGS,
        'root-prefix': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        cors: { type: 'string' },
        'max-range': { type: 'string' },
        'live-window': { type: 'string' },
        'live-grace': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!v['root-prefix']) throw new UsageError('--root-prefix is required (the folder holding one folder per camera)');
    const token = v.token ?? (process.env['S3HLS_TOKEN'] || undefined);
    if (token !== undefined && token.length < 16) throw new UsageError('the access token must be at least 16 characters');
    const warn = (m: string): void => void err.write(`s3hls: warning: ${m}\n`);
    const store = storeFromFlags(v, warn);
    let server;
    try {
      server = await startPlaylistServer({
        ...store,
        rootPrefix: v['root-prefix'],
        host: v.host ?? '127.0.0.1',
        port: v.port !== undefined ? intFlag(v.port, 'port', 0, 65535) : 8080,
        accessToken: token,
        corsOrigin: v.cors,
        maxRangeMs: v['max-range'] !== undefined ? intFlag(v['max-range'], 'max-range', 1, 31 * 86400) * 1000 : undefined,
        liveWindow: v['live-window'] !== undefined ? intFlag(v['live-window'], 'live-window', 1, 1000) : undefined,
        liveGraceMs: v['live-grace'] !== undefined ? intFlag(v['live-grace'], 'live-grace', 0, 3600) * 1000 : undefined,
        onWarning: warn,
        onError: (e) => err.write(`s3hls: storage request failed: ${(e as Error).name}: ${(e as Error).message}\n`),
      });
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(e.message);
      err.write(`s3hls: cannot listen: ${(e as Error).message}\n`);
      return 1;
    }
    out.write(`s3hls: serving ${server.url}/\n`);
    options.onListening?.(server.url);
    await new Promise<void>((resolve) => {
      if (options.signal) {
        if (options.signal.aborted) resolve();
        else options.signal.addEventListener('abort', () => resolve(), { once: true });
      } else {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }
    });
    await server.close();
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`s3hls: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}
