/**
 * Regression: a segment exactly as large as the pool read as empty (head === start), so a rollback gave
 * nothing back and the pool stayed full forever, or the segment vanished at the next cut.
 */
import t from 'tap';
import { aus, mk } from './common.js';
// 1. measure used bytes after each frame with a big pool
const m = mk({ poolBytes: 8 << 20, hold: true });
const used: number[] = [];
for (let i = 0; i < 25; i++) {
  m.stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 3600 * (i + 1) });
  used.push(m.stream.stats().pool.usedBytes);
}
// the pool holds exactly frames 0..k
const k = used.findIndex((u) => u >= 64 * 188 && used.indexOf(u) > 0);
const cap = used[k];
t.test('open segment exactly fills the pool, next frame overflows', async (t) => {
  const { stream } = mk({ poolBytes: cap });
  for (let i = 0; i <= k; i++) t.ok(stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 3600 * (i + 1) }), `frame ${i} written`);
  stream.putVideoFrame({ items: [{ part1: aus[k + 1] }], pts90k: 3600 * (k + 2) }); // PoolFull -> rollback to seg
  // feed the rest of the fixture: every later GOP should fit in the empty pool...
  let written = 0;
  for (let i = k + 2; i < aus.length; i++) if (stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 3600 * (i + 1) })) written++;
  stream.finalize();
  const st = stream.stats();
  t.equal(st.pool.usedBytes === st.pool.capacityBytes && written === 0, false, 'pool must not stay full forever');
});
t.test('open segment exactly fills the pool, next frame is a cut IDR', async (t) => {
  // target 0.1 s: every IDR is a cut; fill with frames 0..k then send IDR 25 as next frame
  const { sink, stream } = mk({ poolBytes: cap, target: 0.1 });
  for (let i = 0; i <= k; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: 3600 * (i + 1) });
  stream.putVideoFrame({ items: [{ part1: aus[25] }], pts90k: 3600 * (k + 2) });
  t.equal(sink.segments.length, 1, 'the full segment is emitted');
});
