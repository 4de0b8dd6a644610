/**
 * `s3hls export`: writes a time range of a camera's stored segments to one MP4 file.
 *
 *     s3hls export --bucket B --prefix P --start T --end T --output clip.mp4
 *                  [--endpoint URL --path-style] [--region R] [--profile NAME] [--max-range SECONDS]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { validatePrefix } from '../../keys/object-keys.js';
import { parseTimeParam, TimeParamError } from '../../playlist/time-param.js';
import { DEFAULT_MAX_EXPORT_RANGE_MS, exportClip, ExportRangeError } from '../../export/clip-exporter.js';
import { exposeGc, GcPacer, pinYoungGeneration } from '../../export/gc-pacer.js';
import { intFlag, STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';
import type { CommandIo } from './playlist.js';

/** Output of `s3hls export`; `isTTY` on stderr turns on the progress line. */
export interface ExportIo extends CommandIo {
  readonly stderr?: { write(s: string): unknown; isTTY?: boolean } | undefined;
}

/**
 * Runs `s3hls export`.
 *
 * @param argv - the arguments after `export`
 * @param io - output streams @defaultValue process.stdout / process.stderr
 * @returns the exit status: 0 written, 1 S3 or write failed, 2 usage error or bad range
 */
export async function runExport(argv: readonly string[], io: ExportIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let usage = true;
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: {
        ...STORE_FLAGS,
        prefix: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        output: { type: 'string', short: 'o' },
        profile: { type: 'string' },
        'max-range': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!v.prefix) throw new UsageError('--prefix is required (the camera folder, e.g. cameras/front-door)');
    if (!v.start || !v.end) throw new UsageError('--start and --end are required');
    if (!v.output) throw new UsageError('--output is required (the .mp4 file to write)');
    let prefix: string;
    try {
      prefix = validatePrefix(v.prefix);
    } catch (e) {
      throw new UsageError(`--prefix: ${(e as Error).message}`);
    }
    const startMs = parseTimeParam(v.start, '--start');
    const endMs = parseTimeParam(v.end, '--end');
    const maxRangeMs = v['max-range'] !== undefined ? intFlag(v['max-range'], 'max-range', 1, 7 * 86_400) * 1000 : DEFAULT_MAX_EXPORT_RANGE_MS;
    // The SDK's default chain reads AWS_PROFILE; the CLI process is ours, so setting it is the simplest way.
    if (v.profile !== undefined) process.env['AWS_PROFILE'] = v.profile;
    const store = storeFromFlags(v, (m) => err.write(`s3hls: warning: ${m}\n`));
    const tty = err.isTTY === true;
    const file = createWriteStream(v.output);
    usage = false;
    let written = 0;
    // This process does nothing else, so it may collect on its own schedule: see gc-pacer.ts.
    pinYoungGeneration();
    const gc = exposeGc();
    const pacer = gc ? new GcPacer(gc) : undefined;
    try {
      const clip = exportClip({
        client: store.client,
        bucket: store.bucket,
        prefix,
        startMs,
        endMs,
        maxRangeMs,
        onGap: (g) => err.write(`${tty ? '\n' : ''}s3hls: gap skipped: ${new Date(g.fromMs).toISOString()} .. ${new Date(g.toMs).toISOString()}\n`),
        onProgress: (done, total, bytes) => {
          pacer?.check();
          if (tty) err.write(`\rsegment ${done}/${total}, ${(bytes / 1e6).toFixed(1)} MB`);
        },
      });
      for await (const chunk of clip) {
        written += chunk.length;
        if (!file.write(chunk)) await once(file, 'drain');
      }
    } finally {
      file.end();
      await once(file, 'close');
    }
    if (tty) err.write('\n');
    out.write(`${v.output}: ${written} bytes\n`);
    return 0;
  } catch (e) {
    if (usage || e instanceof ExportRangeError || e instanceof UsageError || e instanceof TimeParamError) {
      err.write(`s3hls: ${(e as Error).message}\n`);
      return 2;
    }
    err.write(`s3hls: export failed: ${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  }
}
