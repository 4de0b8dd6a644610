/**
 * What one segment PUT costs in CPU, measured in isolation against the bare loopback sink:
 * the whole PutObject of a 2-s 1080p segment (1.25 MB) through @aws-sdk/client-s3 with no checksum,
 * then its parts alone: the SHA-256 of the payload (SigV4 signs the body's hash,
 * `x-amz-content-sha256`), the CRC32 the uploader sends for S3 to verify, a SHA-256 checksum (the
 * alternative), and SigV4 signing of a request with a precomputed payload hash (the fixed part).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Agent } from 'node:http';
import { crc32Parts } from '../src/upload/checksum.js';
import { startChild } from './child.js';
import { median, round } from './figures.js';

/** CPU ms per operation. */
export interface PutCostFigures {
  readonly bodyBytes: number;
  /** Whole PutObject (SDK: serialize, sign incl. payload SHA-256, HTTP) with no checksum header, CPU ms. */
  readonly putCpuMs: number;
  readonly sha256Ms: number;
  readonly crc32Ms: number;
  /** SigV4 signing with the payload hash given (no body hashing), ms; NaN when @smithy/signature-v4 is not importable. */
  readonly signFixedMs: number;
}

/** The hash interface SigV4 wants (`@smithy/types` Checksum), over node:crypto, as the SDK's node build uses. */
class NodeSha256 {
  readonly #h: Hash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: Uint8Array): void {
    this.#h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.#h.digest();
  }
}

function cpuMsPer(n: number, fn: () => void): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

async function signFixedMs(): Promise<number> {
  try {
    const mod = (await import('@smithy/signature-v4' as string)) as { SignatureV4: new (o: object) => { sign(req: object): Promise<unknown> } };
    const signer = new mod.SignatureV4({ service: 's3', region: 'us-east-1', sha256: NodeSha256, credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret' }, uriEscapePath: false, applyChecksum: false });
    const req = () => ({
      method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 1, path: '/bench/cam/2026/01/01/00/1700000000000-1-2000.ts',
      headers: { host: '127.0.0.1:1', 'content-type': 'video/mp2t', 'content-length': '1250000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-checksum-crc32': 'AAAAAA==' },
    });
    for (let i = 0; i < 50; i++) await signer.sign(req());
    const c0 = process.cpuUsage();
    const n = 500;
    for (let i = 0; i < n; i++) await signer.sign(req());
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / n;
  } catch {
    return Number.NaN;
  }
}

/**
 * Measures the per-PUT costs.
 * @param body - a segment's bytes (e.g. 1.25 MB)
 * @param puts - PUTs to average over @defaultValue 100
 * @returns the figures
 */
export async function putCost(body: Uint8Array, puts = 100): Promise<PutCostFigures> {
  const { child, first } = await startChild<{ port: number }>('null-sink.js', []);
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const client = new S3Client({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${first.port}`, forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret' },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: agent },
  });
  try {
    const send = (i: number) => client.send(new PutObjectCommand({ Bucket: 'bench', Key: `cost/${i}.ts`, Body: body, ContentLength: body.byteLength, ContentType: 'video/mp2t' }));
    for (let i = 0; i < 10; i++) await send(i);
    const samples: number[] = [];
    for (let i = 0; i < puts; i++) {
      const c0 = process.cpuUsage();
      await send(i);
      const c = process.cpuUsage(c0);
      samples.push((c.user + c.system) / 1000);
    }
    const parts = [body];
    return {
      bodyBytes: body.byteLength,
      putCpuMs: round(median(samples), 3),
      sha256Ms: round(cpuMsPer(50, () => createHash('sha256').update(body).digest()), 3),
      crc32Ms: round(cpuMsPer(50, () => crc32Parts(parts)), 3),
      signFixedMs: round(await signFixedMs(), 3),
    };
  } finally {
    client.destroy();
    agent.destroy();
    child.stdin.end();
  }
}
