/**
 * What one segment PUT costs in CPU, measured in isolation against the bare loopback sink
 * (bench/null-sink.ts, which answers as S3 does: checksum echoed): a 2-s 1080p segment (1.25 MB)
 * through the uploader's own client (src/upload/s3-client.ts) with the CRC32 header the uploader
 * sends, in three configurations — plain HTTP with the payload hash signed (what an http endpoint
 * gets), plain HTTP with `UNSIGNED-PAYLOAD` (what an https one gets, minus TLS) and HTTPS with
 * `UNSIGNED-PAYLOAD` (what S3 gets) — then the parts alone: the SHA-256 of the payload, the CRC32,
 * the MD5 verification (only against servers that echo no checksum), the echoed-checksum compare,
 * and SigV4 signing with the payload hash given.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { checksumBase64, crc32Parts } from '../src/upload/checksum.js';
import type { SdkCredentialProvider } from '../src/upload/credential-source.js';
import { createS3Client } from '../src/upload/s3-client.js';
import { verifyPutAnswer } from '../src/upload/verify-put.js';
import { startChild } from './child.js';
import { median, round } from './figures.js';
import { selfSignedCert } from './self-signed-cert.js';

/** CPU ms per operation. */
export interface PutCostFigures {
  readonly bodyBytes: number;
  /** Whole PutObject over HTTP, payload hash signed (the SDK hashes the body), CRC32 header, CPU ms. */
  readonly putHttpSignedMs: number;
  /** The same with `UNSIGNED-PAYLOAD`. */
  readonly putHttpUnsignedMs: number;
  /** Over HTTPS with `UNSIGNED-PAYLOAD` (the default against S3); NaN when openssl is missing. */
  readonly putHttpsUnsignedMs: number;
  /** A bare node:http PUT of the same body on a keep-alive socket, no SDK: the floor of "send" over HTTP. */
  readonly bareHttpPutMs: number;
  readonly sha256Ms: number;
  readonly crc32Ms: number;
  /** MD5 of the body: the verification's ETag proof, paid only when no checksum is echoed (s3rver). */
  readonly md5VerifyMs: number;
  /** verifyPutAnswer with the checksum echoed (S3): a string compare. */
  readonly echoVerifyMs: number;
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
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#h.digest());
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
    const mod = (await import('@smithy/signature-v4')) as { SignatureV4: new (o: object) => { sign(req: object): Promise<unknown> } };
    const signer = new mod.SignatureV4({
      service: 's3',
      region: 'us-east-1',
      sha256: NodeSha256,
      credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret' },
      uriEscapePath: false,
      applyChecksum: false,
    });
    const req = () => ({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 1,
      path: '/bench/cam/2026/01/01/00/1700000000000-1-2000.ts',
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

const credentials = (() => Promise.resolve({ accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret' })) as unknown as SdkCredentialProvider;
(credentials as { memoized: boolean }).memoized = true;

/** Median CPU ms of one PutObject of `body` through the uploader's client against `endpoint`. */
async function putMs(endpoint: string, body: Uint8Array, signPayload: boolean | undefined, puts: number, ca?: string): Promise<number> {
  const own = createS3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials, maxSockets: 2, signPayload, ca });
  const crc = checksumBase64('CRC32', [body]);
  try {
    const send = (i: number) =>
      own.client.send(new PutObjectCommand({ Bucket: 'bench', Key: `cost/${i}.ts`, Body: body, ContentLength: body.byteLength, ContentType: 'video/mp2t', ChecksumCRC32: crc }));
    for (let i = 0; i < 10; i++) await send(i);
    const samples: number[] = [];
    for (let i = 0; i < puts; i++) {
      const c0 = process.cpuUsage();
      await send(i);
      const c = process.cpuUsage(c0);
      samples.push((c.user + c.system) / 1000);
    }
    return median(samples);
  } finally {
    own.destroy();
  }
}

/** Median CPU ms of a bare node:http PUT of `body` (keep-alive, no SDK, no signing). */
async function barePutMs(port: number, body: Uint8Array, puts: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const put = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/bench/bare/${i}.ts`, agent, headers: { 'content-length': String(buf.length) } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(buf);
    });
  try {
    for (let i = 0; i < 10; i++) await put(i);
    const samples: number[] = [];
    for (let i = 0; i < puts; i++) {
      const c0 = process.cpuUsage();
      await put(i);
      const c = process.cpuUsage(c0);
      samples.push((c.user + c.system) / 1000);
    }
    return median(samples);
  } finally {
    agent.destroy();
  }
}

async function httpsPutMs(body: Uint8Array, puts: number): Promise<number> {
  let cert;
  try {
    cert = selfSignedCert();
  } catch {
    return Number.NaN;
  }
  const { child, first } = await startChild<{ port: number }>('null-sink.js', [cert.certPath, cert.keyPath]);
  try {
    return await putMs(`https://127.0.0.1:${first.port}`, body, undefined, puts, cert.cert);
  } finally {
    child.stdin.end();
    cert.remove();
  }
}

/**
 * Measures the per-PUT costs.
 * @param body - a segment's bytes (e.g. 1.25 MB)
 * @param puts - PUTs to take the median of, per configuration @defaultValue 100
 * @returns the figures
 */
export async function putCost(body: Uint8Array, puts = 100): Promise<PutCostFigures> {
  const { child, first } = await startChild<{ port: number }>('null-sink.js', []);
  const endpoint = `http://127.0.0.1:${first.port}`;
  try {
    const parts = [body];
    const crc = checksumBase64('CRC32', parts);
    return {
      bodyBytes: body.byteLength,
      putHttpSignedMs: round(await putMs(endpoint, body, undefined, puts), 3),
      putHttpUnsignedMs: round(await putMs(endpoint, body, false, puts), 3),
      putHttpsUnsignedMs: round(await httpsPutMs(body, puts), 3),
      bareHttpPutMs: round(await barePutMs(first.port, body, puts), 3),
      sha256Ms: round(
        cpuMsPer(50, () => createHash('sha256').update(body).digest()),
        3,
      ),
      crc32Ms: round(
        cpuMsPer(50, () => crc32Parts(parts)),
        3,
      ),
      md5VerifyMs: round(
        cpuMsPer(50, () => verifyPutAnswer('auto', 'CRC32', crc, { ETag: '"0"' }, parts, false)),
        3,
      ),
      echoVerifyMs: round(
        cpuMsPer(5_000, () => verifyPutAnswer('auto', 'CRC32', crc, { ETag: '"0"', ChecksumCRC32: crc }, parts, false)),
        4,
      ),
      signFixedMs: round(await signFixedMs(), 3),
    };
  } finally {
    child.stdin.end();
  }
}
