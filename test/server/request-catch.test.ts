/**
 * Issue 13 §1: every request has a catch. A route that throws (or rejects with a non-Error, or
 * returns a header value writeHead refuses: the crash behind the "--cors with CR/LF" row) answers
 * 500 with one log line, and the next request is served. Real HTTP on loopback.
 */
import t from 'tap';
import { request } from 'node:http';
import { listenForRequests } from '../../src/server/playlist-server.js';

function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('every request has a catch: a throwing route answers 500 with one log line, the next request succeeds', async (t) => {
  const lines: string[] = [];
  const server = await listenForRequests(
    async (req) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/throws') throw new Error('route bug\nwith a second line');
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the route under test rejects with a non-Error on purpose
      if (path === '/rejects-non-error') return Promise.reject('a string');
      // The crash of issue 13: writeHead throws on a header value with CR/LF.
      if (path === '/bad-header') return { status: 200, headers: { 'x-bad': 'a\r\nb' }, body: Buffer.from('x') };
      if (path === '/secret') throw new Error('cannot open rtsp://admin:hunter2@cam/1');
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('fine\n') };
    },
    { host: '127.0.0.1', port: 0, onRequestError: (l) => lines.push(l) },
  );
  t.teardown(() => server.close());
  for (const path of ['/throws', '/rejects-non-error', '/bad-header', '/secret']) {
    const r = await get(server.url, `${path}?token=x`);
    t.equal(r.status, 500, path);
    t.equal(r.body, 'internal error\n', `${path}: no details to the client`);
    const ok = await get(server.url, '/ok');
    t.equal(ok.status, 200, `after ${path} the server still answers`);
    t.equal(ok.body, 'fine\n');
  }
  t.equal(lines.length, 4, 'one line per failure');
  t.ok(
    lines.every((l) => !l.includes('\n')),
    'each a single line',
  );
  t.match(lines[0], /^s3hls: GET \/throws failed: Error: route bug with a second line$/);
  t.match(lines[1], /GET \/rejects-non-error failed: a string/);
  t.match(lines[2], /GET \/bad-header failed: TypeError/);
  t.match(lines[3], /rtsp:\/\/admin:\*\*\*@cam\/1/, 'redacted');
  t.notOk(
    lines.some((l) => l.includes('token=x') || l.includes('hunter2')),
    'no query, no password',
  );
});
