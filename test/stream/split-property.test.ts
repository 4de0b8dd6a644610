/**
 * Property: wherever the encoder's ring splits an item (inside a start code, the NAL header or the
 * payload), and however a unit's NALs are spread over items, the TS output is byte-identical to
 * the unsplit input.
 */
import t from 'tap';
import fc from 'fast-check';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { PackItem } from '../../src/types.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { CollectSink } from '../helpers/collect-sink.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it' });
} else {
  // The first 30 units (1.2 s, two GOPs of the 25-frame fixture with a 0.5 s target: 3 segments).
  const units = accessUnits(fixture('main-slices.h264')).slice(0, 30);
  const items = units.map((nals) => annexB(nals, { shortStartCodes: false }));

  const run = (packOf: (i: number) => PackItem[]): Buffer => {
    const sink = new CollectSink();
    const s = new HlsStream({ streamId: 'p', sink, targetSegmentSeconds: 0.5 });
    units.forEach((_, i) => t.equal(s.putVideoFrame({ items: packOf(i), pts90k: i * 3600 }), true, `unit ${i} accepted`));
    s.finalize();
    t.ok(sink.segments.length >= 2);
    return Buffer.concat(sink.segments.map((x) => x.bytes));
  };
  const reference = run((i) => [{ part1: items[i] }]);

  t.test('one item per unit, split at any offset', async () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: units.length, maxLength: units.length }), (cuts) => {
        const out = run((i) => {
          // part1 holds at least one byte: an empty first part with a second is rejected by design.
          const at = 1 + Math.floor(cuts[i] * items[i].length);
          // A fresh buffer per part, as an encoder ring would give: no shared ArrayBuffer tricks.
          return [{ part1: items[i].slice(0, at), part2: items[i].slice(at) }];
        });
        return Buffer.compare(out, reference) === 0;
      }),
      { numRuns: 25, seed: 42 },
    );
  });

  t.test('every split offset inside the first start codes and NAL headers', async (t) => {
    for (let at = 1; at <= 12; at++) {
      const out = run((i) => [{ part1: items[i].subarray(0, Math.min(at, items[i].length)), part2: items[i].subarray(Math.min(at, items[i].length)) }]);
      t.equal(Buffer.compare(out, reference), 0, `split at byte ${at}`);
    }
  });

  t.test('NAL units spread over several items, 3- and 4-byte start codes, each possibly split', async () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        let x = seed;
        const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const out = run((i) =>
          units[i].map((nal) => {
            const bytes = annexB([nal], { shortStartCodes: rnd() < 0.5 });
            const at = Math.floor(rnd() * (bytes.length + 1));
            return rnd() < 0.5 ? { part1: bytes } : { part1: bytes.slice(0, Math.max(1, at)), part2: bytes.slice(Math.max(1, at)) };
          }),
        );
        return Buffer.compare(out, reference) === 0;
      }),
      { numRuns: 15, seed: 7 },
    );
  });
}
