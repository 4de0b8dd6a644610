/**
 * The uploader against a real S3 server (s3rver on 127.0.0.1), through a transparent proxy that
 * measures requests in flight and when each answer was sent: stored bytes, keys, metadata, content
 * type, tags on the wire, checksum, SSE and storage class headers, release only after the
 * acknowledgement, the concurrency bound and round-robin fairness.
 */
import t from 'tap';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { Uploader } from '../../src/upload/uploader.js';
import { segmentKey } from '../../src/keys/object-keys.js';
import { crc32Parts } from '../../src/upload/checksum.js';
import { bodyBytes, fakeSegment, type FakeSegment } from './fake-segment.js';

const s3 = await startS3();
const proxy = await startFaultProxy(s3.endpoint);
t.teardown(async () => {
  await proxy.close();
  await s3.close();
});
const client = s3.client();
const acked = new Set<string>();
proxy.onAcked((method, url) => {
  if (method === 'PUT') acked.add(decodeURIComponent(url.split('?')[0]));
});

function uploader(extra: Partial<ConstructorParameters<typeof Uploader>[0]> = {}): Uploader {
  const u = new Uploader({ bucket: s3.bucket, endpoint: proxy.endpoint, forcePathStyle: true, credentials: { ...S3RVER_CREDENTIALS }, ...extra });
  t.teardown(() => u.close());
  return u;
}

async function stored(key: string) {
  const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return { bytes: await bodyBytes(out.Body), type: out.ContentType, meta: out.Metadata ?? {} };
}

function putHeaders(key: string) {
  const r = s3.requests.filter((q) => q.method === 'PUT' && decodeURIComponent(q.url.split('?')[0]) === `/${s3.bucket}/${key}`);
  return r.map((q) => q.headers);
}

t.test('stores byte-identical segments (one and two parts) with keys, metadata, type, tags, checksum', async (t) => {
  const u = uploader({ concurrency: 2 });
  const sink = u.sinkFor('front-door', { prefix: 'cameras/front-door', tags: 'site=paris&camera=front door', metadata: { firmware: '1.2.3' } });
  const keys: string[] = [];
  u.on('uploaded', (e) => keys.push(e.key));
  const releasedBeforeAck: number[] = [];
  const segs: FakeSegment[] = [];
  for (let i = 0; i < 6; i++) {
    const seg = fakeSegment({
      streamId: 'front-door',
      sequence: i,
      packets: 30 + i * 7,
      splitAt: i % 2 === 1 ? 188 * 3 + 5 : undefined,
      onRelease: (s) => {
        const key = segmentKey('cameras/front-door', { startTimeMs: s.startTimeMs, sequence: s.sequence, durationMs: 2000, discontinuity: s.discontinuity });
        if (!acked.has(`/${s3.bucket}/${key}`)) releasedBeforeAck.push(s.sequence);
      },
    });
    segs.push(seg);
    sink.onSegment(seg);
  }
  const report = await u.drain({ timeoutMs: 20_000 });
  t.ok(report.complete, 'drain settled everything');
  t.same(releasedBeforeAck, [], 'no segment released before the server answered 2xx');
  for (const seg of segs) {
    t.equal(seg.releaseCount, 1, `segment ${seg.sequence} released exactly once`);
    const key = segmentKey('cameras/front-door', { startTimeMs: seg.startTimeMs, sequence: seg.sequence, durationMs: 2000, discontinuity: seg.discontinuity });
    t.ok(keys.includes(key), `uploaded event for ${key}`);
    const got = await stored(key);
    t.ok(got.bytes.equals(seg.bytesWhole), `bytes of ${seg.sequence} (${seg.parts.length} part(s)) identical`);
    t.equal(got.type, 'video/mp2t');
    // The server's Date as last seen (docs/keys.md, "Clocks"): absent before the first answer.
    const { 'server-date': serverDate, 'server-date-device-ms': seenAt, ...meta } = got.meta ?? {};
    if (serverDate !== undefined) t.ok(Number.isFinite(Date.parse(serverDate)) && Number(seenAt) > 0, `server-date ${serverDate}`);
    t.same(meta, {
      firmware: '1.2.3',
      camera: 'front-door',
      sequence: String(seg.sequence),
      'duration-ticks': '180000',
      'first-pts-90k': String(seg.firstPts90k),
      'start-time-ms': String(seg.startTimeMs),
      discontinuity: seg.sequence === 0 ? 'start' : 'false',
      // The codec facts a multivariant playlist reads with one HEAD (50 frames in 2 s: 25 fps).
      codecs: 'avc1.42c01e,mp4a.40.2',
      resolution: '640x360',
      'frame-rate': '25.000',
    });
    const [h] = putHeaders(key);
    t.equal(h?.['x-amz-tagging'], 'site=paris&camera=front%20door', 'tags on the wire');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32Parts([seg.bytesWhole]));
    t.equal(h?.['x-amz-checksum-crc32'], crc.toString('base64'), 'CRC32 of the whole segment on the wire');
    t.equal(h?.['content-length'], String(seg.byteLength), 'exact Content-Length');
    t.notOk(h?.['content-encoding'], 'no aws-chunked framing');
  }
  const st = u.stats();
  t.equal(st.uploadedSegments, 6);
  t.equal(
    st.uploadedBytes,
    segs.reduce((n, s) => n + s.byteLength, 0),
  );
  t.equal(st.pendingBytes, 0);
  t.ok(proxy.maxInFlight <= 2, `at most 2 PUTs in flight (saw ${proxy.maxInFlight})`);
});

t.test('setTags applies to segments not yet sent; invalid tags throw and the previous stay', async (t) => {
  const u = uploader({ concurrency: 1 });
  const sink = u.sinkFor('cam-tags', { prefix: 'tags', tags: { a: '1' } });
  const s0 = fakeSegment({ streamId: 'cam-tags', sequence: 0 });
  sink.onSegment(s0);
  await u.drain();
  sink.setTags('b=2');
  t.throws(() => sink.setTags('aws:x=1'), { code: 'BAD_TAGS' });
  const s1 = fakeSegment({ streamId: 'cam-tags', sequence: 1 });
  sink.onSegment(s1);
  await u.drain();
  const k = (s: FakeSegment) => segmentKey('tags', { startTimeMs: s.startTimeMs, sequence: s.sequence, durationMs: 2000, discontinuity: s.discontinuity });
  t.equal(putHeaders(k(s0))[0]?.['x-amz-tagging'], 'a=1');
  t.equal(putHeaders(k(s1))[0]?.['x-amz-tagging'], 'b=2', 'new tags, the invalid set was not applied');
});

t.test('storage class, SSE-KMS with key id, SHA256 checksum and the reference layout reach the wire', async (t) => {
  // s3rver echoes no checksum and an SSE-KMS ETag is no MD5: nothing can prove the PUT, so this
  // case needs the explicit opt-out (auto mode would retry it as UNVERIFIED_PUT, see verify-put.test.ts).
  const u = uploader({ storageClass: 'STANDARD_IA', sse: { type: 'aws:kms', keyId: 'alias/footage' }, checksum: 'SHA256', verify: 'off' });
  const sink = u.sinkFor('ref', { prefix: 'legacy/ref', layout: 'reference' });
  const seg = fakeSegment({ streamId: 'ref', sequence: 3, startTimeMs: Date.UTC(2026, 10, 22, 3, 4, 5, 678), splitAt: 1000 });
  sink.onSegment(seg);
  t.ok((await u.drain()).complete);
  const key = 'legacy/ref/2026/11/22/03/04/05.ts';
  const [h] = putHeaders(key);
  t.equal(h?.['x-amz-storage-class'], 'STANDARD_IA');
  t.equal(h?.['x-amz-server-side-encryption'], 'aws:kms');
  t.equal(h?.['x-amz-server-side-encryption-aws-kms-key-id'], 'alias/footage');
  const { createHash } = await import('node:crypto');
  t.equal(h?.['x-amz-checksum-sha256'], createHash('sha256').update(seg.bytesWhole).digest('base64'));
  t.ok((await stored(key)).bytes.equals(seg.bytesWhole));
});

t.test("round-robin: a second camera is served between the first camera's backlog", async (t) => {
  const u = uploader({ concurrency: 1 });
  const a = u.sinkFor('cam-a', { prefix: 'fair/a' });
  const b = u.sinkFor('cam-b', { prefix: 'fair/b' });
  const order: string[] = [];
  u.on('uploaded', (e) => order.push(`${e.streamId}:${e.sequence}`));
  for (let i = 0; i < 8; i++) a.onSegment(fakeSegment({ streamId: 'cam-a', sequence: i, packets: 5 }));
  for (let i = 0; i < 2; i++) b.onSegment(fakeSegment({ streamId: 'cam-b', sequence: i, packets: 5 }));
  await u.drain();
  t.same(order.slice(0, 4), ['cam-a:0', 'cam-b:0', 'cam-a:1', 'cam-b:1'], 'streams alternate');
  t.same(
    order.filter((x) => x.startsWith('cam-a')),
    Array.from({ length: 8 }, (_, i) => `cam-a:${i}`),
    'each stream in sequence order',
  );
});

t.test('options and hand-over errors name the option and value', async (t) => {
  t.throws(() => new Uploader({ bucket: 'Bad_Bucket' }), { name: 'TypeError', message: /options\.bucket.*Bad_Bucket/ });
  t.throws(() => new Uploader({ bucket: 'ok-bucket', concurrency: 0 }), { name: 'RangeError', message: /options\.concurrency.*got 0/ });
  t.throws(() => new Uploader({ bucket: 'ok-bucket', client, region: 'x' }), { name: 'TypeError', message: /options\.region/ });
  const u = uploader();
  t.throws(() => u.sinkFor('cam', { prefix: '/abs' }), TypeError);
  t.throws(() => u.sinkFor('cam', { prefix: 'a/../b' }), TypeError);
  t.throws(() => u.sinkFor('a/b', { prefix: 'x' }), TypeError);
  const sink = u.sinkFor('cam', { prefix: 'x' });
  t.throws(() => u.sinkFor('cam', { prefix: 'y' }), { message: /already has an open sink/ });
  const bad = { ...fakeSegment({ streamId: 'cam' }), byteLength: 1 };
  t.throws(() => sink.onSegment(bad), RangeError);
  t.same(await u.drain({ timeoutMs: 10 }), { complete: true, pending: [], error: undefined });
  const shared = new Uploader({ bucket: 'ok-bucket', client });
  t.throws(() => shared.setCredential('a', 'b'), { message: /options\.client/ });
  await shared.close();
});

t.test('a shared client with the SDK default checksum setting still stores two-part bodies exactly', async (t) => {
  const shared = s3.client();
  const u = new Uploader({ bucket: s3.bucket, client: shared });
  const sink = u.sinkFor('shared', { prefix: 'shared' });
  const seg = fakeSegment({ streamId: 'shared', sequence: 0, packets: 50, splitAt: 188 * 20 + 3 });
  sink.onSegment(seg);
  t.ok((await u.drain({ timeoutMs: 5000 })).complete);
  await u.close();
  const key = segmentKey('shared', { startTimeMs: seg.startTimeMs, sequence: 0, durationMs: 2000, discontinuity: true });
  t.ok((await stored(key)).bytes.equals(seg.bytesWhole), 'no aws-chunked framing stored');
  t.notOk(putHeaders(key)[0]?.['content-encoding']);
  // The caller's client is not destroyed by close().
  t.ok((await stored(key)).bytes.length > 0);
});

t.test('drain stops at its AbortSignal with a report; close aborts the PUT in flight without releasing', async (t) => {
  proxy.setFaultPicker((method) => (method === 'PUT' ? 'stall' : 'pass'));
  t.teardown(() => proxy.setFaultPicker(() => 'pass'));
  const u = uploader({ requestTimeoutMs: 60_000 });
  const sink = u.sinkFor('stalled', { prefix: 'stalled' });
  const seg = fakeSegment({ streamId: 'stalled', sequence: 0 });
  sink.onSegment(seg);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const report = await u.drain({ signal: ac.signal });
  t.notOk(report.complete);
  t.same(
    report.pending.map((p) => [p.streamId, p.sequence, p.inFlight, p.attempts]),
    [['stalled', 0, true, 1]],
  );
  t.match(report.error?.message, /1 segment\(s\) not uploaded yet/);
  await u.close();
  t.equal(u.stats().inFlight, 0, 'aborted');
  t.equal(seg.releaseCount, 0, 'not released: it was never acknowledged');
  t.throws(() => sink.onSegment(fakeSegment({ streamId: 'stalled', sequence: 1 })), { name: 'TypeError', message: /after close/ });
});
