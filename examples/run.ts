/**
 * Runs one example the way a newcomer would: `npm run example -- <name>`. With S3HLS_ENDPOINT unset
 * and no AWS bucket named, it starts an S3-compatible server (s3rver) on 127.0.0.1 for the run, with
 * its data in a temporary folder removed afterwards, so no AWS account is needed. When the example
 * ends it lists what is stored and exits with the example's status.
 *
 *     npm run example -- firmware-loop            (S3HLS_SECONDS=4 for a shorter run)
 *     S3HLS_BUCKET=my-bucket AWS_PROFILE=cam npm run example -- multi-camera   (real S3)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

// The AWS SDK's 9-line Node 20 support warning would bury the example's own output (README, "Node
// support"); set the variable to false to see it.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Counts the segments (and bytes) in the bucket, by camera folder, page by page. */
async function storedSummary(client: S3Client, bucket: string): Promise<{ objects: number; bytes: number; prefixes: Set<string> }> {
  let token: string | undefined;
  const summary = { objects: 0, bytes: 0, prefixes: new Set<string>() };
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      if (!o.Key?.endsWith('.ts')) continue;
      summary.objects++;
      summary.bytes += o.Size ?? 0;
      summary.prefixes.add(o.Key.split('/').slice(0, 2).join('/'));
    }
    token = page.NextContinuationToken;
  } while (token);
  return summary;
}

async function main(): Promise<number> {
  const name = process.argv[2];
  const script = name ? fileURLToPath(new URL(`./${name}.js`, import.meta.url)) : '';
  if (!name || name === 'run' || name.endsWith('.worker') || !existsSync(script)) {
    console.error(`usage: npm run example -- <name>   (firmware-loop, multi-camera, shared-ring, iot-credentials, nvenc-ffmpeg; got ${JSON.stringify(name ?? '')})`);
    return 2;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  let local: { close(): Promise<void>; directory: string } | undefined;
  if (!env['S3HLS_ENDPOINT'] && !env['S3HLS_BUCKET']) {
    const { default: S3rver } = await import('s3rver');
    const directory = mkdtempSync(join(tmpdir(), 's3hls-example-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'footage', configs: [] }] });
    const { port } = await server.run();
    local = { close: () => server.close(), directory };
    Object.assign(env, {
      S3HLS_ENDPOINT: `http://127.0.0.1:${port}`,
      S3HLS_BUCKET: 'footage',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
    console.error(`example: no S3HLS_ENDPOINT or S3HLS_BUCKET set: using a local S3 at ${env['S3HLS_ENDPOINT']} (bucket "footage")`);
  }
  try {
    const child = spawn(process.execPath, [script], { env, stdio: 'inherit' });
    // Ctrl-C reaches the example through the terminal's process group; the runner only waits for it.
    const onSignal = (): void => undefined;
    process.on('SIGINT', onSignal);
    const code = await new Promise<number>((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1))));
    process.off('SIGINT', onSignal);
    if (env['S3HLS_ENDPOINT']) {
      const client = new S3Client({
        endpoint: env['S3HLS_ENDPOINT'],
        forcePathStyle: true,
        region: env['AWS_REGION'] ?? 'us-east-1',
        ...(local ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
      });
      const s = await storedSummary(client, env['S3HLS_BUCKET'] ?? 'footage');
      console.error(`example: the bucket holds ${s.objects} segments (${(s.bytes / 1e6).toFixed(1)} MB) in ${[...s.prefixes].join(', ') || '(no camera folder)'}`);
    }
    return code;
  } finally {
    await local?.close();
    if (local) rmSync(local.directory, { recursive: true, force: true });
  }
}

process.exitCode = await main();
