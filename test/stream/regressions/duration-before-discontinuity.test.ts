/**
 * Regression: the segment before a timestamp reset/jump took its duration from the new timeline's
 * first PTS (0 or an hour); it must last its own frames.
 */
import t from 'tap';
import { aus, mk } from './common.js';
for (const [name, base2] of [
  ['reset', 100],
  ['jump', 3600 * 90_000],
  ['source-restart', 0],
] as const)
  t.test(`IDR at a ${name}`, async (t) => {
    const { sink, stream } = mk({ origin: 1_700_000_000_000 });
    for (let i = 0; i < 50; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 900_000 + 3600 * i });
    if (name === 'source-restart') stream.markDiscontinuity('source-restart');
    const b = name === 'source-restart' ? 900_000 + 3600 * 50 : base2;
    for (let i = 50; i < 100; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: b + 3600 * (i - 50) });
    stream.finalize();
    for (const s of sink.segments)
      console.log(
        name,
        s.meta.sequence,
        'first',
        s.meta.firstPts90k,
        'dur',
        s.meta.durationTicks,
        'start',
        s.meta.startTimeMs - 1_700_000_000_000,
        'frames',
        s.meta.videoFrames,
        s.meta.discontinuityReason,
        'over',
        s.meta.overTarget,
      );
    t.equal(sink.segments[0].meta.durationTicks, 50 * 3600, 'segment before the discontinuity lasts its 50 frames');
  });
