/**
 * The uploader through a fault-injecting proxy in front of s3rver (all on 127.0.0.1): random 500
 * InternalError, 503 SlowDown, resets mid-body, resets after the object was stored, stalled
 * answers, and a full outage of 3 s while cameras keep handing in segments. Invariants: every
 * segment stored exactly once under its key with identical bytes, none missing, none released
 * before its acknowledgement or twice, never more PUTs in flight than `concurrency`.
 */
import t from 'tap';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { seededRandom, startFaultProxy, type Fault } from '../helpers/fault-proxy.js';
import { Uploader } from '../../src/upload/uploader.js';
import { segmentKey } from '../../src/keys/object-keys.js';
import { bodyBytes, fakeSegment, type FakeSegment } from './fake-segment.js';

const SEED = Number(process.env['FAULT_SEED'] ?? 20261122);

t.test(`random faults and a 3 s outage: every segment exactly once, identical (seed ${SEED})`, async (t) => {
  const s3 = await startS3();
  const proxy = await startFaultProxy(s3.endpoint);
  t.teardown(async () => {
    await proxy.close();
    await s3.close();
  });
  const rnd = seededRandom(SEED);
  proxy.setFaultPicker((method): Fault => {
    if (method !== 'PUT') return 'pass';
    const r = rnd();
    if (r < 0.12) return 'error500';
    if (r < 0.24) return 'slowdown503';
    if (r < 0.34) return 'reset-mid-body';
    if (r < 0.42) return 'reset-after-store';
    if (r < 0.47) return 'stall';
    return 'pass';
  });
  const acked = new Set<string>();
  proxy.onAcked((method, url) => {
    if (method === 'PUT') acked.add(decodeURIComponent(url.split('?')[0]).slice(s3.bucket.length + 2));
  });

  const u = new Uploader({
    bucket: s3.bucket,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    concurrency: 2,
    requestTimeoutMs: 1000,
    retry: { baseDelayMs: 50, maxDelayMs: 800 },
  });
  t.teardown(() => u.close());
  const errorNames = new Map<string, number>();
  let notRetried = 0;
  u.on('error', (e) => {
    errorNames.set(e.name, (errorNames.get(e.name) ?? 0) + 1);
    if (!e.willRetry || e.code !== 'UPLOAD_TRANSIENT') notRetried++;
  });

  const cams = ['cam-0', 'cam-1', 'cam-2'];
  const sinks = cams.map((c) => u.sinkFor(c, { prefix: `faults/${c}` }));
  const segs: { seg: FakeSegment; key: string }[] = [];
  const releasedEarly: string[] = [];
  const PER_CAM = 10;
  for (let i = 0; i < PER_CAM; i++) {
    if (i === 3) proxy.outage(3000);
    for (let c = 0; c < cams.length; c++) {
      const seq = i;
      const key = segmentKey(`faults/${cams[c]}`, { startTimeMs: 1_795_316_400_000 + seq * 2000, sequence: seq, durationMs: 2000, discontinuity: seq === 0 });
      const seg = fakeSegment({
        streamId: cams[c],
        sequence: seq,
        packets: 40 + ((seq * 13 + c * 7) % 60),
        splitAt: (seq + c) % 3 === 0 ? 188 * 5 + 11 : undefined,
        onRelease: () => {
          if (!acked.has(key)) releasedEarly.push(key);
        },
      });
      segs.push({ seg, key });
      sinks[c].onSegment(seg);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  const report = await u.drain({ timeoutMs: 30_000 });
  t.ok(report.complete, `drain complete (pending: ${report.pending.length})`);
  t.same(releasedEarly, [], 'no segment released before S3 acknowledged it');
  t.ok(
    segs.every(({ seg }) => seg.releaseCount === 1),
    'every segment released exactly once',
  );
  t.equal(notRetried, 0, 'every failure was transient and retried');
  t.ok(proxy.maxInFlight <= 2, `at most 2 PUTs in flight (saw ${proxy.maxInFlight})`);

  const faults = new Map<string, number>();
  for (const e of proxy.log) faults.set(e.fault, (faults.get(e.fault) ?? 0) + 1);
  t.comment(`faults injected: ${JSON.stringify(Object.fromEntries(faults))}; errors seen: ${JSON.stringify(Object.fromEntries(errorNames))}; stats: ${JSON.stringify(u.stats())}`);
  for (const f of ['error500', 'slowdown503', 'reset-mid-body', 'reset-after-store', 'stall'] as const) t.ok((faults.get(f) ?? 0) > 0, `fault ${f} was injected`);
  t.ok(
    (errorNames.get('SlowDown') ?? 0) > 0 && (errorNames.get('InternalError') ?? 0) > 0 && (errorNames.get('TimeoutError') ?? 0) > 0,
    'SlowDown, InternalError and timeouts surfaced as error events',
  );

  const client = s3.client();
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'faults/' }));
  const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
  t.same(keys, segs.map((s) => s.key).sort(), 'exactly one object per segment, none missing, none extra');
  for (const { seg, key } of segs) {
    const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    if (!(await bodyBytes(out.Body)).equals(seg.bytesWhole)) t.fail(`bytes differ for ${key}`);
  }
  t.pass(`${segs.length} objects compared byte for byte`);
});
