/**
 * The playlist endpoint against a real S3 (s3rver on 127.0.0.1) over real HTTP: routes, every 400,
 * traversal attempts, tokens, presigned URL expiry, gzip and caching headers, the Lambda handler on
 * the same routes, and the two CLI commands.
 */
import t from 'tap';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import HLS from 'hls-parser';
import { segmentKey } from '../../src/keys/object-keys.js';
import { presignedUrlResolver } from '../../src/playlist/segment-urls.js';
import { startPlaylistServer, type PlaylistServerOptions } from '../../src/server/playlist-server.js';
import { createLambdaHandler } from '../../src/lambda/handler.js';
import { runPlaylist } from '../../src/cli/commands/playlist.js';
import { runServe } from '../../src/cli/commands/serve.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';

HLS.setOptions({ strictMode: true });

const TOKEN = 'correct-horse-battery-staple';
const NOW = Date.UTC(2026, 10, 22, 3, 0, 30);
const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
const ROOT = 'cams';

/** A raw GET (fetch would normalize `..` and `%2e` before sending). */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('endpoint', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const keys: string[] = [];
  for (let i = 0; i < 12; i++) keys.push(segmentKey(`${ROOT}/door`, { startTimeMs: T0 + i * 2000, sequence: i, durationMs: 2000, discontinuity: i === 0 }));
  keys.push(segmentKey(`${ROOT}/yard`, { startTimeMs: T0, sequence: 0, durationMs: 2000, discontinuity: true }));
  // Outside the root prefix: must never be listed or linked.
  const secret = segmentKey('private/door', { startTimeMs: T0, sequence: 0, durationMs: 2000, discontinuity: true });
  for (const Key of [...keys, secret, 'cams-other/door/x.ts']) await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array(188).fill(0x47) }));

  const base: PlaylistServerOptions = {
    client,
    bucket: s3.bucket,
    rootPrefix: ROOT,
    urls: presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 900 }),
    maxRangeMs: 3_600_000,
    liveWindow: 4,
    nowMs: () => NOW,
  };
  const open = await startPlaylistServer(base);
  t.teardown(() => open.close());
  t.match(open.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds to 127.0.0.1 by default');

  t.test('GET /cameras lists camera folders under the root only', async (t) => {
    const r = await get(open.url, '/cameras');
    t.equal(r.status, 200);
    t.same(JSON.parse(r.body.toString()), { cameras: ['door', 'yard'] });
  });

  t.test('VOD range: strict-valid playlist, presigned URLs that load, cache headers', async (t) => {
    const r = await get(open.url, `/cameras/door/playlist.m3u8?start=2026-11-22T03:00:03Z&end=${T0 / 1000 + 10}`);
    t.equal(r.status, 200);
    t.equal(r.headers['content-type'], 'application/vnd.apple.mpegurl');
    t.equal(r.headers['cache-control'], 'public, max-age=2', 'a range ending near now may still grow');
    const text = r.body.toString();
    const p = HLS.parse(text) as HLS.types.MediaPlaylist;
    t.equal(p.playlistType, 'VOD');
    t.equal(p.segments.length, 4, 'segments covering 03:00:03 .. 03:00:10 (the first one started at :02)');
    t.ok(p.segments.every((s) => s.uri.startsWith(`${s3.endpoint}/${s3.bucket}/${ROOT}/door/`) && s.uri.includes('X-Amz-Expires=900')));
    t.notMatch(text, /S3RVER(?!%2F)|secretAccessKey/i, 'no credential in the playlist (only the access key id inside the signature scope)');
    const seg = await fetch(p.segments[0].uri);
    t.equal(seg.status, 200);
    t.equal((await seg.arrayBuffer()).byteLength, 188);
    const ref = await get(open.url, `/cameras/door/playlist.m3u8?start=${encodeURIComponent('2026-11-22 03:00:00')}&end=${encodeURIComponent('2026-11-22 03:00:04')}`);
    t.equal((HLS.parse(ref.body.toString()) as HLS.types.MediaPlaylist).segments.length, 2, 'the reference demo time form');
    const past = await startPlaylistServer({ ...base, nowMs: () => NOW + 86_400_000 });
    t.teardown(() => past.close());
    const old = await get(past.url, `/cameras/door/playlist.m3u8?start=${T0 / 1000}&end=${T0 / 1000 + 10}`);
    t.equal(old.headers['cache-control'], 'public, max-age=225', 'a finished range is cached for a quarter of the URLs’ life');
  });

  t.test('live: sliding window, no ENDLIST, short cache; EVENT from a start', async (t) => {
    const r = await get(open.url, '/cameras/door/live.m3u8');
    t.equal(r.status, 200);
    t.equal(r.headers['cache-control'], 'public, max-age=1');
    const p = HLS.parse(r.body.toString()) as HLS.types.MediaPlaylist;
    t.equal(p.endlist, false);
    t.equal(p.mediaSequenceBase, 8);
    t.same(
      p.segments.map((s) => s.mediaSequenceNumber),
      [8, 9, 10, 11],
    );
    const e = await get(open.url, `/cameras/door/live.m3u8?start=${T0 / 1000 + 20}`);
    const ep = HLS.parse(e.body.toString()) as HLS.types.MediaPlaylist;
    t.equal(ep.playlistType, 'EVENT');
    t.equal(ep.segments.length, 2);
  });

  t.test('regression: a raw "+01:00" in the query (read as a space) is the offset, and a bad offset is a 400', async (t) => {
    const raw = await get(open.url, '/cameras/door/playlist.m3u8?start=2026-11-22T04:00:03+01:00&end=2026-11-22T04:00:10+01:00');
    t.equal(raw.status, 200, raw.body.toString());
    const encoded = await get(open.url, '/cameras/door/playlist.m3u8?start=2026-11-22T04%3A00%3A03%2B01%3A00&end=2026-11-22T04%3A00%3A10%2B01%3A00');
    const unsigned = (b: Buffer) => b.toString().replace(/\?X-Amz-[^\n]*/g, '');
    t.equal(unsigned(raw.body), unsigned(encoded.body), 'the same playlist as with %2B (signatures aside: they carry the time)');
    t.equal((HLS.parse(raw.body.toString()) as HLS.types.MediaPlaylist).segments.length, 4);
    const bad = await get(open.url, '/cameras/door/playlist.m3u8?start=2026-11-22T04:00:03%2B99:99');
    t.equal(bad.status, 400);
    t.match(bad.body.toString(), /start .* is not a time/);
    const compact = await get(open.url, '/cameras/door/playlist.m3u8?start=20261122');
    t.equal(compact.status, 400, 'YYYYMMDD is not 1970');
    t.match(compact.body.toString(), /9 to 11 digits/);
  });

  t.test('every bad request gets a 400 naming the problem', async (t) => {
    const cases: [string, RegExp][] = [
      ['/cameras/door/playlist.m3u8', /start is required/],
      ['/cameras/door/playlist.m3u8?start=yesterday', /start "yesterday" is not a time/],
      ['/cameras/door/playlist.m3u8?start=2026-11-22T03:00:00Z&end=2026-02-30T00:00:00Z', /end .* is not a time/],
      ['/cameras/door/playlist.m3u8?start=2026-11-22T03:00:10Z&end=2026-11-22T03:00:00Z', /end .* must be after start/],
      ['/cameras/door/playlist.m3u8?start=2026-11-22T01:00:00Z&end=2026-11-22T03:00:00Z', /range of 7200 s is over the maximum of 3600 s/],
      ['/cameras/door/playlist.m3u8?start=1&start=2', /more than once/],
      ['/cameras/porch/playlist.m3u8?start=2026-11-22T03:00:00Z', /unknown camera "porch"/],
      ['/cameras/porch/live.m3u8', /unknown camera "porch"/],
      ['/cameras/do%20or/live.m3u8', /bad camera id/],
    ];
    for (const [path, message] of cases) {
      const r = await get(open.url, path);
      t.equal(r.status, 400, path);
      t.match(r.body.toString(), message, path);
      t.equal(r.headers['cache-control'], 'no-store');
    }
  });

  t.test('traversal attempts get nothing outside the prefix', async (t) => {
    const attempts = [
      '/cameras/../private/playlist.m3u8?start=1795316400',
      '/cameras/..%2Fprivate%2Fdoor/playlist.m3u8?start=1795316400',
      '/cameras/%2e%2e/playlist.m3u8?start=1795316400',
      '/cameras/%2E%2E%2Fprivate/live.m3u8',
      '/cameras/door%2F..%2F..%2Fprivate%2Fdoor/live.m3u8',
      '/cameras/door/..%5C..%5Cprivate/live.m3u8',
      '/cameras/./door/live.m3u8',
      '/cameras//door/live.m3u8',
      '/cameras/..',
      '/cameras/-other%2Fdoor/live.m3u8',
    ];
    for (const path of attempts) {
      const r = await get(open.url, path);
      t.ok(r.status === 400 || r.status === 404, `${path} → ${r.status}`);
      t.notMatch(r.body.toString(), /private|cams-other|X-Amz/, path);
    }
  });

  t.test('gzip, HEAD, CORS, 405', async (t) => {
    const plain = await get(open.url, `/cameras/door/playlist.m3u8?start=${T0 / 1000}&end=${T0 / 1000 + 24}`);
    const zipped = await get(open.url, `/cameras/door/playlist.m3u8?start=${T0 / 1000}&end=${T0 / 1000 + 24}`, { 'accept-encoding': 'gzip, br' });
    t.equal(zipped.headers['content-encoding'], 'gzip');
    t.ok(zipped.body.length < plain.body.length / 2, `${zipped.body.length} < ${plain.body.length} / 2`);
    t.equal(gunzipSync(zipped.body).toString().split('\n').length, plain.body.toString().split('\n').length);
    const head = await get(open.url, '/cameras', {}, 'HEAD');
    t.equal(head.status, 200);
    t.equal(head.body.length, 0);
    t.equal((await get(open.url, '/cameras', {}, 'POST')).status, 405);
    t.equal(head.headers['access-control-allow-origin'], undefined, 'no CORS unless configured');
    const cors = await startPlaylistServer({ ...base, corsOrigin: 'https://app.example' });
    t.teardown(() => cors.close());
    const pre = await get(cors.url, '/cameras', { origin: 'https://app.example', 'access-control-request-method': 'GET' }, 'OPTIONS');
    t.equal(pre.status, 204);
    t.equal(pre.headers['access-control-allow-origin'], 'https://app.example');
    t.equal(pre.headers['access-control-allow-headers'], 'authorization');
  });

  t.test('with a token: 401 without it or with a wrong one, and no playlist', async (t) => {
    const warnings: string[] = [];
    const guarded = await startPlaylistServer({ ...base, accessToken: TOKEN, onWarning: (m) => warnings.push(m) });
    t.teardown(() => guarded.close());
    const path = `/cameras/door/playlist.m3u8?start=${T0 / 1000}&end=${T0 / 1000 + 10}`;
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer wrong-token-of-some-length' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      for (const p of [path, '/cameras', '/cameras/door/live.m3u8', '/cameras/../x']) {
        const r = await get(guarded.url, p, headers);
        t.equal(r.status, p === '/cameras/../x' ? 400 : 401, `${p} ${JSON.stringify(headers)}`);
        t.notMatch(r.body.toString(), /#EXTM3U|door/);
      }
    }
    const ok = await get(guarded.url, path, { authorization: `Bearer ${TOKEN}` });
    t.equal(ok.status, 200);
    t.equal(ok.headers['cache-control'], 'private, max-age=2', 'per-user responses are private');
    t.equal((await get(guarded.url, '/')).status, 200, 'the player page itself is static and public (it carries no data)');
    t.same(warnings, [], 'loopback: no warning');
    t.rejects(startPlaylistServer({ ...base, accessToken: 'short' }), TypeError, 'tokens under 16 characters are refused');
  });

  t.test('regression: a non-loopback bind without a token refuses to start unless allowPublic (then it warns)', async (t) => {
    const warnings: string[] = [];
    await t.rejects(startPlaylistServer({ ...base, host: '0.0.0.0', onWarning: (m) => warnings.push(m) }), {
      name: 'TypeError',
      message: /refusing to serve on 0\.0\.0\.0 without an access token/,
    });
    // 127.0.0.0/8 is loopback as a whole: no token needed, no warning.
    const lo = await startPlaylistServer({ ...base, host: '127.0.0.2', onWarning: (m) => warnings.push(m) });
    await lo.close();
    t.same(warnings, []);
    const s = await startPlaylistServer({ ...base, host: '0.0.0.0', allowPublic: true, onWarning: (m) => warnings.push(m) });
    await s.close();
    t.equal(warnings.length, 1);
    t.match(warnings[0], /without an access token \(allowed by --public\)/);
  });

  t.test('the Lambda handler answers the same routes', async (t) => {
    const handler = createLambdaHandler({ ...base, accessToken: TOKEN });
    const event = (rawPath: string, rawQueryString: string, headers: Record<string, string>) => ({
      version: '2.0',
      rawPath,
      rawQueryString,
      headers,
      requestContext: { http: { method: 'GET' } },
    });
    const q = `start=${T0 / 1000}&end=${T0 / 1000 + 10}`;
    const viaHttp = await get(open.url, `/cameras/door/playlist.m3u8?${q}`);
    const r = await handler(event('/cameras/door/playlist.m3u8', q, { authorization: `Bearer ${TOKEN}` }));
    t.equal(r.statusCode, 200);
    t.equal(r.headers['content-type'], 'application/vnd.apple.mpegurl');
    const strip = (s: string) => s.replace(/\?X-Amz-[^\n]*/g, '');
    t.equal(strip(r.body), strip(viaHttp.body.toString()), 'same playlist as the HTTP endpoint (signatures differ by time)');
    const z = await handler(event('/cameras/door/playlist.m3u8', q, { authorization: `Bearer ${TOKEN}`, 'accept-encoding': 'gzip' }));
    t.equal(z.isBase64Encoded, true);
    t.equal(strip(gunzipSync(Buffer.from(z.body, 'base64')).toString()), strip(r.body));
    t.equal((await handler(event('/cameras/door/playlist.m3u8', q, {}))).statusCode, 401);
    t.equal((await handler(event('/cameras/%2e%2e/playlist.m3u8', q, { authorization: `Bearer ${TOKEN}` }))).statusCode, 400);
  });

  t.test('CLI: s3hls playlist and s3hls serve', async (t) => {
    const saved = { ...process.env };
    process.env['AWS_ACCESS_KEY_ID'] = S3RVER_CREDENTIALS.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = S3RVER_CREDENTIALS.secretAccessKey;
    delete process.env['AWS_PROFILE'];
    t.teardown(() => {
      process.env = saved;
    });
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    const store = ['--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style'];
    t.equal(await runPlaylist([...store, '--prefix', `${ROOT}/door`, '--presign', '60'], io), 0, err);
    const all = HLS.parse(out) as HLS.types.MediaPlaylist;
    t.equal(all.segments.length, 12, 'no range: everything under the prefix');
    t.ok(all.segments.every((s) => s.uri.includes('X-Amz-Expires=60')));
    out = '';
    t.equal(await runPlaylist([...store, '--prefix', `${ROOT}/door`, '--live', '--window', '3', '--base-url', 'https://cdn.example/v'], io), 0, err);
    t.match(out, /#EXT-X-MEDIA-SEQUENCE:9\n/);
    t.match(out, /\nhttps:\/\/cdn\.example\/v\/cams\/door\/2026\/11\/22\/03\/1795316422000-11-2000\.ts\n/);
    for (const [args, message] of [
      [['--prefix', 'x'], /^s3hls: --bucket is required\n$/],
      [[...store], /^s3hls: --prefix is required/],
      [[...store, '--prefix', '../x'], /^s3hls: --prefix: prefix "..\/x" has an invalid part/],
      [[...store, '--prefix', 'x', '--start', 'soon'], /^s3hls: --start "soon" is not a time/],
      [[...store, '--prefix', 'x', '--presign', '604801'], /^s3hls: --presign must be a whole number in 1..604800/],
      [[...store, '--prefix', 'x', '--bogus'], /^s3hls: Unknown option '--bogus'/],
    ] as const) {
      err = '';
      t.equal(await runPlaylist(args, io), 2, args.join(' '));
      t.match(err, message);
      t.equal(err.split('\n').length, 2, 'one line');
    }
    const ac = new AbortController();
    let url = '';
    const done = runServe([...store, '--root-prefix', ROOT, '--port', '0'], { signal: ac.signal, onListening: (u) => (url = u), ...io });
    while (url === '') await new Promise((r) => setTimeout(r, 10));
    t.same(JSON.parse((await get(url, '/cameras')).body.toString()), { cameras: ['door', 'yard'] });
    ac.abort();
    t.equal(await done, 0);
    err = '';
    t.equal(await runServe([...store, '--root-prefix', ROOT, '--token', 'short'], io), 2);
    t.match(err, /at least 16 characters/);
  });
});

t.test('presigned URLs expire as configured (SigV4-checking s3rver fork)', async (t) => {
  const s3 = await startS3({ verifySignatures: true });
  t.teardown(() => s3.close());
  const client = s3.client();
  const keys = ['cams/door/x.ts', 'cams/door/y=1+2@3.ts', 'cams/door/z.ts'];
  for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array(188) }));
  const warnings: string[] = [];
  const short = presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 1, onWarning: (m) => warnings.push(m) });
  const all = await short.urls(keys);
  const url = all[0];
  for (const u of all) t.equal((await fetch(u)).status, 200, `fresh URL loads (signature checked): ${new URL(u).pathname}`);
  const tampered = url.replace('cams/door/x.ts', 'cams/door/y.ts');
  t.equal((await fetch(tampered)).status, 403, 'a URL edited to another key is refused');
  await new Promise((r) => setTimeout(r, 2100));
  const late = await fetch(url);
  t.equal(late.status, 403, 'expired after 1 s');
  t.match(await late.text(), /expired/i);
  t.same(warnings, [], 'static credentials: no expiry warning');
  t.throws(() => presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 604_801 }), RangeError);

  // Temporary credentials that expire before the URLs: one warning per credential set.
  const { S3Client } = await import('@aws-sdk/client-s3');
  const temp = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS, sessionToken: 'x', expiration: new Date(Date.now() + 600_000) },
  });
  const long = presignedUrlResolver({ client: temp, bucket: s3.bucket, expiresInSeconds: 3600, onWarning: (m) => warnings.push(m) });
  await long.urls(['cams/door/x.ts']);
  await long.urls(['cams/door/x.ts']);
  t.equal(warnings.length, 1);
  t.match(warnings[0], /credentials expire at .* before the 3600-s presigned URLs/);
});
