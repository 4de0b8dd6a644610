/**
 * Issue 10 §2 at the composition root: a producer waiting for pool room never waits on the open
 * segment alone (it can end only at the next IDR the producer has not fed: the old hang), and a GOP
 * larger than the whole pool is reported once as 'pool-too-small' instead of dropping silently.
 */
import t from 'tap';
import { CameraPipeline } from '../../src/pipeline/camera-pipeline.js';
import type { PoolTooSmallEvent } from '../../src/pipeline/pool-guard.js';
import { Uploader } from '../../src/upload/uploader.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture } from '../helpers/fixtures.js';
import { S3RVER_CREDENTIALS } from '../helpers/s3server.js';

// Nothing is uploaded in these tests (startUpload is never called): the endpoint is never contacted.
const uploader = (): Uploader =>
  new Uploader({ bucket: 'b-never-used', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
const aus = accessUnits(fixture('1080p.h264')).map((n) => annexB(n));

t.test('the open segment alone above the high-water mark: no wait (it could never end)', async (t) => {
  const up = uploader();
  t.teardown(() => up.close());
  const gopBytes = aus.slice(0, 50).reduce((n, a) => n + a.length, 0);
  const pipeline = new CameraPipeline({ streamId: 'cam', prefix: 'cams/cam', uploader: up, poolBytes: Math.ceil(gopBytes * 1.5), targetSegmentSeconds: 2, startUpload: false });
  // 40 frames of the first 50-frame GOP: far above half the pool, all in the open segment.
  for (let i = 0; i < 40; i++) t.equal(pipeline.stream.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 }), true);
  const pool = pipeline.stream.stats().pool;
  t.ok(pool.usedBytes > pool.capacityBytes / 2, `pool ${pool.usedBytes}/${pool.capacityBytes} used by the open segment`);
  t.equal(pool.heldSegments, 0);
  t.equal(pipeline.whenPoolBelow(0.5), undefined, 'no wait: only the next IDR can end this segment');
  // Once a finished segment holds space, the wait is real again.
  for (let i = 40; i < 51; i++) pipeline.stream.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 });
  t.equal(pipeline.stream.stats().pool.heldSegments, 1);
  t.ok(pipeline.whenPoolBelow(0.5), 'a held segment above half: wait for its release');
});

t.test('a GOP larger than the pool: one pool-too-small event naming the size', async (t) => {
  const up = uploader();
  t.teardown(() => up.close());
  const pipeline = new CameraPipeline({ streamId: 'cam', prefix: 'cams/cam', uploader: up, poolBytes: 1024 * 1024, targetSegmentSeconds: 2, startUpload: false });
  const events: PoolTooSmallEvent[] = [];
  pipeline.on('pool-too-small', (e) => events.push(e));
  for (let i = 0; i < aus.length; i++) pipeline.stream.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 });
  t.equal(events.length, 1, 'reported once');
  t.equal(events[0]?.code, 'POOL_FULL');
  t.match(events[0]?.message ?? '', /the segment being written outgrew the 1 MiB pool/);
  t.equal(pipeline.poolTooSmall, events[0]);
});
