/**
 * parseSps against real libx264 streams (checked against ffprobe), hand-made RBSP bit vectors for the
 * reader, and malformed input (must throw S3HlsError BadSps, never crash).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ErrorCode, S3HlsError } from '../../src/errors.js';
import { RbspReader } from '../../src/h264/rbsp-reader.js';
import { parseSps } from '../../src/h264/sps.js';
import { parsePps } from '../../src/h264/pps.js';
import { FIXTURE_DIR, fixturePath, highBframes, type FixtureName } from '../helpers/fixtures.js';

/** NAL units of an Annex B stream (simple reference split on 00 00 01, trailing zeros trimmed). */
function splitNals(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) out.push(trimZeros(data.subarray(start, i)));
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0) out.push(trimZeros(data.subarray(start)));
  return out.filter((n) => n.length > 0);
}

function trimZeros(n: Uint8Array): Uint8Array {
  let end = n.length;
  while (end > 0 && n[end - 1] === 0) end--;
  return n.subarray(0, end);
}

function firstSps(data: Uint8Array): Uint8Array {
  const sps = splitNals(data).find((n) => (n[0] & 0x1f) === 7);
  if (!sps) throw new Error('no SPS in fixture');
  return sps;
}

interface ProbeStream {
  width: number;
  height: number;
  profile: string;
  level: number;
  has_b_frames?: number;
}

function probeStream(path: string): ProbeStream {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-of', 'json', path]);
  return (JSON.parse(out.toString()) as { streams: ProbeStream[] }).streams[0];
}

/** ffprobe profile names → profile_idc (ffmpeg libavcodec/profiles.c). */
const PROFILE_IDC: Record<string, number> = {
  Baseline: 66,
  'Constrained Baseline': 66,
  Main: 77,
  Extended: 88,
  High: 100,
  'High 10': 110,
  'High 4:2:2': 122,
  'High 4:4:4 Predictive': 244,
};

/** One-second streams exercising SPS branches libx264 does not take by default. */
const EXTRA_RECIPES: Record<string, string[]> = {
  // seq_scaling_matrix_present_flag = 1 (JVT default matrices written explicitly).
  'cqm-jvt.h264': ['-profile:v', 'high', '-pix_fmt', 'yuv420p', '-x264-params', 'cqm=jvt'],
  // chroma_format_idc = 3, 8x8 scaling lists 6..11 take the 4:4:4 path.
  'yuv444.h264': ['-profile:v', 'high444', '-pix_fmt', 'yuv444p', '-x264-params', 'cqm=jvt'],
  // frame_mbs_only_flag = 0: height counted in field map units, crop unit doubled.
  'interlaced.h264': ['-profile:v', 'high', '-pix_fmt', 'yuv420p', '-flags', '+ildct+ilme', '-x264-params', 'tff=1'],
  // Odd crop: 1278x718 4:4:4 (CropUnitX = 1).
  'crop444.h264': ['-profile:v', 'high444', '-pix_fmt', 'yuv444p', '-s', '1278x718'],
  // 4:2:2 with 10-bit: bit depth fields non-zero.
  'yuv422p10.h264': ['-profile:v', 'high422', '-pix_fmt', 'yuv422p10le'],
};

function extraFixture(name: string): string {
  const dir = join(FIXTURE_DIR, 'h1b-sps');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-t',
    '0.2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    ...EXTRA_RECIPES[name],
    '-f',
    'h264',
    path,
  ]);
  return path;
}

/** [actual, expected, what] triples comparing parseSps with ffprobe and the raw SPS bytes. */
function compareWithFfprobe(path: string): [unknown, unknown, string][] {
  const nal = firstSps(readFileSync(path));
  const sps = parseSps(nal);
  const probe = probeStream(path);
  const rows: [unknown, unknown, string][] = [
    [sps.width, probe.width, 'width'],
    [sps.height, probe.height, 'height'],
    [sps.levelIdc, probe.level, 'level_idc'],
    [sps.profileIdc, PROFILE_IDC[probe.profile], `profile_idc for ${probe.profile}`],
    // The codec string is the three bytes after the NAL header, independent of the bit reader.
    [sps.codec, `avc1.${Buffer.from(nal.subarray(1, 4)).toString('hex')}`, 'codec string'],
  ];
  if (probe.profile === 'Constrained Baseline') rows.push([sps.constraintFlags & 0x40, 0x40, 'constraint_set1_flag']);
  return rows;
}

for (const name of ['baseline.h264', 'main-slices.h264', '1080p.h264'] as const satisfies readonly FixtureName[]) {
  t.test(`parseSps on ${name} matches ffprobe`, async (t) => {
    for (const [actual, expected, what] of compareWithFfprobe(fixturePath(name))) t.equal(actual, expected, what);
    const sps = parseSps(firstSps(readFileSync(fixturePath(name))));
    t.equal(sps.chromaFormatIdc, 1);
    t.equal(sps.frameMbsOnly, true);
    t.equal(sps.timeScale, 50, 'libx264 writes VUI timing: time_scale = 2 x 25 fps');
    t.equal(sps.numUnitsInTick, 1);
    if (name === '1080p.h264') t.equal(sps.codec, 'avc1.42c028');
  });
}

t.test('parseSps on the high-profile B-frame stream', async (t) => {
  const { annexB } = highBframes();
  const sps = parseSps(firstSps(annexB));
  const probe = probeStream(fixturePath('high-bframes.ts'));
  // -profile:v high with -preset ultrafast (no 8x8 transform) is signalled as Main by libx264.
  t.equal(sps.profileIdc, PROFILE_IDC[probe.profile], `profile_idc for ${probe.profile}`);
  t.equal(sps.levelIdc, probe.level);
  t.equal(sps.width, 640);
  t.equal(sps.height, 360);
  t.equal(sps.picOrderCntType, 0, 'B-frames need explicit POC');
  t.ok(sps.log2MaxPocLsb >= 4);
  t.equal(sps.maxNumReorderFrames, 2, 'max_num_reorder_frames from VUI bitstream_restriction = -bf 2');
});

for (const name of Object.keys(EXTRA_RECIPES)) {
  t.test(`parseSps on ${name} (branch libx264 takes only on request) matches ffprobe`, async (t) => {
    const path = extraFixture(name);
    for (const [actual, expected, what] of compareWithFfprobe(path)) t.equal(actual, expected, what);
    const sps = parseSps(firstSps(readFileSync(path)));
    if (name.startsWith('yuv444') || name.startsWith('crop444')) t.equal(sps.chromaFormatIdc, 3);
    if (name.startsWith('yuv422')) t.equal(sps.chromaFormatIdc, 2);
    if (name === 'interlaced.h264') t.equal(sps.frameMbsOnly, false);
    // The fields after the scaling lists are only right if the lists were skipped bit-exactly:
    // timing info sits at the very end of the SPS.
    t.equal(sps.timeScale, 50, 'VUI time_scale read after scaling lists / cropping');
    t.ok(sps.maxNumReorderFrames !== undefined, 'bitstream_restriction read to the end');
    const pps = splitNals(readFileSync(path)).find((n) => (n[0] & 0x1f) === 8);
    t.ok(pps);
    t.equal(parsePps(pps!).spsId, sps.spsId, 'PPS refers to the SPS');
  });
}

t.test('RbspReader: bit vectors', async (t) => {
  // 0b1_010_011_00100_00101 → ue: 0, 1, 2, 3, 4 ; then u(3) = 0b101
  //   1 | 010 | 011 | 00100 | 00101 | 101  = 1010 0110 0100 0010 1101 (pad 0000)
  const r = new RbspReader(Uint8Array.of(0xa6, 0x42, 0xd0));
  t.same([r.ue(), r.ue(), r.ue(), r.ue(), r.ue()], [0, 1, 2, 3, 4]);
  t.equal(r.u(3), 0b101);
  // se: codeNum 1 → 1, 2 → -1, 3 → 2, 4 → -2
  const s = new RbspReader(Uint8Array.of(0x4c, 0x85)); // 010 011 00100 00101 = 0100 1100 | 1000 0101
  t.same([s.se(), s.se(), s.se(), s.se()], [1, -1, 2, -2]);
  // A 32-bit field stays positive (no sign from bit operators).
  t.equal(new RbspReader(Uint8Array.of(0xff, 0xff, 0xff, 0xfe)).u(32), 0xfffffffe);
});

t.test('RbspReader: emulation_prevention_three_byte is skipped (§7.4.1)', async (t) => {
  // RBSP 00 00 00 01 is escaped as 00 00 03 00 01.
  const r = new RbspReader(Uint8Array.of(0x00, 0x00, 0x03, 0x00, 0x01));
  t.equal(r.u(32), 1);
  t.throws(() => r.u(1), { code: ErrorCode.BadNalUnit });
  // A 03 not preceded by two zeros is data.
  t.equal(new RbspReader(Uint8Array.of(0x00, 0x03, 0x00)).u(24), 0x000300);
  // 00 00 03 03: the first 03 is dropped, the second is data.
  t.equal(new RbspReader(Uint8Array.of(0x00, 0x00, 0x03, 0x03)).u(24), 0x000003);
});

t.test('RbspReader: moreRbspData stops at rbsp_stop_one_bit, ignoring trailing zero bytes', async (t) => {
  // 1 (ue 0) then stop bit: 0b1100_0000, then cabac_zero_words 00 00 03 00 00 03
  const r = new RbspReader(Uint8Array.of(0xc0, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03));
  t.equal(r.moreRbspData(), true);
  t.equal(r.ue(), 0);
  t.equal(r.moreRbspData(), false);
  t.equal(new RbspReader(Uint8Array.of(0, 0)).moreRbspData(), false);
});

t.test('RbspReader: bad exp-Golomb and bad ranges', async (t) => {
  t.throws(() => new RbspReader(new Uint8Array(5)).ue(), { code: ErrorCode.BadNalUnit }, '40 zero bits: > 31 leading zeros');
  t.throws(() => new RbspReader(Uint8Array.of(0x00, 0x01)).ue(), { code: ErrorCode.BadNalUnit }, 'suffix runs past the end');
  t.throws(() => new RbspReader(new Uint8Array(2), 3), RangeError);
  t.throws(() => new RbspReader(new Uint8Array(2)).u(33), RangeError);
});

t.test('malformed SPS → S3HlsError BadSps, never a crash', async (t) => {
  const good = firstSps(readFileSync(fixturePath('1080p.h264')));
  const isBadSps = (fn: () => unknown, what: string): void => {
    try {
      fn();
      t.fail(`${what}: no error`);
    } catch (err) {
      t.ok(err instanceof S3HlsError && err.code === ErrorCode.BadSps, `${what}: ${(err as Error).message}`);
    }
  };
  isBadSps(() => parseSps(good.subarray(0, 3)), 'too short');
  isBadSps(() => parseSps(good.subarray(0, 6)), 'truncated inside the mandatory fields');
  isBadSps(() => parseSps(Uint8Array.of(0x68, ...good.subarray(1))), 'a PPS header');
  isBadSps(() => parseSps(Uint8Array.of(0xe7, ...good.subarray(1))), 'forbidden_zero_bit');
  // profile 66, constraints 0, level 30, then 40 zero bits: ue with too many leading zeros.
  isBadSps(() => parseSps(Uint8Array.of(0x67, 66, 0, 30, 0, 0, 0, 0, 0, 0x80)), 'bad ue');
  // seq_parameter_set_id = 32 (ue 000001 00001 = 32) → out of range.
  isBadSps(() => parseSps(Uint8Array.of(0x67, 66, 0, 30, 0b00000100, 0b00010000)), 'sps id 32');
  // Truncated anywhere before the VUI starts must throw; bytes never crash the parser.
  for (let len = 4; len < 8; len++) isBadSps(() => parseSps(good.subarray(0, len)), `truncated to ${len} bytes`);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (tail) => {
      try {
        parseSps(Uint8Array.of(0x67, ...tail));
        return true;
      } catch (err) {
        return err instanceof S3HlsError && err.code === ErrorCode.BadSps;
      }
    }),
    { numRuns: 2000 },
  );
});
