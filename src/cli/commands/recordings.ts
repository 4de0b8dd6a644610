/**
 * `s3hls recordings`: prints the spans of footage stored under a camera prefix.
 *
 *     s3hls recordings --bucket B --prefix P [--start T] [--end T] [--json] [--endpoint URL --path-style] [--region R]
 */
import { parseArgs } from 'node:util';
import { validatePrefix } from '../../keys/object-keys.js';
import { parseTimeParam, TimeParamError } from '../../playlist/time-param.js';
import { querySpans, spanToJson, type RecordingSpan } from '../../recordings/spans.js';
import { STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';
import type { CommandIo } from './playlist.js';

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h${String(m).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * A human table of spans: start, end, length, segments, and a total line.
 *
 * @param spans - the spans
 * @returns the text, one line per span
 */
export function formatSpanTable(spans: readonly RecordingSpan[]): string {
  if (spans.length === 0) return 'no footage in range\n';
  const lines = ['start                     end                       length     segments'];
  let total = 0;
  for (const s of spans) {
    total += s.endMs - s.startMs;
    lines.push(`${new Date(s.startMs).toISOString()}  ${new Date(s.endMs).toISOString()}  ${formatDuration(s.endMs - s.startMs).padEnd(9)}  ${s.segments}`);
  }
  lines.push(`${spans.length} span(s), ${formatDuration(total)} of footage`);
  return lines.join('\n') + '\n';
}

/**
 * Runs `s3hls recordings`.
 *
 * @param argv - the arguments after `recordings`
 * @param io - output streams @defaultValue process.stdout / process.stderr
 * @returns the exit status: 0, 2 for a usage error, 1 when S3 failed
 */
export async function runRecordings(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: { ...STORE_FLAGS, prefix: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, json: { type: 'boolean' } },
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
    const store = storeFromFlags(v, (m) => err.write(`s3hls: warning: ${m}\n`));
    const { spans } = await querySpans({ client: store.client, bucket: store.bucket, prefix, startMs, endMs });
    out.write(v.json ? JSON.stringify(spans.map(spanToJson)) + '\n' : formatSpanTable(spans));
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
