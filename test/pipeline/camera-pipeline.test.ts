/**
 * The composition root against s3rver on 127.0.0.1: segments held before startUpload are stored,
 * the uploader's 'uploaded' event (the per-segment observer hook) fires once per stored segment,
 * and a producer waiting for pool room is woken by the release of a segment, not by polling.
 */
import t from 'tap';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CameraPipeline } from '../../src/pipeline/camera-pipeline.js';
import { Uploader } from '../../src/upload/uploader.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture } from '../helpers/fixtures.js';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';

t.test('held segments are stored once uploading starts; a pool wait ends on release', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const uploader = new Uploader({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
  const stored: string[] = [];
  uploader.on('uploaded', (e) => {
    t.equal(e.streamId, 'door', 'the observer sees the camera id');
    stored.push(e.key);
  });
  const aus = accessUnits(fixture('baseline.h264')).map((n) => annexB(n));
  const total = aus.reduce((n, a) => n + a.length, 0);
  // A pool just big enough for the whole clip, so nothing is dropped while held.
  const pipeline = new CameraPipeline({
    streamId: 'door',
    prefix: 'cams/door',
    uploader,
    poolBytes: Math.ceil(total * 1.5) + 64 * 1024,
    targetSegmentSeconds: 1,
    startUpload: false,
  });
  t.equal(pipeline.sink, undefined, 'not uploading before startUpload');
  for (let i = 0; i < aus.length; i++) t.equal(pipeline.stream.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 }), true);
  const segmentsHeld = pipeline.stream.stats().segments;
  t.ok(segmentsHeld >= 2, `segments were cut while held (${segmentsHeld})`);
  t.equal(pipeline.whenPoolBelow(1), undefined, 'no wait when there is room');
  let woke = false;
  const wait = pipeline.whenPoolBelow(0);
  t.ok(wait, 'a wait is needed while segments are held');
  void wait?.then(() => (woke = true));
  await new Promise((r) => setImmediate(r));
  t.equal(woke, false, 'the wait does not end while nothing was released');
  pipeline.startUpload();
  pipeline.stream.finalize();
  // Pool empty only after every segment (the last one from finalize too) was stored and released.
  await wait;
  t.equal(pipeline.stream.stats().pool.usedBytes, 0, 'woken when the pool emptied');
  const report = await uploader.drain({ timeoutMs: 20_000 });
  await uploader.close();
  t.equal(report.complete, true);
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'cams/door/' }));
  t.equal(listed.Contents?.length, pipeline.stream.stats().segments, 'one object per segment');
  t.same(stored.slice().sort(), (listed.Contents ?? []).map((o) => o.Key).sort(), "one 'uploaded' event per stored object");
});

t.test('a stop condition ends a pool wait when the waiters are woken', async (t) => {
  const uploader = new Uploader({ bucket: 'bucket', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
  const aus = accessUnits(fixture('baseline.h264')).map((n) => annexB(n));
  const pipeline = new CameraPipeline({ streamId: 'yard', prefix: 'cams/yard', uploader, targetSegmentSeconds: 1, startUpload: false });
  for (let i = 0; i < 40; i++) pipeline.stream.putVideoFrame({ items: [{ part1: aus[i % aus.length] }], timestampUs: i * 40_000 });
  let stop = false;
  const wait = pipeline.whenPoolBelow(0, () => stop);
  t.ok(wait);
  stop = true;
  pipeline.wakeWaiters();
  await wait;
  t.pass('the wait ended');
  await uploader.close();
});
