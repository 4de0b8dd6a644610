/**
 * A real S3-compatible server on 127.0.0.1 for tests: s3rver (no SigV4 checks) or the
 * @20minutes/s3rver fork (checks SigV4 on object requests). See ../shared/TESTING.md for what
 * neither checks. The test process must run with --openssl-legacy-provider (set in package.json "tap").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:http';
import S3rver from 's3rver';
import { S3Client } from '@aws-sdk/client-s3';

/** Credentials s3rver accepts (its defaults). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** CORS rules letting a browser on any origin GET objects and playlists. */
export const OPEN_CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** A running test server. */
export interface TestS3 {
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  readonly directory: string;
  /** Every request's method, url and headers, in arrival order (s3rver drops x-amz-tagging, so tags are checked here). */
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  /** A client for this server (path-style, s3rver's credentials). */
  client(): S3Client;
  close(): Promise<void>;
}

/** Options for {@link startS3}. */
export interface StartS3Options {
  readonly bucket?: string;
  /** Use the @20minutes/s3rver fork, which verifies SigV4 signatures. */
  readonly verifySignatures?: boolean;
  /** Configure CORS on the bucket (for browser playback). */
  readonly cors?: boolean;
}

/** Starts s3rver on 127.0.0.1 with a fresh data folder and one bucket. */
export async function startS3(options: StartS3Options = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'test-bucket';
  const directory = mkdtempSync(join(tmpdir(), 's3hls-s3rver-'));
  const Ctor = (options.verifySignatures ? (await import('@20minutes/s3rver')).default : S3rver) as unknown as new (o: object) => {
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    httpServer?: Server;
  };
  const server = new Ctor({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: options.cors ? [OPEN_CORS] : [] }],
  });
  const { port } = await server.run();
  const requests: TestS3['requests'] = [];
  const http = (server as unknown as { httpServer?: Server }).httpServer;
  http?.prependListener('request', (req: IncomingMessage) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    directory,
    requests,
    client: () => new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { ...S3RVER_CREDENTIALS } }),
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
