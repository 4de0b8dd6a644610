/**
 * SpoolingSink between a "stream" (test segments whose release() is the pool's) and an uploading
 * sink: during an outage every segment's pool space comes back (spooled, forwarded ones detached),
 * after it everything arrives once, byte-exact; and across a restart, segments spooled by run 1
 * are uploaded by run 2 to a real s3rver, byte-identical, under the keys run 1 recorded.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DiskSpool } from '../../src/spool/disk-spool.js';
import { SpoolingSink } from '../../src/spool/spooling-sink.js';
import { segmentKey } from '../../src/keys/object-keys.js';
import { Uploader } from '../../src/upload/uploader.js';
import type { Segment, SegmentSink } from '../../src/types.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';
import { testSegment, type TestSegment } from './spool-segment.js';

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An uploading sink stand-in: offline it holds segments; online it copies and releases them. */
class SwitchSink implements SegmentSink {
  online = false;
  readonly held: Segment[] = [];
  readonly stored = new Map<number, Buffer>();
  duplicates = 0;
  onSegment(s: Segment): void {
    this.held.push(s);
    if (this.online) this.flush();
  }
  flush(): void {
    for (const s of this.held.splice(0)) {
      if (this.stored.has(s.sequence)) this.duplicates++;
      this.stored.set(s.sequence, Buffer.concat(s.parts.map((p) => Buffer.from(p))));
      s.release();
    }
  }
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-spool-sink-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('outage: every segment leaves the pool; after it, every segment arrives once, byte-exact', async (t) => {
  const spool = await DiskSpool.open({ directory: tempDir(t), quotaBytes: 100_000_000, fsync: false });
  const inner = new SwitchSink();
  const errors: Error[] = [];
  const sink = new SpoolingSink({ spool, inner, streamId: 'cam1', prefix: 'cams/cam1', releaseAfterMs: 20, checkIntervalMs: 5, maxForwarded: 2, onError: (e) => errors.push(e) });
  const segs: TestSegment[] = [];
  for (let i = 0; i < 10; i++) {
    const s = testSegment({ sequence: i, splitAt: i % 3 === 0 ? 700 : undefined });
    segs.push(s);
    sink.onSegment(s);
  }
  await until('every pool segment released', () => segs.every((s) => s.releases() === 1));
  const st = sink.stats();
  t.equal(st.poolBytes, 0, 'no pool bytes held during the outage');
  t.equal(st.detached, 2, 'the two forwarded segments were detached (heap copies)');
  t.equal(st.movedToBacklog, 8, 'the waiting ones went to disk only');
  t.equal(spool.stats().files, 10, 'all ten on disk');
  await until('one backlog segment handed over', () => inner.held.length === 3);
  t.same(
    inner.held.map((s) => s.sequence),
    [0, 1, 2],
    'inner sink holds 2 live + 1 backlog (oldest first)',
  );

  // Back online; live segments keep coming while the backlog drains.
  inner.online = true;
  inner.flush();
  for (let i = 10; i < 13; i++) {
    const s = testSegment({ sequence: i });
    segs.push(s);
    sink.onSegment(s);
  }
  await until('all 13 stored and the spool empty', () => inner.stored.size === 13 && spool.stats().files === 0);
  for (const s of segs) {
    t.ok(inner.stored.get(s.sequence)?.equals(s.whole), `seq ${s.sequence} byte-exact`);
    t.equal(s.releases(), 1, `seq ${s.sequence} pool space released exactly once`);
  }
  t.equal(inner.duplicates, 0, 'nothing handed over twice');
  t.same(errors, []);
  sink.onEnd();
  const closed = await sink.close();
  t.same(closed, { onDisk: 0, notSpooled: 0, onDiskSequences: [] });
});

t.test('close() puts held segments on disk; write-ahead means they are there already', async (t) => {
  const spool = await DiskSpool.open({ directory: tempDir(t), quotaBytes: 100_000_000, fsync: false });
  const inner = new SwitchSink();
  const sink = new SpoolingSink({ spool, inner, streamId: 'cam1', prefix: 'cams/cam1', spoolAfterMs: 60_000, releaseAfterMs: 60_000 });
  for (let i = 0; i < 3; i++) sink.onSegment(testSegment({ sequence: i }));
  t.equal(spool.stats().files, 0, 'spoolAfterMs not reached: nothing written yet');
  t.same(await sink.close(), { onDisk: 3, notSpooled: 0, onDiskSequences: [0, 1, 2] }, 'which live segments are on disk, by sequence (the ledger marks them spooled)');
  t.equal(spool.stats().files, 3);
});

t.test('restart: segments spooled in run 1 (S3 unreachable) are uploaded by run 2 to s3rver, byte-identical', async (t) => {
  const dir = tempDir(t);
  const segs = [0, 1, 2, 3, 4].map((i) => testSegment({ sequence: i, splitAt: i === 2 ? 1234 : undefined }));
  const keys = segs.map((s) => segmentKey('cams/cam1', { startTimeMs: s.startTimeMs, sequence: s.sequence, durationMs: s.durationTicks / 90, discontinuity: s.discontinuity }));

  // Run 1: nothing listens on the endpoint (connection refused, retried as transient).
  {
    const spool = await DiskSpool.open({ directory: dir, quotaBytes: 100_000_000 });
    const uploader = new Uploader({
      bucket: 'test-bucket',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { ...S3RVER_CREDENTIALS },
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
    });
    let failures = 0;
    uploader.on('error', () => failures++);
    const sink = new SpoolingSink({
      spool,
      inner: uploader.sinkFor('cam1', { prefix: 'cams/cam1' }),
      streamId: 'cam1',
      prefix: 'cams/cam1',
      releaseAfterMs: 50,
      checkIntervalMs: 10,
    });
    for (const s of segs) sink.onSegment(s);
    await until('run 1: all pool space back', () => segs.every((s) => s.releases() === 1));
    t.ok(failures > 0, 'run 1 PUTs failed');
    const closed = await sink.close();
    t.same({ onDisk: closed.onDisk, notSpooled: closed.notSpooled }, { onDisk: 2, notSpooled: 0 }, 'the two forwarded (detached) ones are on disk too');
    t.equal(closed.onDiskSequences.length, 2);
    await uploader.close();
    await spool.close();
  }

  // Run 2: a new process would do exactly this.
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 100_000_000 });
  t.equal(spool.stats().recovered, 5, 'run 2 found all five');
  t.same(
    spool.pending().map((e) => e.key),
    keys,
    'the keys run 1 recorded, oldest first',
  );
  const uploader = new Uploader({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { ...S3RVER_CREDENTIALS } });
  t.teardown(() => uploader.close());
  const uploaded: string[] = [];
  uploader.on('uploaded', (e) => uploaded.push(e.key));
  const sink = new SpoolingSink({ spool, inner: uploader.sinkFor('cam1', { prefix: 'cams/cam1' }), streamId: 'cam1', prefix: 'cams/cam1' });
  await until('run 2: spool empty', () => spool.stats().files === 0 && uploaded.length === 5);
  t.same(uploaded, keys, 'uploaded oldest first under the recorded keys');
  const client = s3.client();
  for (const [i, s] of segs.entries()) {
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keys[i] }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    t.ok(body.equals(s.whole), `${keys[i]} byte-identical`);
    t.equal(got.Metadata?.['first-pts-90k'], String(s.firstPts90k), 'metadata from the spooled fields');
  }
  client.destroy();
  await sink.close();
});
