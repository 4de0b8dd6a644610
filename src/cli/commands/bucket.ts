/**
 * `s3hls bucket setup`: puts the CORS rule the player needs and the retention lifecycle rule.
 *
 *     s3hls bucket setup --bucket B [--origin O] [--retention-days N] [--infrequent-access] [--dry-run]
 */
import { parseArgs } from 'node:util';
import { PutBucketCorsCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { bucketSetupPlan } from '../../bucket/bucket-config.js';
import { intFlag, STORE_FLAGS, storeFromFlags, UsageError } from '../../server/cli-flags.js';
import type { CommandIo } from './playlist.js';

/**
 * Runs `s3hls bucket setup`.
 *
 * @param argv - the arguments after `bucket`
 * @param io - output streams @defaultValue process.stdout / process.stderr
 * @returns the exit status: 0, 2 for a usage error, 1 when S3 refused
 */
export async function runBucket(argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let step = 'CORS';
  try {
    const { values: v, positionals } = parseArgs({
      args: [...argv],
      options: {
        ...STORE_FLAGS,
        origin: { type: 'string' },
        'retention-days': { type: 'string' },
        'infrequent-access': { type: 'boolean' },
        'lifecycle-prefix': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals[0] !== 'setup' || positionals.length !== 1) throw new UsageError('usage: s3hls bucket setup --bucket B [--origin O] [--retention-days N] [--dry-run]');
    if (!v.bucket) throw new UsageError('--bucket is required');
    let plan;
    try {
      plan = bucketSetupPlan({
        origin: v.origin,
        retentionDays: v['retention-days'] !== undefined ? intFlag(v['retention-days'], 'retention-days', 1, 36_500) : undefined,
        infrequentAccess: v['infrequent-access'] === true,
        prefix: v['lifecycle-prefix'],
      });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError((e as Error).message);
    }
    if (v['dry-run']) {
      out.write(JSON.stringify({ Bucket: v.bucket, CORSConfiguration: plan.cors, ...(plan.lifecycle ? { LifecycleConfiguration: plan.lifecycle } : {}) }, null, 2) + '\n');
      return 0;
    }
    const store = storeFromFlags(v, (m) => err.write(`s3hls: warning: ${m}\n`));
    await store.client.send(new PutBucketCorsCommand({ Bucket: store.bucket, CORSConfiguration: plan.cors }));
    out.write(`CORS: GET/HEAD allowed from ${plan.cors.CORSRules?.[0]?.AllowedOrigins?.[0] ?? '*'}\n`);
    if (plan.lifecycle) {
      step = 'lifecycle';
      await store.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: store.bucket, LifecycleConfiguration: plan.lifecycle }));
      out.write(`lifecycle: objects tagged s3hls-retention=expire expire after ${v['retention-days']} days\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err.write(`s3hls: ${(e as Error).message}\n`);
      return 2;
    }
    err.write(`s3hls: putting the ${step} configuration failed: ${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  }
}
