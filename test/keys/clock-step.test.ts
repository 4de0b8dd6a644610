/**
 * Issue 10 §6, clocks that step: live keys and times come from a monotonic clock anchored to the
 * wall clock. A wall clock stepped back 1 h (NTP) or forward 1 h re-anchors once, with one reported
 * event and a `clock-step` discontinuity; segments after it keep their real durations apart (no
 * hour squeezed into milliseconds, no unexplained gap). Each object carries the device time and the
 * server's `Date` as metadata (s3rver on loopback).
 */
import t from 'tap';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { keyOfSegment, parseSegmentKey } from '../../src/keys/object-keys.js';
import { AnchoredClock, type ClockStep } from '../../src/stream/anchored-clock.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { Segment } from '../../src/types.js';
import { Uploader } from '../../src/upload/uploader.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';
import { fakeSegment } from '../upload/fake-segment.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);

/** A fake machine: a monotonic clock and a wall clock that a test can step. */
function machine() {
  const m = { mono: 5_000, offset: T0 - 5_000 };
  return { m, wall: () => m.mono + m.offset, mono: () => m.mono };
}

t.test('AnchoredClock: a step beyond the threshold re-anchors once; drift below it does not', async (t) => {
  const { m, wall, mono } = machine();
  const steps: ClockStep[] = [];
  const clock = new AnchoredClock({ wallNow: wall, monotonicNow: mono, onStep: (s) => steps.push(s) });
  m.mono += 1_000;
  t.equal(clock.now(), T0 + 1_000);
  m.offset += 1_500; // 1.5 s: within the 2 s threshold
  t.equal(clock.check(), 0);
  t.equal(clock.now(), T0 + 1_000, 'small differences are not followed');
  m.offset -= HOUR;
  t.equal(clock.check(), 1);
  t.equal(clock.check(), 1, 'reported once');
  t.equal(steps.length, 1);
  t.equal(steps[0].stepMs, 1_500 - HOUR);
  t.equal(clock.now(), wall(), 'follows the new wall clock');
  t.throws(() => new AnchoredClock({ stepThresholdMs: 0 }), RangeError);
});

t.test('HlsStream live: wall clock back 1 h, then forward 1 h', async (t) => {
  if (!hasFfmpeg()) {
    t.comment('ffmpeg not on PATH: no fixture');
    return;
  }
  const units = accessUnits(fixture('baseline.h264')).map((au) => annexB(au));
  const { m, wall, mono } = machine();
  const steps: ClockStep[] = [];
  const clock = new AnchoredClock({ wallNow: wall, monotonicNow: mono, onStep: (s) => steps.push(s) });
  const segs: Segment[] = [];
  const stream = new HlsStream({ streamId: 'cam1', targetSegmentSeconds: 1, clock, sink: { onSegment: (s) => (segs.push(s), s.release()) } });
  // 12 s of a 4 s clip at 25 fps, in real time on the fake monotonic clock.
  for (let i = 0; i < 300; i++) {
    if (i === 100) m.offset -= HOUR; // NTP steps the wall clock back an hour, at 4 s
    if (i === 200) m.offset += HOUR; // and forward again, at 8 s
    const u = units[i % units.length];
    stream.putVideoFrame({ items: [{ part1: u }], pts90k: 90_000 + i * 3_600 });
    m.mono += 40;
  }
  stream.finalize();
  t.equal(steps.length, 2, 'two steps, each reported once');
  t.same(
    segs.map((s) => s.discontinuityReason ?? '-'),
    ['start', '-', '-', '-', 'clock-step', '-', '-', '-', 'clock-step', '-', '-', '-'],
  );
  const starts = segs.map((s) => s.startTimeMs - T0);
  t.comment(`start times after T0 (s): ${starts.map((s) => (s / 1000).toFixed(2)).join(' ')}`);
  // Within each timeline consecutive starts are the durations apart (1 s), never squeezed.
  for (let i = 1; i < segs.length; i++) {
    if (segs[i].discontinuity) continue;
    t.equal(segs[i].startTimeMs - segs[i - 1].startTimeMs, 1_000, `segment ${i} starts 1 s after ${i - 1}`);
  }
  t.ok(Math.abs(segs[4].startTimeMs - (T0 + 4_000 - HOUR)) <= 1_000, 'after the back step times follow the new wall clock');
  t.ok(Math.abs(segs[8].startTimeMs - (T0 + 8_000)) <= 1_000, 'after the forward step too');
  const keys = segs.map((s) => keyOfSegment('cams/cam1', s));
  t.equal(new Set(keys).size, keys.length, 'keys are unique');
  t.ok(keys[4].endsWith('-d.ts') && keys[8].endsWith('-d.ts'), 'the key marks both discontinuities');
  t.equal(parseSegmentKey(keys[4], 'cams/cam1')?.startTimeMs, segs[4].startTimeMs, 'and parses back to its start time');
  for (const s of segs)
    t.ok(s.deviceTimeMs !== undefined && Math.abs(s.deviceTimeMs - (s.startTimeMs + 1_000)) < 1_100 + (s === segs[3] || s === segs[7] ? HOUR : 0), `device time ${s.sequence}`);
});

t.test('objects carry device-time-ms and the server Date as metadata', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const uploader = new Uploader({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { ...S3RVER_CREDENTIALS } });
  const sink = uploader.sinkFor('cam1', { prefix: 'meta/cam1' });
  const device = Date.now() - HOUR; // a device clock an hour slow
  for (let i = 0; i < 2; i++) {
    sink.onSegment({ ...fakeSegment({ sequence: i }), deviceTimeMs: device + i });
    await uploader.drain({ timeoutMs: 10_000 });
  }
  await uploader.close();
  const head = async (i: number) =>
    (await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: keyOfSegment('meta/cam1', fakeSegment({ sequence: i })) }))).Metadata ?? {};
  const first = await head(0);
  t.equal(first['device-time-ms'], String(device));
  t.notOk('server-date' in first, 'the first PUT has seen no server answer yet');
  const second = await head(1);
  t.equal(second['device-time-ms'], String(device + 1));
  const serverMs = Date.parse(second['server-date'] ?? '');
  t.ok(Math.abs(serverMs - Date.now()) < 60_000, `server-date ${second['server-date']} is the server's clock`);
  t.ok(Math.abs(Number(second['server-date-device-ms']) - Date.now()) < 60_000, 'with the device clock when it was seen');
  t.ok(serverMs - device > HOUR - 60_000, 'playback can tell the device clock was an hour slow');
});
