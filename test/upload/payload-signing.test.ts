/**
 * CPU per PUT (issue 15 §3): over HTTPS with a checksum header the payload is signed
 * `UNSIGNED-PAYLOAD` (TLS and S3's checksum check protect the body; the SHA-256 pass is saved);
 * over plain HTTP the signature keeps the body's SHA-256. Both against real servers on loopback:
 * an HTTPS server with a certificate made by openssl in this test (the uploader runs in a child
 * trusting it through NODE_EXTRA_CA_CERTS) and a plain node:http one; each captures the request
 * headers, checks the body against them and answers as S3 does (checksum echoed, ETag = MD5), so
 * the PUT verification of issue 10 still has to pass.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { selfSignedCert } from '../../bench/self-signed-cert.js';
import { checksumBase64 } from '../../src/upload/checksum.js';
import { unsignedPayload } from '../../src/upload/s3-client.js';
import { Uploader } from '../../src/upload/uploader.js';
import { TS_LOADER_ARGS } from '../helpers/ts-loader.js';
import { fakeSegment } from './fake-segment.js';

interface Seen {
  readonly protocol: string;
  readonly contentSha256: string | undefined;
  readonly crc32: string | undefined;
  readonly authorization: string | undefined;
  readonly bodySha256: string;
  readonly bodyCrc32: string;
}

function s3Like(seen: Seen[], protocol: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const h = (n: string): string | undefined => (typeof req.headers[n] === 'string' ? req.headers[n] : undefined);
      seen.push({
        protocol,
        contentSha256: h('x-amz-content-sha256'),
        crc32: h('x-amz-checksum-crc32'),
        authorization: h('authorization'),
        bodySha256: createHash('sha256').update(body).digest('hex'),
        bodyCrc32: checksumBase64('CRC32', [body]),
      });
      const headers: Record<string, string> = { ETag: `"${createHash('md5').update(body).digest('hex')}"`, 'Content-Length': '0' };
      // S3 echoes the checksum it verified; an honest server answers only when it matches.
      if (h('x-amz-checksum-crc32') !== undefined) headers['x-amz-checksum-crc32'] = checksumBase64('CRC32', [body]);
      res.writeHead(200, headers);
      res.end();
    });
  };
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

t.test('the decision: unsigned exactly over https with a checksum header, unless set', async (t) => {
  const crc = { 'x-amz-checksum-crc32': 'AAAAAA==' };
  t.equal(unsignedPayload(undefined, { protocol: 'https:', headers: crc }), true);
  t.equal(unsignedPayload(undefined, { protocol: 'https:', headers: { 'X-Amz-Checksum-Sha256': 'x' } }), true);
  t.equal(unsignedPayload(undefined, { protocol: 'https:', headers: {} }), false, 'no checksum: keep the hash');
  t.equal(unsignedPayload(undefined, { protocol: 'http:', headers: crc }), false, 'plain HTTP signs');
  t.equal(unsignedPayload(true, { protocol: 'https:', headers: crc }), false, 'signPayload: true always signs');
  t.equal(unsignedPayload(false, { protocol: 'http:', headers: crc }), true, 'signPayload: false never does');
});

t.test('an https endpoint gets UNSIGNED-PAYLOAD with the CRC32, and the PUT is verified', async (t) => {
  const cert = selfSignedCert();
  t.teardown(() => cert.remove());
  const seen: Seen[] = [];
  const server = createHttpsServer({ cert: cert.cert, key: cert.key }, s3Like(seen, 'https'));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = await listen(server);
  const child = fileURLToPath(new URL('./https-put-child.ts', import.meta.url));
  const loader = TS_LOADER_ARGS;
  const run = (signPayload?: boolean) => {
    // Asynchronous: the server answering the child runs in this process's event loop.
    return new Promise<{ uploaded: number; errors: string[] }>((resolve, reject) => {
      const args = JSON.stringify({ endpoint: `https://127.0.0.1:${port}`, ...(signPayload !== undefined ? { signPayload } : {}) });
      execFile(
        process.execPath,
        [...loader, child, args],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.certPath, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, timeout: 30_000 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`child failed: ${err.name}: ${err.message} ${stderr}`));
          else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { uploaded: number; errors: string[] });
        },
      );
    });
  };
  const auto = await run();
  t.same(auto, { uploaded: 1, errors: [] }, 'stored and verified');
  t.equal(seen.length, 1);
  t.equal(seen[0].contentSha256, 'UNSIGNED-PAYLOAD', 'the payload hash is not computed');
  t.equal(seen[0].crc32, seen[0].bodyCrc32, 'the CRC32 S3 verifies is sent and matches the body');
  t.match(seen[0].authorization ?? '', /x-amz-content-sha256/, 'the header is part of the signature');
  const forced = await run(true);
  t.same(forced, { uploaded: 1, errors: [] });
  t.equal(seen[1].contentSha256, seen[1].bodySha256, 'signPayload: true signs the body hash over https too');
});

t.test('an http endpoint gets the signed payload hash', async (t) => {
  const seen: Seen[] = [];
  const server = createServer(s3Like(seen, 'http'));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = await listen(server);
  const u = new Uploader({
    bucket: 'signing',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  });
  t.teardown(() => u.close());
  u.sinkFor('cam1', { prefix: 'sig/cam1' }).onSegment(fakeSegment({ streamId: 'cam1', sequence: 0, packets: 500 }));
  const report = await u.drain({ timeoutMs: 10_000 });
  t.ok(report.complete, 'stored and verified');
  t.equal(seen.length, 1);
  t.match(seen[0].contentSha256 ?? '', /^[0-9a-f]{64}$/, 'a SHA-256, not UNSIGNED-PAYLOAD');
  t.equal(seen[0].contentSha256, seen[0].bodySha256, 'the hash of the body sent');
  t.equal(seen[0].crc32, seen[0].bodyCrc32, 'and the CRC32');
});
