/**
 * Child process of the pipeline figures: a bare loopback HTTP server that reads each request body
 * and answers 200 (with an ETag, as S3 does), so the pipeline measures the SDK side, not a store
 * (s3rver saturates near 140 PUT/s here). Prints `{"port":N}` and runs until its stdin closes.
 * It counts bodies and bytes and prints them as JSON on stdout when told `stats\n` on stdin.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    totals.requests++;
    totals.bytes += bytes;
    res.writeHead(200, { ETag: '"0"', 'Content-Length': '0' });
    res.end();
  });
});
const totals = { requests: 0, bytes: 0 };
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
