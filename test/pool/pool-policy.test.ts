/**
 * The fixed-size pool under load: memory never grows, released space is reused, and a full pool
 * (a consumer that does not release, e.g. an upload outage) drops only whole GOPs, counted.
 */
import t from 'tap';
import { ErrorCode } from '../../src/errors.js';
import { SegmentPool } from '../../src/pool/segment-pool.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { Segment, SegmentSink } from '../../src/types.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { CollectSink } from '../helpers/collect-sink.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { checkTransportStream } from '../checker/ts-checker.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';

t.test('SegmentPool: out-of-order release reclaims from the tail only', async (t) => {
  const pool = new SegmentPool(188 * 100);
  t.equal(pool.capacity, 188 * 100);
  const write = (n: number) => {
    pool.beginSegment();
    for (let i = 0; i < n; i++) pool.bytes[pool.nextPacket()] = 0x47;
    return pool.finishSegment();
  };
  const a = write(40);
  const b = write(40);
  t.equal(pool.freeBytes, 188 * 20);
  b?.release();
  t.equal(pool.freeBytes, 188 * 20, 'b released first: nothing reclaimed while a is held');
  a?.release();
  t.equal(pool.freeBytes, 188 * 100, 'a released: both reclaimed');
  const c = write(50); // the head is at packet 80: 80..100 then 0..30
  t.equal(c?.parts.length, 2, 'a segment that wraps is two views');
  t.equal((c?.parts[0].length ?? 0) + (c?.parts[1].length ?? 0), 50 * 188);
  t.equal(c?.parts[1].byteOffset, pool.bytes.byteOffset, 'its second view starts at the pool start (no copy)');
  t.equal(write(30)?.parts.length, 1);
  t.throws(() => {
    c?.release();
    c?.release();
  }, /twice/);
  t.throws(() => new SegmentPool(1000), RangeError);
});

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it' });
} else {
  const aus = accessUnits(fixture('1080p.h264')).map((n) => annexB(n)); // 250 frames, GOP 50

  t.test('10 minutes of 1080p as fast as possible: the pool never grows, space is reused', async (t) => {
    let maxParts = 0;
    let bytes = 0;
    const sink: SegmentSink = {
      onSegment(s: Segment) {
        bytes += s.byteLength;
        maxParts = Math.max(maxParts, s.parts.length);
        s.release();
      },
    };
    const stream = new HlsStream({ streamId: 'long', sink });
    const poolBytes = stream.stats().pool.capacityBytes;
    const heapBefore = process.memoryUsage().heapUsed;
    const frames = 25 * 600;
    let refused = 0;
    for (let i = 0; i < frames; i++) if (!stream.putVideoFrame({ items: [{ part1: aus[i % aus.length] }], pts90k: i * 3600 })) refused++;
    t.equal(refused, 0, 'no frame refused');
    stream.finalize();
    const st = stream.stats();
    t.equal(st.videoFramesWritten, frames);
    t.equal(st.segments, 300, '600 s / 2 s');
    t.equal(st.pool.capacityBytes, poolBytes, 'capacity unchanged');
    t.ok(st.pool.highWaterBytes <= poolBytes, 'never above capacity');
    t.ok(bytes > 50 * poolBytes, `wrote ${(bytes / 1e6).toFixed(0)} MB through a ${(poolBytes / 1e6).toFixed(1)} MB pool`);
    t.equal(maxParts, 2, 'segments wrapped around the ring end');
    t.equal(st.pool.usedBytes, 0, 'everything released');
    t.ok(process.memoryUsage().heapUsed - heapBefore < 64e6, 'heap did not grow with the stream');
  });

  t.test('a full pool drops only whole GOPs, counted, then recovers', async (t) => {
    const sink = new CollectSink({ hold: true });
    const stream = new HlsStream({ streamId: 'full', sink, poolBytes: 4 * 1024 * 1024 });
    for (let i = 0; i < aus.length * 2; i++) stream.putVideoFrame({ items: [{ part1: aus[i % aus.length] }], pts90k: i * 3600 });
    const full = stream.stats();
    t.ok(full.videoFramesDropped > 0, 'the held pool filled up');
    t.equal(full.droppedByReason[ErrorCode.PoolFull], full.videoFramesDropped, 'all for POOL_FULL');
    t.equal(full.videoFramesDropped % 50, 0, 'whole 50-frame GOPs only');
    t.equal(full.videoFramesIn, full.videoFramesWritten + full.videoFramesDropped);
    sink.releaseAll();
    const before = sink.segments.length;
    for (let i = 0; i < aus.length; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: (aus.length * 2 + i) * 3600 });
    stream.finalize();
    const after = sink.segments.slice(before);
    t.ok(after.length > 0, 'segments flow again once space is released');
    t.equal(after[0].meta.discontinuityReason, 'dropped-frames', 'the gap is marked as a discontinuity');
    const state = { cc: new Map<number, number>() };
    t.same(
      sink.segments.flatMap((s) => checkTransportStream(s.bytes, { state }).errors),
      [],
      'no half GOP, CC continuous across the rollback',
    );
    for (const s of sink.segments) t.ok(ffmpegGate(s.bytes).ok, `segment ${s.meta.sequence} passes the gate`);
    const st = stream.stats();
    t.equal(st.videoFramesIn, st.videoFramesWritten + st.videoFramesDropped);
    t.equal(
      sink.segments.reduce((n, s) => n + s.meta.videoFrames, 0),
      st.videoFramesWritten,
      'segment frame counts add up',
    );
  });
}
