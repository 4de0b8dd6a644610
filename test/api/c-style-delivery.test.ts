/**
 * Issue 10 §3 and §4 at the C-style API, against s3rver on 127.0.0.1: a producer faster than the
 * uploads loses nothing with the awaitable feed; stats() and finalize() account for every frame
 * (in = stored + spooled + dropped + lost + pending); every segment ends stored or failed(reason),
 * with an event and a report entry; waits are bounded; presentation-order timestamps warn once.
 */
import t, { type Test } from 'tap';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3Hls, type S3HlsConfig } from '../../src/api/s3hls.js';
import type { FrameAccounting } from '../../src/api/s3hls-report.js';
import type { S3HlsWarning } from '../../src/api/timing-order-check.js';
import type { SegmentOutcome } from '../../src/pipeline/segment-ledger.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture, highBframes } from '../helpers/fixtures.js';
import { startS3, S3RVER_CREDENTIALS, type TestS3 } from '../helpers/s3server.js';

const aus = accessUnits(fixture('1080p.h264')).map((n) => annexB(n)); // 250 frames, 5 Mbit/s, GOP 50

function config(s3: TestS3, prefix: string, extra: Partial<S3HlsConfig> = {}): S3HlsConfig {
  return { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS, prefix, targetSegmentSeconds: 2, ...extra };
}

function balanced(t: Test, f: FrameAccounting, what: string): void {
  t.equal(f.stored + f.spooled + f.dropped + f.lost + f.pending, f.in, `${what}: in = stored + spooled + dropped + lost + pending (${JSON.stringify(f)})`);
}

async function objects(s3: TestS3, prefix: string): Promise<number> {
  const r = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
  return r.KeyCount ?? 0;
}

t.test('the non-blocking put, fed faster than uploads drain: drops are counted, complete is false, stats() balances', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const api = new S3Hls();
  api.initialize(config(s3, 'cams/fast', { poolBytes: 2 * 1024 * 1024, onWarning: () => {} }));
  api.startUpload();
  let accepted = 0;
  for (let i = 0; i < aus.length; i++) if (api.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 })) accepted++;
  const mid = api.stats();
  t.ok(mid.frames.dropped > 0, `frames dropped by the full pool: ${mid.frames.dropped} of ${aus.length}`);
  t.equal(mid.frames.in, aus.length);
  t.ok(mid.frames.pending > 0, 'frames muxed but not stored yet are pending, not stored');
  balanced(t, mid.frames, 'while running');
  const report = await api.finalize({ timeoutMs: 30_000 });
  t.equal(report.complete, false);
  t.equal(report.frames.pending, 0);
  t.equal(report.frames.stored, report.frames.written, 'every frame still written at the end was stored');
  // true from putVideoFrame means muxed now: a GOP rolled back later (pool full) is counted dropped.
  t.ok(report.frames.written <= accepted, `written ${report.frames.written} <= accepted ${accepted}`);
  balanced(t, report.frames, 'at finalize');
  t.ok((report.frames.droppedByReason['POOL_FULL'] ?? 0) > 0);
});

t.test('putVideoFrameAsync: the same fast producer loses nothing, complete is true, every segment is in the bucket', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const api = new S3Hls();
  const outcomes: SegmentOutcome[] = [];
  api.initialize(config(s3, 'cams/async', { poolBytes: 2 * 1024 * 1024, onSegment: (o) => outcomes.push(o) }));
  api.startUpload();
  for (let i = 0; i < aus.length; i++) t.equal(await api.putVideoFrameAsync({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 }, { timeoutMs: 20_000 }), true);
  const report = await api.finalize({ timeoutMs: 30_000 });
  t.equal(report.complete, true, JSON.stringify(report.frames));
  t.equal(report.frames.dropped, 0);
  t.equal(report.frames.stored, aus.length, 'every frame stored');
  t.equal(report.segments.storedSegments, 5);
  t.equal(await objects(s3, 'cams/async'), 5, 'and in the bucket');
  t.equal(outcomes.length, 5, 'one segment event per segment');
  t.ok(outcomes.every((o) => o.state === 'stored' && o.key?.startsWith('cams/async/')));
});

t.test('whenWritable is bounded: before startUpload it refuses at once; with uploads failing it times out naming why', async (t) => {
  const s3 = await startS3();
  const api = new S3Hls();
  api.initialize(config(s3, 'cams/held', { poolBytes: 2 * 1024 * 1024 }));
  for (let i = 0; i < 120; i++) api.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 });
  await t.rejects(api.whenWritable(), { name: 'TypeError', message: /startUpload\(\)/ });
  // The server goes away: uploads cannot free the pool.
  await s3.close();
  api.startUpload();
  const started = performance.now();
  await t.rejects(api.whenWritable({ timeoutMs: 1500 }), {
    code: 'WAIT_TIMEOUT',
    message: /no room in the pool after 1\.5 s: \d+ segment\(s\).*wait for upload; last upload error UPLOAD_TRANSIENT/,
  });
  t.ok(performance.now() - started < 5000, 'ended at its bound');
  const stop = new AbortController();
  const aborted = api.whenWritable({ timeoutMs: 60_000, signal: stop.signal });
  stop.abort(new Error('user stop'));
  await t.rejects(aborted, { message: 'user stop' });
  const outcomes: SegmentOutcome[] = [];
  const report = await api.finalize({ timeoutMs: 500 });
  outcomes.push(...report.failedSegments);
  t.equal(report.complete, false);
  t.ok(report.segments.failedSegments >= 2, `segments not uploaded fail: ${report.segments.failedSegments}`);
  t.equal(report.segments.pendingSegments, 0, 'none left without a state');
  t.ok(
    outcomes.every((o) => o.state === 'failed' && o.reason === 'not-uploaded' && /not stored when the run ended/.test(o.message ?? '')),
    JSON.stringify(outcomes[0]),
  );
  t.equal(report.frames.lost, report.frames.written, 'every written frame is counted lost, none stored');
  balanced(t, report.frames, 'server gone');
});

t.test('a permanent error with permanentErrors: discard: each segment fails as discarded, with an event and a report entry', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const api = new S3Hls();
  const events: SegmentOutcome[] = [];
  api.initialize({ ...config(s3, 'cams/nobucket', { onSegment: (o) => events.push(o) }), bucket: 'no-such-bucket', permanentErrors: 'discard' });
  api.startUpload();
  for (let i = 0; i < 100; i++) await api.putVideoFrameAsync({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 });
  const report = await api.finalize({ timeoutMs: 20_000 });
  t.equal(report.complete, false);
  t.equal(report.segments.failedSegments, 2);
  t.equal(events.length, 2);
  t.ok(
    events.every((e) => e.state === 'failed' && e.reason === 'discarded' && e.code === 'UPLOAD_PERMANENT' && /NoSuchBucket/.test(e.message ?? '')),
    JSON.stringify(events[0]),
  );
  t.same(
    report.failedSegments.map((f) => f.sequence),
    events.map((e) => e.sequence),
  );
  t.equal(report.frames.lost, 100);
});

t.test('B-frames: presentation-order timestamps warn once; correct PTS + DTS do not', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const { annexB: bytes, packets } = highBframes();
  const units = accessUnits(bytes).map((n) => annexB(n));
  const feed = async (prefix: string, timing: (i: number) => { timestampUs: number; decodeTimestampUs?: number }): Promise<S3HlsWarning[]> => {
    const warnings: S3HlsWarning[] = [];
    const api = new S3Hls();
    api.initialize(config(s3, prefix, { onWarning: (w) => warnings.push(w) }));
    api.startUpload();
    for (let i = 0; i < units.length; i++) await api.putVideoFrameAsync({ items: [{ part1: units[i] }], ...timing(i) });
    const report = await api.finalize({ timeoutMs: 20_000 });
    t.same(report.warnings, warnings, 'the report lists the warnings');
    return warnings;
  };
  const us = (ticks: number): number => Math.round(ticks / 0.09);
  // One timestamp per frame, increasing in feed order: muxes without a drop but plays B-frames out of order.
  const single = await feed('cams/b-single', (i) => ({ timestampUs: i * 40_000 }));
  t.equal(single.length, 1, 'warned once');
  t.match(single[0], { code: 'PRESENTATION_ORDER_TIMESTAMPS', message: /has B-frames but only one timestamp/ });
  // Presentation times given as decode times: DTS goes back.
  const swapped = await feed('cams/b-swapped', (i) => ({ timestampUs: us(packets[i].pts) + 200_000, decodeTimestampUs: us(packets[i].pts) }));
  t.equal(swapped.length, 1);
  t.match(swapped[0].message, /decode timestamps went back/);
  const right = await feed('cams/b-right', (i) => ({ timestampUs: us(packets[i].pts), decodeTimestampUs: us(packets[i].dts) }));
  t.same(right, [], 'decode-order DTS with reordered PTS: no warning');
});

t.test('finalize aborted while uploads cannot finish: the report never reads as complete, the frames are lost, not silently gone', async (t) => {
  const s3 = await startS3();
  const api = new S3Hls();
  const events: SegmentOutcome[] = [];
  // A pool that holds both GOPs: nothing is dropped, so only the ledger can say what was lost.
  api.initialize(config(s3, 'cams/abort', { poolBytes: 8 * 1024 * 1024, onSegment: (o) => events.push(o) }));
  await s3.close(); // nothing can be stored from here on
  api.startUpload();
  for (let i = 0; i < 100; i++) t.equal(api.putVideoFrame({ items: [{ part1: aus[i] }], timestampUs: i * 40_000 }), true);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 300);
  const report = await api.finalize({ timeoutMs: 60_000, signal: stop.signal });
  t.equal(report.complete, false);
  t.equal(report.frames.dropped, 0, 'nothing dropped by the muxer...');
  t.equal(report.frames.lost, 100, '...but every frame is accounted as lost');
  t.equal(report.frames.stored, 0);
  t.equal(events.length, 2);
  t.ok(events.every((e) => e.state === 'failed' && e.reason === 'not-uploaded'));
});
