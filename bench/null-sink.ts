/**
 * Child process of the pipeline and put-cost figures: a bare loopback HTTP (or HTTPS) server that
 * reads each request body and answers 200 as S3 does — an ETag, and the `x-amz-checksum-*` header of
 * the request echoed back (S3 echoes the checksum it verified, which is what the uploader's
 * verification compares; it does not hash the body here, so its CPU is not the store's) — so the
 * figures measure the SDK side, not a store (s3rver saturates near 140 PUT/s here).
 * Usage: `node null-sink.js [certPath keyPath]` (with both: HTTPS). Prints `{"port":N}` and runs until
 * its stdin closes. It counts bodies and bytes and prints them as JSON on stdout when told `stats\n`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

const totals = { requests: 0, bytes: 0 };

function handle(req: IncomingMessage, res: ServerResponse): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    totals.requests++;
    totals.bytes += bytes;
    const headers: Record<string, string> = { ETag: '"0"', 'Content-Length': '0' };
    for (const h of ['x-amz-checksum-crc32', 'x-amz-checksum-sha256']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    res.writeHead(200, headers);
    res.end();
  });
}

const [certPath, keyPath] = process.argv.slice(2);
const server = certPath !== undefined && keyPath !== undefined ? createHttpsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, handle) : createServer(handle);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(JSON.stringify({ port: typeof addr === 'object' && addr !== null ? addr.port : 0 }));
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  if (line.includes('stats')) console.log(JSON.stringify(totals));
});
process.stdin.on('end', () => {
  server.close();
  process.exit(0);
});
