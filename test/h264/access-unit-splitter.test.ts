/**
 * AccessUnitSplitter + FrameTiming against real libx264 streams, checked against ffprobe's packet
 * lists (count, keyframe flags, sizes, true PTS order of a B-frame stream), for any chunking.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ErrorCode, S3HlsError } from '../../src/errors.js';
import { AccessUnitSplitter, type AccessUnit } from '../../src/h264/access-unit-splitter.js';
import { FrameTiming, parseFps } from '../../src/h264/frame-timing.js';
import { NalType } from '../../src/h264/nal-types.js';
import { FIXTURE_DIR, fixture, fixturePath, highBframes, probePackets, type FixtureName } from '../helpers/fixtures.js';

/** An access unit with its NAL units copied (the splitter's views die at the next push). */
interface KeptUnit {
  nals: Buffer[];
  keyframe: boolean;
  poc: number;
  index: number;
  pocReset: boolean | undefined;
}

function keep(units: AccessUnit[], into: KeptUnit[]): void {
  for (const u of units) into.push({ nals: u.nals.map((n) => Buffer.from(n)), keyframe: u.keyframe, poc: u.poc, index: u.index, pocReset: u.pocReset });
}

/** Splits `data` pushed in chunks of the given sizes (cycled), then end(). */
function splitChunked(data: Uint8Array, sizes: readonly number[] = [data.length], splitter = new AccessUnitSplitter()): KeptUnit[] {
  const out: KeptUnit[] = [];
  let k = 0;
  for (let i = 0; i < data.length;) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    keep(splitter.push(data.subarray(i, i + n)), out);
    i += n;
  }
  keep(splitter.end(), out);
  return out;
}

const typeOf = (n: Uint8Array): number => n[0] & 0x1f;
const isSlice = (n: Uint8Array): boolean => typeOf(n) === 1 || typeOf(n) === 5;

for (const name of ['baseline.h264', 'main-slices.h264', '1080p.h264'] as const satisfies readonly FixtureName[]) {
  t.test(`${name}: one access unit per ffprobe packet, same keyframes and sizes`, async (t) => {
    const data = fixture(name);
    const packets = probePackets(fixturePath(name));
    const errors: S3HlsError[] = [];
    const units = splitChunked(data, [65536], new AccessUnitSplitter({ onError: (e) => errors.push(e) }));
    t.same(errors, [], 'no bad-media reports on a clean stream');
    t.equal(units.length, packets.length, 'access unit count = ffprobe packet count');
    t.same(
      units.map((u) => u.keyframe),
      packets.map((p) => p.keyframe),
      'keyframe flags',
    );
    // ffprobe's sizes include the start codes (3 or 4 bytes each) that our views leave out.
    const badSizes = units.filter((u, i) => {
      const ours = u.nals.reduce((s, n) => s + n.length, 0);
      const diff = packets[i].size - ours;
      return diff < 3 * u.nals.length || diff > 4 * u.nals.length;
    });
    t.same(
      badSizes.map((u) => u.index),
      [],
      'every unit holds exactly the bytes of its ffprobe packet',
    );
    t.same(
      units.map((u) => u.index),
      units.map((_, i) => i),
      'index = decode order',
    );
    t.ok(
      units.every((u) => u.nals.filter(isSlice).length >= 1),
      'each unit has a picture',
    );
    const bytes = units.reduce((s, u) => s + u.nals.reduce((a, n) => a + n.length, 0), 0);
    t.ok(bytes > data.length * 0.99, 'no payload lost');
    if (name === 'main-slices.h264') {
      t.ok(
        units.every((u) => u.nals.filter(isSlice).length === 4),
        'multi-slice frames: 4 slices stay in one unit',
      );
      t.same(units[0].nals.map(typeOf), [NalType.Sps, NalType.Pps, NalType.Sei, 5, 5, 5, 5], 'SPS, PPS, SEI and the 4 IDR slices in one unit');
    }
    if (name === 'baseline.h264')
      t.ok(
        units.every((u) => typeOf(u.nals[0]) === NalType.Aud),
        'each unit starts with its AUD',
      );
    if (name !== 'baseline.h264')
      t.ok(
        units.every((u) => typeOf(u.nals[0]) !== NalType.Aud),
        'no AUDs in this stream: boundaries from slice headers',
      );
    // Keyframe units carry SPS + PPS before the IDR (libx264 repeats them at each IDR).
    t.ok(
      units.filter((u) => u.keyframe).every((u) => u.nals.some((n) => typeOf(n) === NalType.Sps)),
      'SPS inside keyframe units',
    );
  });
}

t.test('any chunking gives the same access units (random chunk sizes incl. 1 byte)', async (t) => {
  // A prefix cut inside a NAL unit on purpose: end() must still give the same result both ways.
  const streams = [fixture('main-slices.h264').subarray(0, 150_001), highBframes().annexB.subarray(0, 120_007)];
  for (const data of streams) {
    const reference = splitChunked(data);
    t.ok(reference.length > 5);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5000 })), { minLength: 1, maxLength: 40 }), (sizes) => {
        t.same(splitChunked(data, sizes), reference);
      }),
      { numRuns: 25 },
    );
  }
  // Every byte pushed on its own, once, over a whole GOP of the multi-slice stream.
  const data = fixture('main-slices.h264').subarray(0, 60_000);
  t.same(splitChunked(data, [1]), splitChunked(data), '1-byte chunks');
  // Every split point of a 2-chunk push over a short stretch with start codes.
  const small = fixture('baseline.h264').subarray(0, 4000);
  const ref = splitChunked(small);
  let mismatches = 0;
  for (let cut = 1; cut < small.length; cut++) {
    if (JSON.stringify(splitChunked(small, [cut, small.length])) !== JSON.stringify(ref)) mismatches++;
  }
  t.equal(mismatches, 0, 'same units for a split at every byte');
});

t.test('B-frames: POC → PTS order equals ffprobe, DTS monotonic and ≤ PTS', async (t) => {
  const { annexB, packets } = highBframes();
  const splitter = new AccessUnitSplitter();
  const timing = new FrameTiming(parseFps('25'));
  const stamps: { pts90k: number; dts90k: number }[] = [];
  const units: AccessUnit[] = [];
  for (const au of [...splitter.push(annexB), ...splitter.end()]) {
    t.ok(au.sps, 'SPS known');
    stamps.push(timing.next(au, au.sps!));
    units.push(au);
  }
  t.equal(units.length, packets.length, 'unit count');
  t.same(
    units.map((u) => u.keyframe),
    packets.map((p) => p.keyframe),
    'keyframes',
  );
  t.ok(
    packets.some((p) => p.pts !== p.dts),
    'the fixture really reorders',
  );
  const frame = 3600;
  const ours = stamps.map((s) => (s.pts90k - stamps[0].pts90k) / frame);
  const theirs = packets.map((p) => (p.pts - packets[0].pts) / frame);
  t.same(ours, theirs, 'PTS in frame units, relative to the first, equals ffprobe');
  t.ok(
    stamps.every((s, i) => i === 0 || s.dts90k > stamps[i - 1].dts90k),
    'DTS strictly increasing',
  );
  t.ok(
    stamps.every((s) => s.pts90k >= s.dts90k),
    'PTS ≥ DTS',
  );
  t.equal(timing.clampedCount, 0, 'max_num_reorder_frames was enough: nothing clamped');
  t.equal(stamps[0].pts90k - stamps[0].dts90k, 2 * frame, 'reorder delay = max_num_reorder_frames (2) frames');
  t.ok(
    units.filter((u) => u.keyframe).every((u) => u.pocReset === true && u.poc === 0),
    'POC restarts at each IDR',
  );
});

t.test('B-frames without VUI max_num_reorder_frames: default delay of 2 frames still gives PTS ≥ DTS', async (t) => {
  const { annexB, packets } = highBframes();
  const splitter = new AccessUnitSplitter();
  const timing = new FrameTiming({ num: 25, den: 1 });
  const units = [...splitter.push(annexB), ...splitter.end()];
  const stamps = units.map((u) => timing.next(u, { ...u.sps!, maxNumReorderFrames: undefined }));
  t.same(
    stamps.map((s) => (s.pts90k - stamps[0].pts90k) / 3600),
    packets.map((p) => (p.pts - packets[0].pts) / 3600),
  );
  t.ok(stamps.every((s) => s.pts90k >= s.dts90k));
  t.equal(timing.clampedCount, 0);
  // Claiming no reordering (max_num_reorder_frames = 0) is a lie for this stream: clamped, counted.
  const liar = new FrameTiming({ num: 25, den: 1 });
  const lied = units.map((u) => liar.next(u, { ...u.sps!, maxNumReorderFrames: 0 }));
  t.ok(
    lied.every((s) => s.pts90k >= s.dts90k),
    'still PTS ≥ DTS',
  );
  t.ok(liar.clampedCount > 0, 'clamps counted');
});

t.test('interlaced (MBAFF, frame_mbs_only_flag = 0) with B-frames and 3 slices: count, keyframes, PTS order', async (t) => {
  // field_pic_flag is read in every slice header here; libx264 codes interlace as MBAFF frames.
  const dir = join(FIXTURE_DIR, 'h1b-splitter');
  mkdirSync(dir, { recursive: true });
  const ts = join(dir, 'mbaff-b.ts');
  const h264 = join(dir, 'mbaff-b.h264');
  const ff = ['-y', '-hide_banner', '-nostdin', '-v', 'error'];
  execFileSync('ffmpeg', [
    ...ff,
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-t',
    '2',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-g',
    '20',
    '-keyint_min',
    '20',
    '-sc_threshold',
    '0',
    '-bf',
    '3',
    '-flags',
    '+ildct+ilme',
    '-x264-params',
    'tff=1:slices=3',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mpegts',
    ts,
  ]);
  execFileSync('ffmpeg', [...ff, '-i', ts, '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', h264]);
  const packets = probePackets(ts);
  const splitter = new AccessUnitSplitter({ onError: (e) => t.fail(e.message) });
  const units = [...splitter.push(readFileSync(h264)), ...splitter.end()];
  t.equal(units[0].sps?.frameMbsOnly, false);
  t.equal(units.length, packets.length);
  t.same(
    units.map((u) => u.keyframe),
    packets.map((p) => p.keyframe),
  );
  t.ok(
    units.every((u) => u.nals.filter(isSlice).length === 3),
    '3 slices per unit',
  );
  const timing = new FrameTiming({ num: 25, den: 1 });
  const stamps = units.map((u) => timing.next(u, u.sps!));
  t.same(
    stamps.map((s) => (s.pts90k - stamps[0].pts90k) / 3600),
    packets.map((p) => (p.pts - packets[0].pts) / 3600),
    'PTS order equals ffprobe',
  );
  t.ok(stamps.every((s) => s.pts90k >= s.dts90k));
});

t.test('regression: units returned by push() stay valid after end()', async (t) => {
  const data = fixture('baseline.h264').subarray(0, 30_000);
  const splitter = new AccessUnitSplitter();
  const pushed = splitter.push(data);
  const before = pushed.map((u) => u.nals.map((n) => Buffer.from(n).toString('hex')));
  const ended = splitter.end();
  t.same(
    pushed.map((u) => u.nals.map((n) => Buffer.from(n).toString('hex'))),
    before,
  );
  t.equal(ended.length, 1);
});

t.test('streams without B-frames: PTS = DTS, one frame apart', async (t) => {
  for (const name of ['baseline.h264', '1080p.h264'] as const) {
    const splitter = new AccessUnitSplitter();
    const timing = new FrameTiming({ num: 25, den: 1 });
    const units = [...splitter.push(fixture(name)), ...splitter.end()];
    const stamps = units.map((u) => timing.next(u, u.sps!));
    t.ok(
      stamps.every((s, i) => s.pts90k === s.dts90k && s.dts90k === i * 3600),
      `${name}: pts = dts = index × 3600`,
    );
  }
});

t.test('bad media is reported, never thrown, and the stream goes on', async (t) => {
  const good = fixture('main-slices.h264').subarray(0, 80_000);
  const reference = splitChunked(good);
  const errors: S3HlsError[] = [];
  const splitter = new AccessUnitSplitter({ onError: (e) => errors.push(e) });
  // Garbage before the first start code is skipped; a NAL with forbidden_zero_bit is dropped.
  const garbage = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 1, 0x80 | 0x05, 1, 2, 3);
  const out: KeptUnit[] = [];
  keep(splitter.push(garbage), out);
  keep(splitter.push(good), out);
  keep(splitter.end(), out);
  t.same(out, reference, 'units after the garbage are the clean ones');
  t.equal(splitter.droppedNalCount, 1);
  t.ok(
    errors.some((e) => e.code === ErrorCode.BadNalUnit),
    'forbidden_zero_bit reported',
  );

  // Joined mid-stream: slices before any SPS/PPS are reported but still split by first_mb_in_slice.
  const firstUnitBytes = reference[0].nals.reduce((s, n) => s + n.length + 4, 0);
  const errs2: S3HlsError[] = [];
  const joined = splitChunked(fixture('main-slices.h264').subarray(firstUnitBytes + 10), [3000], new AccessUnitSplitter({ onError: (e) => errs2.push(e) }));
  t.ok(errs2.length > 0 && errs2.every((e) => e.code === ErrorCode.BadNalUnit), 'unknown PPS reported');
  t.ok(
    joined.every((u) => u.nals.filter(isSlice).length <= 4),
    'undecodable slices still grouped per picture',
  );
  t.ok(
    joined.some((u) => u.keyframe),
    'recovers at the next IDR',
  );

  // A bad SPS is reported as BadSps; random bytes never throw.
  const errs3: S3HlsError[] = [];
  splitChunked(Uint8Array.of(0, 0, 1, 0x67, 0, 0, 0, 1, 0x65, 0x88), [100], new AccessUnitSplitter({ onError: (e) => errs3.push(e) }));
  t.ok(errs3.some((e) => e.code === ErrorCode.BadSps));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (bytes, chunk) => {
      const s = new AccessUnitSplitter();
      splitChunked(Uint8Array.of(0, 0, 1, ...bytes), [chunk], s);
      return true;
    }),
    { numRuns: 1000 },
  );
});

t.test('maxAccessUnitBytes bounds memory on a stream without start codes', async (t) => {
  const errors: S3HlsError[] = [];
  const s = new AccessUnitSplitter({ maxAccessUnitBytes: 4096, onError: (e) => errors.push(e) });
  const junk = new Uint8Array(1000).fill(0x55);
  s.push(Uint8Array.of(0, 0, 1, 0x65));
  for (let i = 0; i < 100; i++) s.push(junk);
  t.ok(errors.some((e) => e.code === ErrorCode.FrameTooLarge));
  // Still works afterwards.
  const after: KeptUnit[] = [];
  keep(s.push(fixture('baseline.h264').subarray(0, 50_000)), after);
  t.ok(after.length > 0);
  t.throws(() => new AccessUnitSplitter({ maxAccessUnitBytes: 10 }), RangeError);
});

t.test('parseFps and frame durations', async (t) => {
  t.same(parseFps('25'), { num: 25, den: 1 });
  t.same(parseFps(' 30000/1001 '), { num: 30000, den: 1001 });
  t.same(parseFps('29.97'), { num: 30000, den: 1001 });
  t.same(parseFps('12.5'), { num: 25, den: 2 });
  t.same(parseFps('50/2'), { num: 25, den: 1 });
  for (const bad of ['', '0', '-25', 'abc', '25/0', '1/0', '2000', '25fps', '1e3']) t.throws(() => parseFps(bad), RangeError, `'${bad}'`);
  t.throws(() => new FrameTiming({ num: 0, den: 1 }), TypeError);
  t.throws(() => new FrameTiming({ num: 25.5, den: 1 }), TypeError);
  // 24000/1001: 3753.75 ticks per frame; 24000 frames are exactly 1001 s, with no drift.
  const timing = new FrameTiming(parseFps('23.976'));
  const sps = { picOrderCntType: 2, profileIdc: 66 } as Parameters<FrameTiming['next']>[1];
  let last = { pts90k: 0, dts90k: 0 };
  for (let i = 0; i <= 24000; i++) last = timing.next({ nals: [], keyframe: i === 0, poc: 2 * i, index: i }, sps);
  t.equal(last.dts90k, 1001 * 90000);
  t.equal(last.pts90k, last.dts90k);
});
