/**
 * Issue 13 §1: `s3hls serve` checks its configuration before listening (CORS, host, token) and
 * survives any route failure. Regression tests for the table rows "--cors with CR/LF or non-ASCII",
 * "S3HLS_TOKEN set but empty / a token with whitespace" and "--host ''; a public address without
 * a token only warns". Real HTTP on loopback, real s3rver behind the routes.
 */
import t from 'tap';
import { request } from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { startPlaylistServer, type PlaylistServerOptions } from '../../src/server/playlist-server.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';

const TOKEN = 'correct-horse-battery-staple';

function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('serve configuration', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  await client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: segmentKey('cams/door', { startTimeMs: Date.UTC(2026, 10, 22), sequence: 0, durationMs: 2000, discontinuity: true }),
      Body: new Uint8Array(188),
    }),
  );
  const base: PlaylistServerOptions = { client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example') };
  const saved = { ...process.env };
  process.env['AWS_ACCESS_KEY_ID'] = S3RVER_CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = S3RVER_CREDENTIALS.secretAccessKey;
  delete process.env['AWS_PROFILE'];
  delete process.env['S3HLS_TOKEN'];
  t.teardown(() => void (process.env = saved));
  const store = ['--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--root-prefix', 'cams', '--port', '0'];

  /** runServe with a stop signal already fired: 0 means it started (and stopped at once). */
  async function serve(args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } };
    const code = await runServe([...store, ...args], { signal: AbortSignal.abort(), ...io });
    return { code, err };
  }

  t.test('regression: --cors with CR/LF, control or non-ASCII characters exits 2 before listening', async (t) => {
    for (const [value, why] of [
      ['https://a.example\r\nSet-Cookie: x=1', /carriage return/],
      ['https://a.example\nx', /line feed/],
      ['https://a.example\t', /control character U\+0009/],
      ['https://bücher.example', /non-ASCII character U\+00fc.*punycode/],
      ['https://a.example/', /is not an origin/],
      ['a.example', /is not an origin/],
      ['*, https://a.example', /cannot be combined/],
      ['https://a.example,,https://b.example', /empty entry/],
      ['', /empty entry/],
    ] as const) {
      const r = await serve(['--cors', value]);
      t.equal(r.code, 2, JSON.stringify(value));
      t.match(r.err, new RegExp(`^s3hls: --cors.*${why.source}`), JSON.stringify(value));
      t.equal(r.err.split('\n').length, 2, 'one line');
      await t.rejects(startPlaylistServer({ ...base, corsOrigin: value }), { name: 'TypeError', message: why }, `library: ${JSON.stringify(value)}`);
    }
    t.equal((await serve(['--cors', 'https://a.example, https://b.example:8443'])).code, 0, 'a comma list of origins starts');
    t.equal((await serve(['--cors', '*'])).code, 0, '* starts');
  });

  t.test('a CORS list echoes only a listed origin; * and one origin as before', async (t) => {
    const listed = await startPlaylistServer({ ...base, corsOrigin: 'https://a.example,https://b.example:8443' });
    t.teardown(() => listed.close());
    const a = await get(listed.url, '/cameras', { origin: 'https://b.example:8443' });
    t.equal(a.status, 200);
    t.equal(a.headers['access-control-allow-origin'], 'https://b.example:8443');
    t.equal(a.headers['vary'], 'origin, accept-encoding');
    const other = await get(listed.url, '/cameras', { origin: 'https://evil.example' });
    t.equal(other.headers['access-control-allow-origin'], undefined, 'an unlisted origin gets no grant');
    t.equal(other.headers['vary'], 'origin, accept-encoding');
    const pre = await get(listed.url, '/cameras', { origin: 'https://a.example', 'access-control-request-method': 'GET' }, 'OPTIONS');
    t.equal(pre.status, 204);
    t.equal(pre.headers['access-control-allow-origin'], 'https://a.example');
    const any = await startPlaylistServer({ ...base, corsOrigin: '*' });
    t.teardown(() => any.close());
    t.equal((await get(any.url, '/cameras', { origin: 'https://x.example' })).headers['access-control-allow-origin'], '*');
    t.equal((await get(any.url, '/hls.min.js')).headers['access-control-allow-origin'], '*', 'static files carry CORS too');
  });

  t.test('regression: a token set but empty or whitespace-only exits 2; surrounding whitespace is trimmed', async (t) => {
    for (const [args, env, why] of [
      [['--token', ''], undefined, /^s3hls: --token is set but empty/],
      [['--token', '   '], undefined, /^s3hls: --token is set but empty/],
      [[], '', /^s3hls: S3HLS_TOKEN is set but empty/],
      [[], ' \n', /^s3hls: S3HLS_TOKEN is set but empty/],
      [[], 'short', /^s3hls: S3HLS_TOKEN: the access token must be at least 16 characters, got 5/],
      [['--token', 'correct horse battery staple'], undefined, /^s3hls: --token must not contain whitespace/],
    ] as const) {
      if (env === undefined) delete process.env['S3HLS_TOKEN'];
      else process.env['S3HLS_TOKEN'] = env;
      const r = await serve([...args]);
      t.equal(r.code, 2, `${JSON.stringify(args)} S3HLS_TOKEN=${JSON.stringify(env)}`);
      t.match(r.err, why);
    }
    delete process.env['S3HLS_TOKEN'];
    await t.rejects(startPlaylistServer({ ...base, accessToken: '' }), { name: 'TypeError', message: /set but empty/ }, 'library: empty is not "no token"');
    // A token read from a file keeps its newline: trimmed, it matches what the client sends.
    process.env['S3HLS_TOKEN'] = `  ${TOKEN}\n`;
    const ac = new AbortController();
    let url = '';
    const done = runServe(store, { signal: ac.signal, onListening: (u) => (url = u), stdout: { write: () => true }, stderr: { write: () => true } });
    while (url === '') await new Promise((r) => setTimeout(r, 10));
    t.equal((await get(url, '/cameras', { authorization: `Bearer ${TOKEN}` })).status, 200, 'the trimmed token matches');
    t.equal((await get(url, '/cameras')).status, 401, 'and is required');
    ac.abort();
    t.equal(await done, 0);
    delete process.env['S3HLS_TOKEN'];
  });

  t.test('regression: --host "" exits 2; a public address without a token refuses unless --public', async (t) => {
    let r = await serve(['--host', '']);
    t.equal(r.code, 2);
    t.match(r.err, /^s3hls: --host must not be empty/);
    r = await serve(['--host', '0.0.0.0']);
    t.equal(r.code, 2);
    t.match(r.err, /^s3hls: refusing to serve on 0\.0\.0\.0 without an access token.*--public/);
    r = await serve(['--host', '0.0.0.0', '--token', TOKEN]);
    t.equal(r.code, 0, 'with a token it starts');
    r = await serve(['--host', '0.0.0.0', '--public']);
    t.equal(r.code, 0, '--public: starts');
    t.match(r.err, /warning: serving on 0\.0\.0\.0 without an access token \(allowed by --public\)/, 'and says so');
    r = await serve(['--host', 'bad host']);
    t.equal(r.code, 2);
    t.match(r.err, /host must be an IP address or a host name/);
  });
});
