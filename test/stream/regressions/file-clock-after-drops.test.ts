/**
 * Regression: in file mode, media time dropped with a full pool vanished from segment start times
 * (the clock re-anchored at the previous segment's end); it must stay a gap.
 */
import t from 'tap';
import { aus, mk } from './common.js';
t.test('file mode: media time dropped with a full pool stays a gap in start times', async (t) => {
  const { sink, stream } = mk({ origin: 0, poolBytes: 400_000, hold: true, target: 1 });
  let pts = 0;
  for (let r = 0; r < 3; r++) {
    for (let i = 0; i < aus.length; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: (pts += 3600) });
    sink.releaseAll();
  }
  stream.finalize();
  t.ok(stream.stats().videoFramesDropped > 0, 'the held pool really dropped frames');
  t.ok(sink.segments.some((s) => s.meta.discontinuityReason === 'dropped-frames'));
  for (const s of sink.segments) t.ok(Math.abs(s.meta.startTimeMs - (s.meta.firstPts90k - 3600) / 90) <= 1, `segment ${s.meta.sequence}: start time = origin + media time`);
  for (const s of sink.segments)
    console.log('first', (s.meta.firstPts90k - 3600) / 90, 'ms  start', s.meta.startTimeMs, 'dur', s.meta.durationTicks / 90, s.meta.discontinuityReason ?? '');
});
