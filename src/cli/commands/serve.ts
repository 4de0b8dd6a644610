/**
 * `s3hls serve`: the playlist endpoint and player page.
 *
 *     s3hls serve --bucket B --root-prefix P [--host 127.0.0.1] [--port 8080] [--token T] [--public]
 *                 [--presign SECONDS | --base-url URL] [--cors ORIGIN[,ORIGIN...] | --cors '*']
 *                 [--max-range SECONDS] [--live-window N] [--live-grace SECONDS]
 *                 [--endpoint URL --path-style] [--region R]
 *
 * The token may come from `S3HLS_TOKEN` instead of the flag (keeps it out of `ps`). Every setting
 * is checked before listening (exit 2 naming the flag): see docs/security.md.
 */
import { parseArgs } from 'node:util';
import { startPlaylistServer } from '../../server/playlist-server.js';
import { intFlag, STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';
import { normalizeAccessToken } from '../../server/access-token.js';
import { parseCorsOrigins } from '../../server/cors.js';
import { redactingWriter } from '../../redact.js';
import type { CommandIo } from './playlist.js';

/**
 * Runs `s3hls serve` until `signal` aborts (or SIGINT/SIGTERM when no signal is given).
 *
 * @param argv - the arguments after `serve`
 * @param options - `signal` to stop, `onListening(url)` once bound, output streams
 * @returns the exit status: 0 after a clean stop, 2 for a usage error, 1 when listening failed
 */
export async function runServe(argv: readonly string[], options: { signal?: AbortSignal; onListening?: (url: string) => void } & CommandIo = {}): Promise<number> {
  // Storage errors and request failures are printed: keep any URL password out of them.
  const out = redactingWriter(options.stdout ?? process.stdout);
  const err = redactingWriter(options.stderr ?? process.stderr);
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: {
        ...STORE_FLAGS,
        'root-prefix': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        public: { type: 'boolean' },
        cors: { type: 'string' },
        'max-range': { type: 'string' },
        'live-window': { type: 'string' },
        'live-grace': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!v['root-prefix']) throw new UsageError('--root-prefix is required (the folder holding one folder per camera)');
    const token = tokenFrom(v.token, process.env['S3HLS_TOKEN']);
    if (v.cors !== undefined) usage(() => parseCorsOrigins(v.cors as string, '--cors'));
    if (v.host !== undefined && v.host.trim() === '')
      throw new UsageError('--host must not be empty (an empty address binds every interface): give 127.0.0.1, 0.0.0.0 or an address');
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
        allowPublic: v.public === true,
        corsOrigin: v.cors,
        maxRangeMs: v['max-range'] !== undefined ? intFlag(v['max-range'], 'max-range', 1, 31 * 86400) * 1000 : undefined,
        liveWindow: v['live-window'] !== undefined ? intFlag(v['live-window'], 'live-window', 1, 1000) : undefined,
        liveGraceMs: v['live-grace'] !== undefined ? intFlag(v['live-grace'], 'live-grace', 0, 3600) * 1000 : undefined,
        onWarning: warn,
        onError: (e) => err.write(`s3hls: storage request failed: ${(e as Error).name}: ${(e as Error).message}\n`),
        onRequestError: (line) => err.write(`${line}\n`),
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

/** Runs a check, turning its TypeError into a UsageError (exit 2). */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The token from `--token` or, failing that, `S3HLS_TOKEN`, trimmed. A flag or variable that is
 * set but empty is an error, never "no token": it used to switch authentication off silently.
 *
 * @param flag - the `--token` value
 * @param env - the `S3HLS_TOKEN` value
 * @returns the token, or undefined when neither is set
 * @throws UsageError for an empty, whitespace-only, short or whitespace-holding token
 */
function tokenFrom(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) return usage(() => normalizeAccessToken(flag, '--token'));
  if (env !== undefined) return usage(() => normalizeAccessToken(env, 'S3HLS_TOKEN'));
  return undefined;
}
