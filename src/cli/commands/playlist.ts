/**
 * `s3hls playlist`: prints a media playlist of what is stored under a camera prefix.
 *
 *     s3hls playlist --bucket B --prefix P [--start T] [--end T] [--live [--window N]]
 *                    [--presign SECONDS | --base-url URL] [--endpoint URL --path-style] [--region R]
 *     s3hls playlist --multivariant [--media-uri URI] ...   the multivariant playlist instead
 */
import { parseArgs } from 'node:util';
import { validatePrefix } from '../../keys/object-keys.js';
import { DEFAULT_LIVE_WINDOW } from '../../playlist/live-window.js';
import { buildMultivariantPlaylist, multivariantTarget } from '../../playlist/multivariant.js';
import { PlaybackService } from '../../playback/playback-service.js';
import { nearestPrefixes } from '../../playback/nearest-prefixes.js';
import { parseTimeParam, TimeParamError } from '../../playlist/time-param.js';
import { intFlag, STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';

/** Where the command writes (tests pass their own). */
export interface CommandIo {
  readonly stdout?: { write(s: string): unknown } | undefined;
  readonly stderr?: { write(s: string): unknown } | undefined;
}

/**
 * Runs `s3hls playlist`.
 *
 * @param argv - the arguments after `playlist`
 * @param io - output streams @defaultValue process.stdout / process.stderr
 * @returns the exit status: 0, 2 for a usage error, 1 when S3 failed or nothing at all is stored under the prefix
 */
export async function runPlaylist(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: {
        ...STORE_FLAGS,
        prefix: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        live: { type: 'boolean' },
        window: { type: 'string' },
        multivariant: { type: 'boolean' },
        'media-uri': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!v.prefix) throw new UsageError('--prefix is required (the camera folder, e.g. cameras/front-door)');
    let prefix: string;
    try {
      prefix = validatePrefix(v.prefix);
    } catch (e) {
      throw new UsageError(`--prefix: ${(e as Error).message}`);
    }
    const startMs = v.start !== undefined ? parseTimeParam(v.start, '--start') : undefined;
    const endMs = v.end !== undefined ? parseTimeParam(v.end, '--end') : undefined;
    if (startMs !== undefined && endMs !== undefined && endMs <= startMs) throw new UsageError('--end must be after --start');
    if (v.window !== undefined && !v.live) throw new UsageError('--window only applies with --live');
    const windowSize = v.window !== undefined ? intFlag(v.window, 'window', 1, 10_000) : DEFAULT_LIVE_WINDOW;
    const store = storeFromFlags(v, (m) => err.write(`s3hls: warning: ${m}\n`));
    if (v['media-uri'] !== undefined && !v.multivariant) throw new UsageError('--media-uri only applies with --multivariant');
    const service = new PlaybackService({ client: store.client, bucket: store.bucket, urls: store.urls });
    if (!(await service.hasObjects(prefix))) {
      // A typo in --prefix is the usual cause: an empty playlist with exit 0 would hide it.
      const near = await nearestPrefixes(store.client, store.bucket, prefix);
      err.write(
        `s3hls: nothing is stored under ${prefix}/ in bucket ${store.bucket}${near.length > 0 ? `; prefixes that exist nearby:\n${near.map((n) => `  ${n}\n`).join('')}` : ' (nor near it)\n'}`,
      );
      return 1;
    }
    if (v.multivariant) {
      // Same rules as GET /cameras/<camera>/index.m3u8; --media-uri names the media playlist file.
      const query = new URLSearchParams({ ...(v.start ? { start: v.start } : {}), ...(v.end ? { end: v.end } : {}), ...(v.live ? { live: '1' } : {}) });
      // Without --start or --live the media playlist is everything stored (VOD), as without --multivariant.
      const target = multivariantTarget(query, { startMs: startMs ?? (v.live ? undefined : 0), endMs, nowMs: Date.now(), liveLookbackMs: 600_000 });
      const r = await buildMultivariantPlaylist({ client: store.client, bucket: store.bucket, prefix, ...target, mediaUri: v['media-uri'] ?? target.mediaUri });
      if (r === undefined) throw new Error(`no segment stored under ${prefix} in the window`);
      out.write(r.text);
      return 0;
    }
    if (v.live) {
      // As the endpoint does: stop at a numbering hole young enough to be an upload still retrying,
      // and size TARGETDURATION over everything listed so it does not change between runs.
      // Without --start the look back is everything stored (the live window of a camera that stopped).
      const { text } = await service.livePlaylist(prefix, Math.max(0, Date.now() - (startMs ?? 0)), windowSize);
      out.write(text);
    } else {
      // Streamed page by page, as serve does: a month-long range never sits in memory.
      let segments = 0;
      for await (const chunk of service.vodPlaylist(prefix, { startMs, endMs })) {
        segments += chunk.split('#EXTINF').length - 1;
        out.write(chunk);
      }
      if (segments === 0) err.write(`s3hls: no segments under ${prefix}/ in the range (the prefix holds other times; see s3hls recordings)\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TimeParamError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`s3hls: ${(e as Error).message}\n`);
      return 2;
    }
    err.write(`s3hls: listing failed: ${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  }
}
