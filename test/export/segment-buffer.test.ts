/**
 * The exporter's reused read buffer: bodies of any chunking come back byte-exact, the buffer grows
 * only when a body is larger than any before, and an object over the limit is refused.
 */
import t from 'tap';
import { MAX_SEGMENT_BYTES, SegmentBuffer, SegmentTooLargeError } from '../../src/export/segment-buffer.js';

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

t.test('any chunking gives the same bytes; capacity grows once, then is reused', async (t) => {
  const buf = new SegmentBuffer(1000);
  const big = pattern(5000, 1);
  for (const size of [1, 7, 188, 999, 1000, 5000]) t.same(await buf.fill(chunks(big, size)), big, `chunks of ${size}`);
  t.equal(buf.capacity, 8000, 'doubled from 1000 until the body fit');
  const small = pattern(300, 2);
  t.same(await buf.fill(chunks(small, 64)), small, 'a smaller body after a larger one');
  t.equal(buf.capacity, 8000, 'no new allocation for it');
  t.same(await buf.fill(chunks(new Uint8Array(0), 1)), new Uint8Array(0), 'an empty body');
  const hinted = new SegmentBuffer(16);
  t.same(await hinted.fill(chunks(big, 4096), big.length), big);
  t.equal(hinted.capacity, 16 * 512, 'the length hint grows it up front');
});

t.test('a body over the limit is refused (by its length hint or as it arrives)', async (t) => {
  const buf = new SegmentBuffer(16);
  await t.rejects(buf.fill(chunks(new Uint8Array(1), 1), MAX_SEGMENT_BYTES + 1), SegmentTooLargeError);
  async function* endless(): AsyncGenerator<Uint8Array> {
    const block = new Uint8Array(48 * 1024 * 1024);
    for (;;) yield block;
  }
  await t.rejects(buf.fill(endless()), SegmentTooLargeError);
});
