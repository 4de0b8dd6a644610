/**
 * Regression tests for two backoff bugs found in review:
 * - a wall clock stepped back (NTP on a camera) stalled every upload for as long as the step, because
 *   retry times were kept on Date.now();
 * - one success did not lift the shared backoff gate, so segments handed in after the link came back
 *   waited out a delay chosen during the outage.
 */
import t from 'tap';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { Uploader } from '../../src/upload/uploader.js';
import { fakeSegment } from './fake-segment.js';

t.test('a wall clock stepped back an hour does not stall retries', async (t) => {
  const s3 = await startS3();
  const proxy = await startFaultProxy(s3.endpoint);
  t.teardown(async () => {
    await proxy.close();
    await s3.close();
  });
  let puts = 0;
  proxy.setFaultPicker((method) => (method === 'PUT' && puts++ === 0 ? 'slowdown503' : 'pass'));
  const realNow = Date.now;
  t.teardown(() => {
    Date.now = realNow;
  });
  const uploader = new Uploader({
    bucket: s3.bucket,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { ...S3RVER_CREDENTIALS },
    retry: { baseDelayMs: 20, maxDelayMs: 50 },
  });
  t.teardown(() => uploader.close());
  uploader.on('error', () => {
    Date.now = () => realNow() - 3_600_000;
  }); // the clock steps back right after the failure
  const sink = uploader.sinkFor('cam', { prefix: 'cams/cam' });
  const segs = [fakeSegment({ sequence: 0 }), fakeSegment({ sequence: 1 })];
  for (const s of segs) sink.onSegment(s);
  const report = await uploader.drain({ timeoutMs: 5_000 });
  t.equal(report.complete, true, 'every segment stored within 5 s despite the clock step');
  t.same(
    segs.map((s) => s.releaseCount),
    [1, 1],
  );
});

t.test('one success lifts the shared backoff gate', async (t) => {
  const s3 = await startS3();
  const proxy = await startFaultProxy(s3.endpoint);
  t.teardown(async () => {
    await proxy.close();
    await s3.close();
  });
  let puts = 0;
  proxy.setFaultPicker((method) => (method === 'PUT' && puts++ === 0 ? 'error500' : 'pass'));
  // A 500 opens the gate for up to 5 s (base = max = 5000 ms, full jitter: pick a run where it is long).
  const uploader = new Uploader({
    bucket: s3.bucket,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { ...S3RVER_CREDENTIALS },
    concurrency: 2,
    retry: { baseDelayMs: 5_000, maxDelayMs: 5_000 },
  });
  t.teardown(() => uploader.close());
  const sink = uploader.sinkFor('cam', { prefix: 'cams/cam' });
  const first = fakeSegment({ sequence: 0 });
  const second = fakeSegment({ sequence: 1 });
  sink.onSegment(first); // fails: the gate opens
  sink.onSegment(second); // in flight at the same time: succeeds
  await new Promise<void>((resolve) => {
    const off = uploader.on('uploaded', () => {
      off();
      resolve();
    });
  });
  const late = fakeSegment({ sequence: 2 });
  const handed = performance.now();
  let lateAt = 0;
  uploader.on('uploaded', (e) => {
    if (e.sequence === 2) lateAt = performance.now();
  });
  sink.onSegment(late);
  await uploader.drain({ streamId: 'cam', timeoutMs: 15_000 });
  t.ok(lateAt > 0, 'the late segment was stored');
  t.ok(lateAt - handed < 1_000, `a segment handed in after a success goes at once (${Math.round(lateAt - handed)} ms), not after the outage's backoff`);
});
