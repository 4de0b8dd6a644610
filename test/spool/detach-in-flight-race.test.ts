/**
 * Regression: "detach while a PUT is in flight". The SpoolingSink gives a forwarded, stuck
 * segment's pool space back after copying its bytes to the heap. A PUT attempt already in flight at
 * that moment still reads the pool views (its body is only partly sent on a slow uplink); if the
 * pool reuses the space meanwhile, a server that does not verify checksums (s3rver here; real S3
 * with checksum 'none') stores the damaged bytes and answers 200.
 *
 * Set-up (all real: uploader, DiskSpool, fault proxy, s3rver on 127.0.0.1): the first PUT is held
 * unread at the proxy, so most of a 17 MB body waits in the client's userland write queue (loopback
 * socket buffers take ~4 MB); the segment goes to disk and is detached; the fake pool overwrites its
 * bytes the moment `release()` is called (what a real pool does when the stream writes the next
 * segment there); then the proxy lets the body through. Before the fix the stored object contained
 * the overwritten bytes; now the pool space comes back only after the attempt settled.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DiskSpool } from '../../src/spool/disk-spool.js';
import { SpoolingSink } from '../../src/spool/spooling-sink.js';
import { Uploader } from '../../src/upload/uploader.js';
import { keyOfSegment } from '../../src/keys/object-keys.js';
import type { Segment } from '../../src/types.js';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { startFaultProxy, type Fault } from '../helpers/fault-proxy.js';
import { patternBytes } from './spool-segment.js';

const PACKETS = 90_000; // 16.9 MB: far more than the loopback socket buffers absorb

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A segment in a fake pool whose release() reuses (overwrites) the space at once, like the real pool does when the stream writes on. */
function poisonOnRelease(whole: Buffer, splitAt: number | undefined, onRelease: () => void): Segment {
  const n = whole.length;
  const pool = Buffer.alloc(n + 376);
  let parts: Uint8Array[];
  if (splitAt === undefined) {
    whole.copy(pool, 188);
    parts = [pool.subarray(188, 188 + n)];
  } else {
    const tailAt = pool.length - splitAt;
    whole.copy(pool, tailAt, 0, splitAt);
    whole.copy(pool, 0, splitAt);
    parts = [pool.subarray(tailAt), pool.subarray(0, n - splitAt)];
  }
  return {
    streamId: 'cam1',
    sequence: 0,
    mediaSequence: 17_953_164_000,
    firstPts90k: 900_000,
    durationTicks: 180_000,
    startTimeMs: 1_795_316_400_000,
    byteLength: n,
    parts,
    discontinuity: true,
    discontinuityReason: 'start',
    videoFrames: 50,
    audioFrames: 0,
    codecs: 'avc1.64001f',
    width: 1280,
    height: 720,
    overTarget: false,
    release() {
      onRelease();
      pool.fill(0xee); // the pool reuses the space: the next segment's packets land here
    },
  };
}

for (const [label, splitAt] of [
  ['one part (Uint8Array body)', undefined],
  ['two parts (stream body, wraps the pool)', 188 * 40_000],
] as const) {
  t.test(`detach while a PUT is in flight: the stored object is the muxed bytes, pool released after the attempt settled — ${label}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 's3hls-detach-race-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const s3 = await startS3();
    const proxy = await startFaultProxy(s3.endpoint);
    t.teardown(async () => {
      await proxy.close();
      await s3.close();
    });
    let puts = 0;
    proxy.setFaultPicker((method): Fault => (method === 'PUT' && puts++ === 0 ? 'hold' : 'pass'));
    let ackedPuts = 0;
    proxy.onAcked((method) => {
      if (method === 'PUT') ackedPuts++;
    });

    const spool = await DiskSpool.open({ directory: dir, quotaBytes: 200_000_000, fsync: false });
    t.teardown(() => spool.close());
    const uploader = new Uploader({
      bucket: s3.bucket,
      endpoint: proxy.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { ...S3RVER_CREDENTIALS },
      requestTimeoutMs: 30_000,
    });
    t.teardown(() => uploader.close());
    const sink = new SpoolingSink({
      spool,
      inner: uploader.sinkFor('cam1', { prefix: 'cams/cam1' }),
      streamId: 'cam1',
      prefix: 'cams/cam1',
      releaseAfterMs: 0,
      checkIntervalMs: 5,
    });
    t.teardown(() => sink.close());

    const whole = patternBytes(PACKETS * 188, 7);
    let releases = 0;
    let ackedBeforeRelease = -1;
    const seg = poisonOnRelease(whole, splitAt, () => {
      releases++;
      ackedBeforeRelease = ackedPuts;
    });
    sink.onSegment(seg);

    await until('the PUT is held at the proxy', () => proxy.heldCount === 1);
    await until('the segment is on disk and detached', () => sink.stats().detached === 1);
    // Give a premature release every chance to happen (it did at once before the fix).
    await new Promise((r) => setTimeout(r, 200));
    t.equal(releases, 0, 'pool space not given back while the attempt still reads it');
    t.equal(sink.stats().detachWaitedForAttempt, 1, 'the detach waited for the attempt in flight');

    proxy.releaseHeld();
    const report = await uploader.drain({ timeoutMs: 30_000 });
    t.ok(report.complete, 'uploaded');
    await until('pool space given back', () => releases === 1);
    t.equal(ackedBeforeRelease, 1, 'released only after the 2xx reached the client');

    const key = keyOfSegment('cams/cam1', seg);
    const got = await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    t.equal(body.length, whole.length, 'stored length');
    let firstBad = -1;
    for (let i = 0; i < whole.length; i++) {
      if (body[i] !== whole[i]) {
        firstBad = i;
        break;
      }
    }
    t.equal(firstBad, -1, 'stored bytes identical to the muxed bytes (no 0xEE from the reused pool)');
    await until('spool file removed', () => spool.stats().files === 0);
  });
}
