/**
 * Permanent errors against s3rver (NoSuchBucket): with the default `hold` the segments stay in the
 * pool and are retried slowly, reported as UPLOAD_PERMANENT; with `discard` they are released and
 * a `discarded` event says which. Plus the classification table of S3 and network errors.
 */
import t from 'tap';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { Uploader } from '../../src/upload/uploader.js';
import { classifyPutError } from '../../src/upload/classify-error.js';
import { fakeSegment } from './fake-segment.js';

const s3 = await startS3();
t.teardown(() => s3.close());

function uploader(permanentErrors: 'hold' | 'discard'): Uploader {
  const u = new Uploader({
    bucket: 'no-such-bucket',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    permanentErrors,
    retry: { baseDelayMs: 10, maxDelayMs: 300 },
  });
  t.teardown(() => u.close());
  return u;
}

t.test('hold (default): NoSuchBucket is reported, segments kept and retried slowly', async (t) => {
  const u = uploader('hold');
  const errors: { code: string; name: string; willRetry: boolean; retryInMs: number | undefined; message: string }[] = [];
  u.on('error', (e) => errors.push(e));
  const sink = u.sinkFor('cam-p', { prefix: 'perm' });
  const segs = [0, 1].map((i) => fakeSegment({ streamId: 'cam-p', sequence: i }));
  for (const s of segs) sink.onSegment(s);
  const report = await u.drain({ timeoutMs: 1000 });
  t.notOk(report.complete);
  t.same(
    report.pending.map((p) => [p.sequence, p.lastError?.name]),
    [
      [0, 'NoSuchBucket'],
      [1, 'NoSuchBucket'],
    ],
  );
  t.ok(errors.length >= 2 && errors.every((e) => e.code === 'UPLOAD_PERMANENT' && e.name === 'NoSuchBucket' && e.willRetry && e.retryInMs === 300));
  t.match(errors[0].message, /NoSuchBucket \(HTTP 404.*check the bucket name/);
  t.ok(
    segs.every((s) => s.releaseCount === 0),
    'held in the pool',
  );
  t.ok(u.stats().permanentErrors >= 2);
});

t.test('discard: released, one discarded event per segment, drain completes', async (t) => {
  const u = uploader('discard');
  const discarded: number[] = [];
  u.on('discarded', (e) => discarded.push(e.sequence));
  const sink = u.sinkFor('cam-d', { prefix: 'perm' });
  const segs = [0, 1, 2].map((i) => fakeSegment({ streamId: 'cam-d', sequence: i }));
  for (const s of segs) sink.onSegment(s);
  const report = await u.drain({ timeoutMs: 5000 });
  t.ok(report.complete);
  t.same(discarded.sort(), [0, 1, 2]);
  t.ok(segs.every((s) => s.releaseCount === 1));
  t.equal(u.stats().discardedSegments, 3);
});

t.test('classification of S3 and network errors', async (t) => {
  const s3err = (name: string, status: number) => Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status, requestId: 'R1' } });
  const table: [unknown, boolean, string][] = [
    [s3err('SlowDown', 503), false, 'transient'],
    [s3err('InternalError', 500), false, 'transient'],
    [s3err('RequestTimeTooSkewed', 403), false, 'transient'],
    [s3err('ExpiredToken', 400), false, 'credentials'],
    [s3err('InvalidAccessKeyId', 403), false, 'credentials'],
    [s3err('SignatureDoesNotMatch', 403), false, 'credentials'],
    [s3err('Unknown', 403), false, 'credentials'],
    [s3err('AccessDenied', 403), false, 'permanent'],
    [s3err('NoSuchBucket', 404), false, 'permanent'],
    [s3err('TooManyRequests', 429), false, 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false, 'transient'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), true, 'transient'],
  ];
  for (const [err, timedOut, kind] of table) t.equal(classifyPutError(err, timedOut).kind, kind, `${(err as Error).name}/${(err as { code?: string }).code ?? ''} → ${kind}`);
  const sig = Object.assign(s3err('SignatureDoesNotMatch', 403), { StringToSign: 'AWS4-HMAC-SHA256 secret-ish', SignatureProvided: 'abcdef' });
  t.notMatch(classifyPutError(sig, false).message, /AWS4|abcdef|StringToSign/, 'message carries no signing material');
});
