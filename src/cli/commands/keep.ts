/**
 * `s3hls keep`: tags the segments of a range `keep=true` (PutObjectTagging), replacing their tag set
 * so the `s3hls-retention=expire` tag the lifecycle rule matches is gone (see bucket-config.ts).
 *
 *     s3hls keep --bucket B --prefix P --start T --end T [store options]
 */
import { parseArgs } from 'node:util';
import { PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { validatePrefix } from '../../keys/object-keys.js';
import { listSegments } from '../../playlist/segment-index.js';
import { parseTimeParam, TimeParamError } from '../../playlist/time-param.js';
import { STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';
import type { CommandIo } from './playlist.js';

/** Tagging requests in flight at once: enough to be quick, few enough not to trip S3's request-rate limits. */
const CONCURRENCY = 8;

/**
 * Runs `s3hls keep`.
 *
 * @param argv - the arguments after `keep`
 * @param io - output streams @defaultValue process.stdout / process.stderr
 * @returns the exit status: 0 every segment tagged, 1 some failed (named on stderr), 2 usage error
 */
export async function runKeep(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  try {
    const { values: v } = parseArgs({
      args: [...argv],
      options: { ...STORE_FLAGS, prefix: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!v.prefix) throw new UsageError('--prefix is required (the camera folder, e.g. cameras/front-door)');
    if (v.start === undefined || v.end === undefined) throw new UsageError('--start and --end are required');
    let prefix: string;
    try {
      prefix = validatePrefix(v.prefix);
    } catch (e) {
      throw new UsageError(`--prefix: ${(e as Error).message}`);
    }
    const startMs = parseTimeParam(v.start, '--start');
    const endMs = parseTimeParam(v.end, '--end');
    if (endMs <= startMs) throw new UsageError('--end must be after --start');
    const store = storeFromFlags(v, (m) => err.write(`s3hls: warning: ${m}\n`));
    const { records } = await listSegments({ client: store.client, bucket: store.bucket, prefix, startMs, endMs });
    let next = 0;
    let failed = 0;
    const worker = async (): Promise<void> => {
      while (next < records.length) {
        const key = records[next++].key;
        try {
          await store.client.send(new PutObjectTaggingCommand({ Bucket: store.bucket, Key: key, Tagging: { TagSet: [{ Key: 'keep', Value: 'true' }] } }));
        } catch (e) {
          failed += 1;
          err.write(`s3hls: tagging ${key} failed: ${(e as Error).name}: ${(e as Error).message}\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, records.length) }, worker));
    out.write(`tagged ${records.length - failed} of ${records.length} segment(s) keep=true\n`);
    return failed === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TimeParamError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`s3hls: ${(e as Error).message}\n`);
      return 2;
    }
    err.write(`s3hls: listing failed: ${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  }
}
