/**
 * `s3hls playlist`: prints a media playlist of what is stored under a camera prefix.
 *
 *     s3hls playlist --bucket B --prefix P [--start T] [--end T] [--live [--window N]]
 *                    [--presign SECONDS | --base-url URL] [--endpoint URL --path-style] [--region R]
 *     s3hls playlist --multivariant [--media-uri URI] ...   the multivariant playlist instead
 */
import { parseArgs } from 'node:util';
import { validatePrefix } from '../../keys/object-keys.js';
import { listSegments } from '../../playlist/segment-index.js';
import { buildMultivariantPlaylist, multivariantTarget } from '../../playlist/multivariant.js';
import { DEFAULT_LIVE_WINDOW, selectLiveWindow, settledRecords } from '../../playlist/live-window.js';
import { renderMediaPlaylist, targetDurationSeconds } from '../../playlist/m3u8-renderer.js';
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
 * @returns the exit status: 0, 2 for a usage error, 1 when S3 failed
 */
export async function runPlaylist(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: { ...STORE_FLAGS, prefix: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, live: { type: 'boolean' }, window: { type: 'string' }, multivariant: { type: 'boolean' }, 'media-uri': { type: 'string' } },
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
    const { records } = await listSegments({ client: store.client, bucket: store.bucket, prefix, startMs, endMs });
    let text: string;
    if (v.live) {
      // As the endpoint does: stop at a numbering hole young enough to be an upload still retrying,
      // and size TARGETDURATION over everything listed so it does not change between runs.
      const settled = settledRecords(records, { nowMs: Date.now(), runStartsSettle: true, listedFromMs: startMs ?? 0 });
      const w = selectLiveWindow(settled, windowSize);
      text = renderMediaPlaylist({
        kind: 'live', records: w.records, uris: await store.urls.urls(w.records.map((r) => r.key)),
        mediaSequence: w.mediaSequence, discontinuitySequence: w.discontinuitySequence, targetDurationSeconds: targetDurationSeconds(records),
      });
    } else {
      text = renderMediaPlaylist({ kind: 'vod', records, uris: await store.urls.urls(records.map((r) => r.key)) });
    }
    out.write(text);
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
