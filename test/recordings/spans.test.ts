/**
 * Recording spans: the merge rule (gap > 1 s or discontinuity starts a span) and `s3hls recordings`
 * against a real S3 (s3rver on 127.0.0.1), table and --json.
 */
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { mergeSpans, querySpans, spanToJson } from '../../src/recordings/spans.js';
import { main } from '../../src/cli/main.js';
import { startS3 } from '../helpers/s3server.js';

const T0 = Date.UTC(2026, 10, 22, 0, 59, 50);
const seg = (startTimeMs: number, durationMs: number, discontinuity = false) => ({ startTimeMs, durationMs, discontinuity });

t.test('mergeSpans: gaps up to 1 s continue, beyond start a span, discontinuity always starts one', async (t) => {
  t.same(mergeSpans([]), []);
  const spans = mergeSpans([
    seg(0, 2000),
    seg(2000, 2000),
    seg(5000, 2000), // 1000 ms gap: same span
    seg(8001, 1999), // 1001 ms gap: new span
    seg(10_000, 2000, true), // contiguous but a discontinuity: new span
    seg(11_500, 2000), // overlap continues
  ]);
  t.same(spans, [
    { startMs: 0, endMs: 7000, segments: 3 },
    { startMs: 8001, endMs: 10_000, segments: 1 },
    { startMs: 10_000, endMs: 13_500, segments: 2 },
  ]);
  t.same(spanToJson(spans[0]), { start: '1970-01-01T00:00:00.000Z', end: '1970-01-01T00:00:07.000Z', segments: 3 });
  t.throws(() => mergeSpans([], -1), RangeError);
});

t.test('s3hls recordings lists spans from S3 across an hour boundary', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const prefix = 'cameras/front';
  const fields = [
    ...Array.from({ length: 10 }, (_, i) => ({ startTimeMs: T0 + i * 2000, sequence: i, durationMs: 2000, discontinuity: false })),
    // a 5 s outage, then a restart with a discontinuity
    ...Array.from({ length: 3 }, (_, i) => ({ startTimeMs: T0 + 25_000 + i * 2000, sequence: 10 + i, durationMs: 2000, discontinuity: i === 0 })),
  ];
  await Promise.all(fields.map((f) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: segmentKey(prefix, f), Body: new Uint8Array([0x47]) }))));
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/not-a-segment.txt`, Body: 'x' }));

  const { spans } = await querySpans({ client, bucket: s3.bucket, prefix });
  t.same(spans, [
    { startMs: T0, endMs: T0 + 20_000, segments: 10 },
    { startMs: T0 + 25_000, endMs: T0 + 31_000, segments: 3 },
  ]);
  const windowed = await querySpans({ client, bucket: s3.bucket, prefix, startMs: T0 + 26_000 });
  t.same(windowed.spans, [{ startMs: T0 + 25_000, endMs: T0 + 31_000, segments: 3 }], 'a segment covering the window start is included');

  const store = ['--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--prefix', prefix];
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  t.equal(await main(['recordings', ...store, '--json'], io), 0, err);
  t.same(JSON.parse(out), [
    { start: new Date(T0).toISOString(), end: new Date(T0 + 20_000).toISOString(), segments: 10 },
    { start: new Date(T0 + 25_000).toISOString(), end: new Date(T0 + 31_000).toISOString(), segments: 3 },
  ]);
  out = '';
  t.equal(await main(['recordings', ...store], io), 0, err);
  t.match(out, /2026-11-22T00:59:50\.000Z {2}2026-11-22T01:00:10\.000Z {2}0h00m20s\s+10/);
  t.match(out, /2 span\(s\), 0h00m26s of footage/);
  out = '';
  t.equal(await main(['recordings', ...store, '--json', '--start', '2026-11-23T00:00:00Z'], io), 0, err);
  t.same(JSON.parse(out), []);
  err = '';
  t.equal(await main(['recordings', '--bucket', s3.bucket], io), 2);
  t.match(err, /--prefix is required/);
});
