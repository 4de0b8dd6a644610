/** finalize() accounts for every frame: a run that dropped frames is not `complete` (s3rver on 127.0.0.1). */
import t from 'tap';
import { S3Hls } from '../../src/api/s3hls.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture } from '../helpers/fixtures.js';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';

t.test('frames dropped for a full pool make complete false and are counted by reason', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const aus = accessUnits(fixture('baseline.h264')).map((n) => annexB(n));
  const api = new S3Hls();
  // A pool far smaller than the clip, and no startUpload until the end: the pool fills, frames drop.
  api.initialize({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    prefix: 'cams/small',
    poolBytes: 256 * 1024,
    targetSegmentSeconds: 1,
  });
  let accepted = 0;
  for (let i = 0; i < aus.length; i++) if (api.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 })) accepted++;
  t.ok(accepted < aus.length, `some frames were refused (${aus.length - accepted})`);
  const report = await api.finalize({ timeoutMs: 20_000 });
  t.equal(report.complete, false, 'not complete: frames were lost');
  t.equal(report.framesIn, aus.length, 'every frame handed in is counted');
  t.ok(report.framesDropped > 0);
  t.equal(report.framesWritten + report.framesDropped, report.framesIn, 'written + dropped = handed in');
  t.ok((report.droppedByReason['POOL_FULL'] ?? 0) > 0, `dropped by reason: ${JSON.stringify(report.droppedByReason)}`);
  t.ok(report.segmentsStored > 0);
  t.equal(report.segmentsFailed, 0);
});
