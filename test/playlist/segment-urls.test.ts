/**
 * Segment URLs: the fast batch presigner must produce exactly what getSignedUrl produces (same
 * path, same signed query), for path-style and virtual-hosted endpoints and keys with characters
 * that need escaping; base URLs escape keys; bad options name themselves.
 */
import t from 'tap';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { baseUrlResolver, presignedUrlResolver } from '../../src/playlist/segment-urls.js';
import { QuerySigner } from '../../src/playlist/sigv4-query-signer.js';

const NOW = Date.UTC(2026, 10, 22, 3, 0, 0, 700);
const KEYS = [
  'cams/door/2026/11/22/03/1795316400000-0-2000-d.ts',
  'cams/door/2026/11/22/03/1795316402000-1-2000.ts',
  'cams/a=b+c@d/2026/11/22/03/1795316404000-2-2000.ts',
  'cams/door.v2/2026/11/22/03/1795316406000-3-1999.ts',
];

function asMap(url: string): Record<string, string> {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname, ...Object.fromEntries(u.searchParams) };
}

for (const [name, client] of [
  [
    'path-style custom endpoint',
    new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true, credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } }),
  ],
  ['virtual-hosted AWS endpoint', new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' } })],
] as const) {
  t.test(`batch presigning equals getSignedUrl: ${name}`, async (t) => {
    const resolver = presignedUrlResolver({ client, bucket: 'my-bucket', expiresInSeconds: 900, nowMs: () => NOW });
    const urls = await resolver.urls(KEYS);
    t.equal(urls.length, KEYS.length);
    for (let i = 0; i < KEYS.length; i++) {
      const reference = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'my-bucket', Key: KEYS[i] }), {
        expiresIn: 900,
        signingDate: new Date(Math.floor(NOW / 1000) * 1000),
      });
      t.same(asMap(urls[i]), asMap(reference), KEYS[i]);
    }
    t.same(await resolver.urls([]), []);
    t.ok(QuerySigner.fromPresignedUrl(urls[0], 'SECRET'), 'the fast signer reproduces the SDK signature');
    t.equal(QuerySigner.fromPresignedUrl(urls[0], 'OTHER'), undefined, 'and refuses when it cannot (other secret)');
  });
}

t.test('batch presigning is fast enough for a 24-h playlist', async (t) => {
  const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true, credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' } });
  const resolver = presignedUrlResolver({ client, bucket: 'b', expiresInSeconds: 600 });
  const keys = Array.from({ length: 43_200 }, (_, i) => `cams/x/2026/11/22/03/${1795316400000 + i * 2000}-${i}-2000.ts`);
  const t0 = performance.now();
  const urls = await resolver.urls(keys);
  const ms = performance.now() - t0;
  t.equal(new Set(urls).size, keys.length, 'one distinct URL per key');
  t.comment(`presigned ${keys.length} URLs in ${ms.toFixed(0)} ms`);
});

t.test('base URLs and option errors', async (t) => {
  const r = baseUrlResolver('https://cdn.example.com/media/');
  t.same(await r.urls(['cams/a=b/x y.ts']), ['https://cdn.example.com/media/cams/a%3Db/x%20y.ts']);
  t.equal(r.validForSeconds, Infinity);
  t.throws(() => baseUrlResolver('cdn.example.com'), TypeError);
  t.throws(() => baseUrlResolver('ftp://cdn.example.com'), TypeError);
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } });
  t.throws(() => presignedUrlResolver({ client, bucket: 'b', expiresInSeconds: 0 }), /expiresInSeconds must be an integer in 1..604800/);
  t.throws(() => presignedUrlResolver({ client, bucket: 'b', expiresInSeconds: 604_801 }), RangeError);
  t.throws(() => presignedUrlResolver({ client, bucket: 'b', expiresInSeconds: 1.5 }), RangeError);
});
