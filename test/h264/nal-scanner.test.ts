import t from 'tap';
import fc from 'fast-check';
import { PerformanceObserver } from 'node:perf_hooks';
import { NalScanner, byteAt, copyVirtual } from '../../src/h264/nal-scanner.js';
import { NalType } from '../../src/h264/nal-types.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';

interface Unit {
  start: number;
  end: number;
  type: number;
  refIdc: number;
}

function units(s: NalScanner): Unit[] {
  const out: Unit[] = [];
  for (let i = 0; i < s.count; i++) out.push({ start: s.start(i), end: s.end(i), type: s.type(i), refIdc: s.refIdc(i) });
  return out;
}

/** Scans `bytes` split at `at` (part2 = bytes from `at`). */
function scanSplit(s: NalScanner, bytes: Uint8Array, at: number): number {
  return at >= bytes.length ? s.scan(bytes.subarray(0, at)) : s.scan(bytes.subarray(0, at), bytes.subarray(at));
}

/** The payload bytes of every unit, read back through copyVirtual. */
function payloads(s: NalScanner, part1: Uint8Array, part2: Uint8Array | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.count; i++) {
    const dest = new Uint8Array(s.end(i) - s.start(i));
    if (copyVirtual(part1, part2, s.start(i), s.end(i), dest, 0) !== dest.length) throw new Error('copyVirtual returned a wrong length');
    out.push(Buffer.from(dest).toString('hex'));
  }
  return out;
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

t.test('golden: 3- and 4-byte start codes, header fields', async (t) => {
  const s = new NalScanner();
  //           0           4           7         10       12          16
  const item = hex('00 00 00 01 67 64 1f 00 00 01 68 ce 00 00 00 01 25 b8 84');
  t.equal(s.scan(item), 3);
  t.same(units(s), [
    // 0x67 = 0 11 00111: forbidden 0, nal_ref_idc 3, nal_unit_type 7 (SPS)
    { start: 4, end: 7, type: NalType.Sps, refIdc: 3 },
    // 0x68 = 0 11 01000: PPS; the zero_byte of the next 4-byte start code is not part of it
    { start: 10, end: 12, type: NalType.Pps, refIdc: 3 },
    // 0x25 = 0 01 00101: IDR with nal_ref_idc 1
    { start: 16, end: 19, type: NalType.Idr, refIdc: 1 },
  ]);
  t.equal(s.leadingBytes, 0);
  t.equal(s.badUnits, 0);
});

t.test('golden: trailing_zero_8bits are stripped, at the end of the item too', async (t) => {
  const s = new NalScanner();
  //                 3     5              10          13
  const item = hex('00 00 01 09 f0 00 00 00 00 00 01 41 9a 00 00 00');
  t.equal(s.scan(item), 2);
  t.same(units(s), [
    { start: 3, end: 5, type: NalType.Aud, refIdc: 0 },
    { start: 11, end: 13, type: NalType.Slice, refIdc: 2 },
  ]);
});

t.test('golden: emulation prevention bytes 00 00 03 are left in the payload', async (t) => {
  const s = new NalScanner();
  // SEI whose payload holds 00 00 03 01 and ends 00 00 03 (an RBSP ending in 00 gets a final 03, H.264 §7.4.1)
  const item = hex('00 00 01 06 05 00 00 03 01 80 00 00 03 00 00 01 65 88');
  t.equal(s.scan(item), 2);
  t.same(payloads(s, item, undefined), ['06050000030180000003', '6588']);
});

t.test('golden: a start code split at every position, 4-byte and 3-byte', async (t) => {
  // units: SPS [4, 8), PPS [12, 14) behind a 4-byte code at 8..11, IDR [17, 20) behind a 3-byte code at 14..16
  const item = hex('00 00 00 01 67 42 00 1f 00 00 00 01 68 ce 00 00 01 65 88 84');
  const want = [
    { start: 4, end: 8, type: 7, refIdc: 3 },
    { start: 12, end: 14, type: 8, refIdc: 3 },
    { start: 17, end: 20, type: 5, refIdc: 3 },
  ];
  const s = new NalScanner();
  for (let at = 0; at <= item.length; at++) {
    scanSplit(s, item, at);
    t.same(units(s), want, `split at ${at}`);
    t.equal(s.badUnits, 0, `split at ${at}`);
    t.equal(s.leadingBytes, 0, `split at ${at}`);
  }
  // The header-byte split: part1 ends right after the start code, part2 starts with the header.
  s.scan(item.subarray(0, 12), item.subarray(12));
  t.equal(s.type(1), NalType.Pps);
});

t.test('golden: part2 of one or two bytes completing a start code', async (t) => {
  const s = new NalScanner();
  t.equal(s.scan(hex('00 00 01 09 f0 00'), hex('00 01')), 1, 'start code 00 | 00 01 at the very end is an empty unit');
  t.equal(s.badUnits, 1);
  t.equal(s.scan(hex('00 00 01 09 f0 00 00'), hex('01')), 1);
  t.equal(s.badUnits, 1);
  t.equal(s.scan(hex('00 00 01 09 f0 00 00'), hex('01 41')), 2);
  t.same(units(s)[1], { start: 8, end: 9, type: 1, refIdc: 2 });
  t.equal(s.scan(hex('00'), hex('00 01 65')), 1);
  t.same(units(s), [{ start: 3, end: 4, type: 5, refIdc: 3 }]);
});

t.test('golden: empty units and forbidden_zero_bit are counted as bad and left out', async (t) => {
  const s = new NalScanner();
  t.equal(s.scan(hex('00 00 01 00 00 01 65 88')), 1, 'start code followed at once by the next');
  t.same(units(s), [{ start: 6, end: 8, type: 5, refIdc: 3 }]);
  t.equal(s.badUnits, 1);
  t.equal(s.scan(hex('00 00 01 65 88 00 00 00 01 00 00')), 1, 'start code followed by trailing zeros only');
  t.equal(s.badUnits, 1);
  t.equal(s.scan(hex('00 00 01 e5 88 00 00 01 65 88')), 1, '0xe5: forbidden_zero_bit set');
  t.equal(s.start(0), 8);
  t.equal(s.badUnits, 1);
  t.equal(s.scan(hex('00 00 01')), 0, 'only a start code');
  t.equal(s.badUnits, 1);
  t.equal(s.leadingBytes, 0);
});

t.test('golden: leading garbage and items without a start code', async (t) => {
  const s = new NalScanner();
  t.equal(s.scan(hex('aa bb 00 00 00 01 65 88')), 1);
  t.equal(s.leadingBytes, 2, 'the zero_byte belongs to the start code, not to the garbage');
  t.equal(s.scan(hex('00 00 00 00 00 01 65')), 1);
  t.equal(s.leadingBytes, 0, 'leading_zero_8bits are allowed before the first start code');
  t.equal(s.scan(hex('aa bb cc')), 0);
  t.equal(s.leadingBytes, 3);
  t.equal(s.scan(hex('aa 00'), hex('00 bb')), 0);
  t.equal(s.leadingBytes, 4, 'no start code: the whole item, both parts');
  t.equal(s.scan(hex('00 00')), 0);
  t.equal(s.leadingBytes, 2);
  t.equal(s.scan(new Uint8Array(0)), 0);
  t.equal(s.leadingBytes, 0);
  t.equal(s.scan(new Uint8Array(0), new Uint8Array(0)), 0);
});

t.test('zero-length part1 with a non-empty part2 does not crash: part2 is scanned as the item', async (t) => {
  const s = new NalScanner();
  const item = hex('00 00 00 01 67 42 00 00 01 68 ce');
  s.scan(new Uint8Array(0), item);
  t.same(units(s), [
    { start: 4, end: 6, type: 7, refIdc: 3 },
    { start: 9, end: 11, type: 8, refIdc: 3 },
  ]);
});

t.test('the search stays inside each part even when the ring around it holds start codes', async (t) => {
  const ring = new Uint8Array(64).fill(0x55);
  ring.set(hex('00 00 01 65'), 20); // right after part1's end
  ring.set(hex('00 00 01 41'), 0); // right before part2's start
  ring.set(hex('00 00 01 09 f0'), 10); // part1 = ring[10, 20)
  ring.set(hex('aa bb'), 4); // part2 = ring[4, 6)
  const s = new NalScanner();
  t.equal(s.scan(ring.subarray(10, 20), ring.subarray(4, 6)), 1);
  t.same(units(s), [{ start: 3, end: 12, type: 9, refIdc: 0 }]);
});

t.test('storage grows by doubling when an item holds more units than the capacity', async (t) => {
  const s = new NalScanner(1);
  const parts: number[] = [];
  for (let i = 0; i < 100; i++) parts.push(0, 0, 1, 0x41, i + 1);
  const item = Uint8Array.from(parts);
  t.equal(s.scan(item), 100);
  t.equal(s.capacity, 128);
  for (let i = 0; i < 100; i++) t.equal(byteAt(item, undefined, s.start(i) + 1), i + 1);
});

t.test('programmer errors throw, naming the value', async (t) => {
  t.throws(() => new NalScanner(0), { name: 'RangeError', message: /initialCapacity.*0/ });
  t.throws(() => new NalScanner(1.5), { name: 'TypeError', message: /initialCapacity.*1\.5/ });
  const s = new NalScanner();
  s.scan(hex('00 00 01 65'));
  t.throws(() => s.start(1), { name: 'RangeError', message: /index 1/ });
  t.throws(() => s.type(-1), { name: 'RangeError' });
  t.throws(() => s.scan('00' as unknown as Uint8Array), { name: 'TypeError', message: /part1/ });
  t.throws(() => byteAt(hex('00'), hex('01'), 2), { name: 'RangeError', message: /offset 2/ });
  t.equal(byteAt(hex('00'), hex('01'), 1), 1);
  t.throws(() => copyVirtual(hex('00'), hex('01'), 0, 3, new Uint8Array(4), 0), { name: 'RangeError' });
  t.throws(() => copyVirtual(hex('00'), hex('01'), 0, 2, new Uint8Array(1), 0), { name: 'RangeError', message: /dest/ });
});

/** A NAL unit as an encoder writes it: header + payload with emulation prevention (H.264 §7.4.1). */
const arbUnit = fc.tuple(fc.integer({ min: 0, max: 0x7f }), fc.uint8Array({ maxLength: 40 })).map(([header, payload]) => {
  const out: number[] = [];
  let zeros = 0;
  for (const b of [header, ...payload]) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    } // emulation_prevention_three_byte
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (out[out.length - 1] === 0) out.push(3); // a NAL unit never ends in 0x00
  return Uint8Array.from(out);
});

/** Units joined with random 3-/4-byte start codes and 0-2 trailing zero bytes. */
const arbStream = fc.array(fc.tuple(arbUnit, fc.boolean(), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 12 }).map((list) => {
  const bytes: number[] = [];
  for (const [unit, four, trailing] of list) {
    if (four) bytes.push(0);
    bytes.push(0, 0, 1, ...unit);
    for (let i = 0; i < trailing; i++) bytes.push(0);
  }
  return { bytes: Uint8Array.from(bytes), units: list.map(([u]) => Buffer.from(u).toString('hex')) };
});

t.test('property: any split of any stream gives the units of the unsplit stream', async (t) => {
  const s = new NalScanner(2); // small, so growth is exercised too
  fc.assert(
    fc.property(arbStream, fc.nat(), ({ bytes, units: want }, n) => {
      s.scan(bytes);
      const whole = units(s);
      t.same(payloads(s, bytes, undefined), want);
      if (s.badUnits !== 0 || s.leadingBytes !== 0) return false;
      const at = n % (bytes.length + 1);
      const part1 = bytes.slice(0, at);
      const part2 = bytes.slice(at);
      s.scan(part1, part2);
      return s.badUnits === 0 && s.leadingBytes === 0 && JSON.stringify(units(s)) === JSON.stringify(whole) && JSON.stringify(payloads(s, part1, part2)) === JSON.stringify(want);
    }),
    { numRuns: 2000 },
  );
});

/** Reference scan written from Annex B §B.2, byte by byte: [start, end, type] of every unit. */
function referenceScan(bytes: Uint8Array): [number, number, number][] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) starts.push(i + 3);
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : bytes.length;
    while (end > start && bytes[end - 1] === 0) end--;
    return [start, end, bytes[start] & 0x1f];
  });
}

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Cuts a stream into items of 1-8 whole NAL units, places each in a ring (part1 at the ring's end,
 * part2 at its start, split at a random point, the rest of the ring filled with start codes), scans it
 * and returns every unit found, in file offsets.
 */
function scanAsRingItems(bytes: Uint8Array, ref: [number, number, number][], seed: number): { got: [number, number, number][]; itemCount: number; bad: number } {
  const random = prng(seed);
  const ring = new Uint8Array(4 << 20);
  const s = new NalScanner();
  const got: [number, number, number][] = [];
  let bad = 0;
  let itemCount = 0;
  for (let k = 0; k < ref.length;) {
    const n = 1 + Math.floor(random() * 8);
    const from = k === 0 ? 0 : ref[k][0] - 3;
    const last = Math.min(k + n, ref.length);
    const to = last < ref.length ? ref[last][0] - 3 : bytes.length;
    const len = to - from;
    const at = Math.floor(random() * (len + 1));
    ring.fill(1, 0, len - at + 4);
    ring.fill(1, ring.length - at - 4);
    ring.set([0, 0, 1, 0x65], ring.length - at - 4); // a start code just before part1...
    ring.set(bytes.subarray(from, from + at), ring.length - at);
    ring.set(bytes.subarray(from + at, to), 0);
    ring.set([0, 0, 1, 0x65], len - at); // ...and just after part2
    s.scan(ring.subarray(ring.length - at), ring.subarray(0, len - at));
    bad += s.badUnits + s.leadingBytes;
    for (let i = 0; i < s.count; i++) got.push([from + s.start(i), from + s.end(i), s.type(i)]);
    itemCount++;
    k = last;
  }
  return { got, itemCount, bad };
}

for (const name of ['1080p.h264', 'main-slices.h264'] as const) {
  t.test(`real stream ${name}: ring items split at random points give the reference scan's units`, { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' }, async (t) => {
    const bytes = fixture(name);
    const ref = referenceScan(bytes);
    t.ok(ref.length > 100, `${ref.length} units`);
    t.ok(ref.some(([, , type]) => type === NalType.Idr) && ref.some(([, , type]) => type === NalType.Sps));
    const whole = new NalScanner();
    whole.scan(bytes);
    t.same(
      units(whole).map((u) => [u.start, u.end, u.type]),
      ref,
      'whole file as one item',
    );
    for (const seed of [1, 2, 3]) {
      const { got, itemCount, bad } = scanAsRingItems(bytes, ref, seed);
      t.equal(bad, 0);
      t.same(got, ref, `seed ${seed}, ${itemCount} items`);
    }
  });
}

t.test('throughput on the 1080p fixture (reported, not asserted) and no allocation per scan', { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' }, async (t) => {
  const bytes = fixture('1080p.h264');
  const ref = referenceScan(bytes);
  // One item per access unit-ish: cut at every VCL unit's end; each item wrapped at its middle.
  const cuts: number[] = [0];
  for (const [, end, type] of ref) if (type === NalType.Slice || type === NalType.Idr) cuts.push(end);
  const ring = new Uint8Array(bytes.length);
  const firsts: Uint8Array[] = [];
  const seconds: Uint8Array[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i];
    const mid = from + Math.floor((cuts[i + 1] - from) / 2);
    ring.set(bytes.subarray(from, cuts[i + 1]), from);
    firsts.push(ring.subarray(from, mid));
    seconds.push(ring.subarray(mid, cuts[i + 1]));
  }
  const n = firsts.length;
  const s = new NalScanner();
  const passes = 20;
  const runs: number[] = [];
  const wholeRuns: number[] = [];
  for (let r = 0; r < 5; r++) {
    let t0 = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) for (let i = 0; i < n; i++) s.scan(firsts[i], seconds[i]);
    runs.push((bytes.length * passes) / (Number(process.hrtime.bigint() - t0) / 1e3));
    t0 = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) s.scan(bytes);
    wholeRuns.push((bytes.length * passes) / (Number(process.hrtime.bigint() - t0) / 1e3));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1].toFixed(0);
  t.comment(`NalScanner on 1080p.h264 (${(bytes.length / 1e6).toFixed(2)} MB): ${n} two-part items ${median(runs)} MB/s, whole file ${median(wholeRuns)} MB/s (median of 5)`);

  // The same scans again: every unit found on every pass (the scanner's state is fully reset).
  let found = 0;
  for (let p = 0; p < 10; p++) for (let i = 0; i < n; i++) found += s.scan(firsts[i], seconds[i]);
  t.equal(found, 10 * ref.length, 'every unit found on every pass');
});

t.test('steady state: a million scans of small two-part items allocate nothing', async (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    t.pass('allocation check', { skip: 'needs --expose-gc' });
    return;
  }
  // AUD, SPS-like and slice units, the item wrapped inside the second start code.
  const item = hex('00 00 00 01 09 f0 00 00 00 01 67 64 00 1f ac d9 40 50 05 bb 01 10 00 00 03 00 10 00 00 01 65 88 84 00 33 ff 1e 27 00');
  const part1 = item.subarray(0, 8);
  const part2 = item.subarray(8);
  const s = new NalScanner();
  const scans = 1_000_000;
  for (let i = 0; i < 20_000; i++) s.scan(part1, part2); // warm-up: let the JIT settle first
  const gcs: string[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.name);
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  obs.observe({ entryTypes: ['gc'] });
  let found = 0;
  for (let i = 0; i < scans; i++) found += s.scan(part1, part2); // the loop itself allocates nothing
  const after = process.memoryUsage().heapUsed;
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  t.equal(found, 3 * scans);
  // One byte per scan would be 1 MB; a single small object per scan (>= 16 bytes) is 16 MB and
  // forces scavenges. JIT noise moves heapUsed by a few hundred kB at most.
  t.same(gcs, [], 'no garbage collection during the scans');
  t.ok(after - before < 1_000_000, `heap grew by ${after - before} bytes over ${scans} scans`);
});
