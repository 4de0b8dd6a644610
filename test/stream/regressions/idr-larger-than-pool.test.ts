/**
 * Regression: an IDR larger than the pool rolled back the complete GOP before it (the size check ran
 * before the segment was cut); the complete GOP must be emitted.
 */
import t from 'tap';
import { aus, mk } from './common.js';
const filler = new Uint8Array(2 << 20).fill(0xff);
filler.set([0, 0, 0, 1, 0x0c], 0);
filler[filler.length - 1] = 0x80;
for (const target of [2, 0.5])
  t.test(`IDR larger than the pool after one complete GOP (target ${target}s)`, async (t) => {
    const { sink, stream } = mk({ poolBytes: 1 << 20, target });
    for (let i = 0; i < 25; i++) t.ok(stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 3600 * (i + 1) }), `GOP1 frame ${i}`);
    stream.putVideoFrame({ items: [{ part1: aus[25] }, { part1: filler }], pts90k: 3600 * 26 });
    t.equal(
      sink.segments.reduce((n, s) => n + s.meta.videoFrames, 0),
      25,
      'the complete GOP 1 is emitted',
    );
  });
