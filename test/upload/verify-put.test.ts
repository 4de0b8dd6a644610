/**
 * A 2xx is not proof (issue 10 §1): through a proxy in front of s3rver that answers object PUTs with
 * 200 and a made-up ETag while storing nothing, no segment counts as stored; each such answer is an
 * UNVERIFIED_PUT error naming the endpoint, retried with backoff. Honest answers from s3rver (which
 * echoes no checksum) are proven by ETag = MD5. `verify: 'off'` is the explicit opt-out.
 */
import t from 'tap';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { startFaultProxy, type Fault } from '../helpers/fault-proxy.js';
import { Uploader } from '../../src/upload/uploader.js';
import { verifyPutAnswer } from '../../src/upload/verify-put.js';
import { fakeSegment, type FakeSegment } from './fake-segment.js';

const s3 = await startS3();
const proxy = await startFaultProxy(s3.endpoint);
t.teardown(async () => {
  await proxy.close();
  await s3.close();
});

function run(fault: Fault, verify: 'auto' | 'off' | undefined, count: number) {
  proxy.setFaultPicker((method) => (method === 'PUT' ? fault : 'pass'));
  const u = new Uploader({
    bucket: s3.bucket,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    ...(verify ? { verify } : {}),
  });
  t.teardown(() => u.close());
  const sink = u.sinkFor(`cam-${fault}-${String(verify)}`, { prefix: `v/${fault}-${String(verify)}` });
  const errors: { code: string; message: string; willRetry: boolean }[] = [];
  u.on('error', (e) => errors.push({ code: e.code, message: e.message, willRetry: e.willRetry }));
  const segs: FakeSegment[] = [];
  for (let i = 0; i < count; i++) {
    const seg = fakeSegment({ streamId: 'c', sequence: i, packets: 40 + i });
    segs.push(seg);
    sink.onSegment(seg);
  }
  return { u, errors, segs };
}

t.test('honest s3rver answers are proven by ETag = MD5 and stored', async (t) => {
  const { u, errors, segs } = run('pass', undefined, 3);
  const report = await u.drain({ timeoutMs: 20_000 });
  t.ok(report.complete);
  t.same(errors, []);
  t.equal(u.stats().uploadedSegments, 3);
  for (const s of segs) t.equal(s.releaseCount, 1);
});

t.test('200 without storing: never counted as stored, UNVERIFIED_PUT retried, endpoint named', async (t) => {
  const { u, errors, segs } = run('fake-200', undefined, 2);
  const report = await u.drain({ timeoutMs: 1500 });
  t.notOk(report.complete, 'drain does not report complete');
  t.equal(u.stats().uploadedSegments, 0, 'nothing counted as stored');
  t.ok(errors.length >= 2, `errors emitted (${errors.length})`);
  for (const e of errors) {
    t.equal(e.code, 'UNVERIFIED_PUT');
    t.ok(e.willRetry, 'retried');
    t.match(e.message, proxy.endpoint);
    t.match(e.message, /ETag 0123456789abcdef0123456789abcdef is not the body's MD5/);
  }
  for (const s of segs) t.equal(s.releaseCount, 0, 'segment kept for a retry');
});

t.test("verify: 'off' is the explicit opt-out (trusts any 2xx)", async (t) => {
  const { u, errors } = run('fake-200', 'off', 1);
  await u.drain({ timeoutMs: 5000 });
  t.same(errors, []);
  t.equal(u.stats().uploadedSegments, 1);
});

t.test('echoed checksum is the proof when present; mismatches and missing echoes are named', async (t) => {
  const parts = [Buffer.from('hello')];
  t.equal(verifyPutAnswer('auto', 'CRC32', 'AAAA', { ChecksumCRC32: 'AAAA', ETag: '"x"' }, parts, false), undefined);
  t.match(verifyPutAnswer('auto', 'CRC32', 'AAAA', { ChecksumCRC32: 'BBBB' }, parts, false), /differs/);
  t.match(verifyPutAnswer('checksum', 'CRC32', 'AAAA', { ETag: '"5d41402abc4b2a76b9719d911017c592"' }, parts, false), /no CRC32 checksum echoed/);
  t.equal(verifyPutAnswer('etag', 'CRC32', 'AAAA', { ETag: '"5d41402abc4b2a76b9719d911017c592"' }, parts, false), undefined);
  t.match(verifyPutAnswer('auto', 'CRC32', 'AAAA', { ETag: '"abc"' }, parts, true), /SSE-KMS/);
});

t.test('the drain report keeps what was missing, for the CLI line naming the endpoint', async (t) => {
  const { u } = run('fake-200', 'auto', 1);
  const report = await u.drain({ timeoutMs: 1000 });
  const last = report.pending[0]?.lastError;
  t.equal(last?.code, 'UNVERIFIED_PUT');
  t.match(last?.message, proxy.endpoint);
  t.match(last?.message, /is not the body's MD5/);
});
