import t from 'tap';
import { ChunkList } from '../../src/mpegts/chunk-list.js';

t.test('ranges are kept in order, empties ignored, byteLength summed', async (t) => {
  const a = Uint8Array.from([1, 2, 3, 4]);
  const b = Uint8Array.from([5, 6]);
  const c = new ChunkList();
  c.add(a, 1, 3);
  c.add(b, 0, 0);
  c.add(b, 0, 2);
  t.equal(c.count, 2);
  t.equal(c.byteLength, 4);
  t.equal(c.source(0), a);
  t.same([c.start(0), c.end(0), c.start(1), c.end(1)], [1, 3, 0, 2]);
  t.equal(c.source(1), b);
  c.clear();
  t.equal(c.count, 0);
  t.equal(c.byteLength, 0);
});

t.test('grows past its initial capacity and keeps every range', async (t) => {
  const src = new Uint8Array(1000).map((_, i) => i & 0xff);
  const c = new ChunkList();
  for (let i = 0; i < 100; i++) c.add(src, i * 10, i * 10 + 7);
  t.equal(c.count, 100);
  t.equal(c.byteLength, 700);
  let ok = true;
  for (let i = 0; i < 100; i++) ok &&= c.start(i) === i * 10 && c.end(i) === i * 10 + 7 && c.source(i) === src;
  t.ok(ok, 'all 100 ranges intact after growing');
  c.clear();
  c.add(src, 0, 1);
  t.equal(c.count, 1, 'reusable after clear');
});

t.test('bad ranges are programmer errors', async (t) => {
  const c = new ChunkList();
  const src = new Uint8Array(4);
  t.throws(() => c.add(src, 3, 2), RangeError);
  t.throws(() => c.add(src, -1, 2), RangeError);
  t.throws(() => c.add(src, 0, 5), RangeError);
  t.throws(() => c.add(src, 0.5, 2), RangeError);
  t.equal(c.count, 0);
});
