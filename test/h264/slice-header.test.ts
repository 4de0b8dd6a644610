/**
 * Slice headers (§7.3.3) and POC (§8.2.1): fields read from real libx264 streams, hand-written
 * headers that walk the optional syntax up to dec_ref_pic_marking (MMCO 5), POC types 0/1/2
 * including lsb wrap and MMCO 5, and the §7.4.1.2.4 "first slice of a new picture" rules that
 * libx264 streams never exercise (equal frame_num IDRs, redundant pictures, nal_ref_idc zero-ness).
 */
import t from 'tap';
import { AccessUnitSplitter } from '../../src/h264/access-unit-splitter.js';
import { PocCalculator } from '../../src/h264/poc.js';
import { parsePps, type PpsInfo } from '../../src/h264/pps.js';
import { parseSliceHeader, type SliceHeader } from '../../src/h264/slice-header.js';
import { parseSps, type SpsInfo } from '../../src/h264/sps.js';
import { fixture, highBframes } from '../helpers/fixtures.js';

/** Writes H.264 syntax elements MSB-first; `nal()` adds rbsp trailing bits and emulation prevention. */
class BitWriter {
  private readonly bits: number[] = [];
  u(n: number, value: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }
  ue(value: number): this {
    const v = value + 1;
    const len = Math.floor(Math.log2(v));
    return this.u(len, 0).u(len + 1, v);
  }
  se(value: number): this {
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }
  /** NAL unit: header byte + escaped RBSP with rbsp_stop_one_bit. */
  nal(header: number): Uint8Array {
    const bits = [...this.bits, 1];
    while (bits.length % 8 !== 0) bits.push(0);
    const out: number[] = [header];
    let zeros = 0;
    for (let i = 0; i < bits.length; i += 8) {
      const byte = bits.slice(i, i + 8).reduce((a, b) => a * 2 + b, 0);
      if (zeros >= 2 && byte <= 3) {
        out.push(3); // emulation_prevention_three_byte (§7.4.1)
        zeros = 0;
      }
      out.push(byte);
      zeros = byte === 0 ? zeros + 1 : 0;
    }
    return Uint8Array.from(out);
  }
}

/** A main-profile SPS with the given POC type (fields allowed when frameMbsOnly is false). */
function writeSps(o: { pocType: number; frameMbsOnly?: boolean; offsets?: number[]; log2MaxPocLsb?: number }): Uint8Array {
  const w = new BitWriter().u(8, 77).u(8, 0).u(8, 30).ue(0); // profile, constraints, level, sps id
  w.ue(0); // log2_max_frame_num_minus4 → 4 bits
  w.ue(o.pocType);
  if (o.pocType === 0) w.ue((o.log2MaxPocLsb ?? 8) - 4);
  if (o.pocType === 1) {
    w.u(1, 0)
      .se(-1)
      .se(1)
      .ue(o.offsets?.length ?? 0); // delta_pic_order_always_zero, non-ref, top-to-bottom, cycle
    for (const off of o.offsets ?? []) w.se(off);
  }
  w.ue(4)
    .u(1, 0)
    .ue(19)
    .ue(o.frameMbsOnly === false ? 5 : 11); // refs, gaps, 320 wide, 192 tall
  w.u(1, o.frameMbsOnly === false ? 0 : 1);
  if (o.frameMbsOnly === false) w.u(1, 0); // mb_adaptive_frame_field_flag
  w.u(1, 1).u(1, 0).u(1, 0); // direct_8x8, no cropping, no VUI
  return w.nal(0x67);
}

function writePps(o: { bottomFieldPoc?: boolean; redundant?: boolean; weighted?: boolean }): Uint8Array {
  const w = new BitWriter()
    .ue(0)
    .ue(0)
    .u(1, 0)
    .u(1, o.bottomFieldPoc ? 1 : 0)
    .ue(0); // ids, CAVLC, flag, 1 slice group
  w.ue(0)
    .ue(0)
    .u(1, o.weighted ? 1 : 0)
    .u(2, 0)
    .se(0)
    .se(0)
    .se(0)
    .u(1, 1)
    .u(1, 0)
    .u(1, o.redundant ? 1 : 0);
  return w.nal(0x68);
}

interface SliceOpts {
  idr?: boolean;
  refIdc?: number;
  firstMb?: number;
  sliceType?: number;
  frameNum?: number;
  idrPicId?: number;
  pocLsb?: number;
  redundantPicCnt?: number;
  mmco5?: boolean;
}

/** A slice header for writeSps({pocType: 0}) + writePps({redundant: true}), then a few slice_data bits. */
function writeSlice(o: SliceOpts): Uint8Array {
  const idr = o.idr ?? false;
  const refIdc = o.refIdc ?? 1;
  const sliceType = o.sliceType ?? (idr ? 7 : 5);
  const w = new BitWriter()
    .ue(o.firstMb ?? 0)
    .ue(sliceType)
    .ue(0)
    .u(4, o.frameNum ?? 0);
  if (idr) w.ue(o.idrPicId ?? 0);
  w.u(8, o.pocLsb ?? 0);
  w.ue(o.redundantPicCnt ?? 0);
  if (sliceType % 5 === 0) w.u(1, 0).u(1, 0); // no override, no list modification
  if (refIdc !== 0) {
    if (idr) w.u(1, 0).u(1, 0);
    else if (o.mmco5) w.u(1, 1).ue(5).ue(0);
    else w.u(1, 0);
  }
  w.se(0).u(8, 0xa5); // slice_qp_delta, some data
  return w.nal((refIdc << 5) | (idr ? 5 : 1));
}

function annexB(nals: Uint8Array[]): Uint8Array {
  return Buffer.concat(nals.flatMap((n) => [Buffer.of(0, 0, 0, 1), Buffer.from(n)]));
}

function splitAll(data: Uint8Array): { keyframe: boolean; poc: number; nals: number; pocReset?: boolean }[] {
  const s = new AccessUnitSplitter({
    onError: (e) => {
      throw e;
    },
  });
  return [...s.push(data), ...s.end()].map((u) => ({ keyframe: u.keyframe, poc: u.poc, nals: u.nals.length, pocReset: u.pocReset }));
}

function nalsOf(data: Uint8Array): Uint8Array[] {
  const s = new AccessUnitSplitter();
  return [...s.push(data), ...s.end()].flatMap((u) => u.nals.map((n) => Uint8Array.from(n)));
}

t.test('real streams: slice header fields', async (t) => {
  const spsById = new Map<number, SpsInfo>();
  const ppsById = new Map<number, PpsInfo>();
  const headersOf = (data: Uint8Array): SliceHeader[] => {
    const out: SliceHeader[] = [];
    for (const n of nalsOf(data)) {
      const type = n[0] & 0x1f;
      if (type === 7) spsById.set(parseSps(n).spsId, parseSps(n));
      if (type === 8) ppsById.set(parsePps(n).ppsId, parsePps(n));
      if (type === 1 || type === 5) out.push(parseSliceHeader(n, spsById, ppsById));
    }
    return out;
  };
  const main = headersOf(fixture('main-slices.h264'));
  t.same(
    main.slice(0, 8).map((h) => h.firstMbInSlice > 0),
    [false, true, true, true, false, true, true, true],
    'first_mb_in_slice: 0 then > 0 inside each 4-slice picture',
  );
  t.ok(
    main.slice(0, 4).every((h) => h.nalType === 5 && h.sliceType % 5 === 2),
    'IDR I slices',
  );
  t.same(
    main
      .filter((_, i) => i % 4 === 0)
      .slice(0, 5)
      .map((h) => h.frameNum),
    [0, 1, 2, 3, 4],
    'frame_num counts reference frames',
  );
  const firstMbs = main.slice(0, 4).map((h) => h.firstMbInSlice);
  t.ok(
    firstMbs.every((v, i) => i === 0 || v > firstMbs[i - 1]),
    'slices in raster order',
  );
  t.equal(firstMbs[3] < 40 * 23, true, 'inside the 40x23 macroblock picture');

  const { annexB, packets } = highBframes();
  const b = headersOf(annexB);
  t.ok(
    b.some((h) => h.sliceType % 5 === 1 && h.nalRefIdc === 0),
    'non-reference B slices',
  );
  t.ok(
    b.some((h) => h.sliceType % 5 === 1 && h.nalRefIdc !== 0),
    'reference B slices (B-pyramid)',
  );
  t.ok(
    b.every((h) => !h.memoryManagement5),
    'libx264 sends no MMCO 5',
  );
  const sps = spsById.get(ppsById.get(b[0].ppsId)!.spsId)!;
  const poc = new PocCalculator();
  // One slice per picture here; in the first GOP (POC 0 at the IDR) POC / 2 is the frame's
  // presentation index, which ffprobe's true PTS gives independently.
  const gop = packets.findIndex((p, i) => i > 0 && p.keyframe);
  const pocs = b.slice(0, gop).map((h) => poc.compute(h, sps, h.nalType === 5, h.memoryManagement5));
  t.same(
    pocs.map((v) => v / 2),
    packets.slice(0, gop).map((p) => (p.pts - packets[0].pts) / 3600),
    'POC / 2 = presentation index',
  );
});

t.test('hand-written header walks the optional syntax to MMCO 5', async (t) => {
  const sps = parseSps(writeSps({ pocType: 1, frameMbsOnly: false, offsets: [2, 2] }));
  t.equal(sps.picOrderCntType, 1);
  t.same(sps.offsetsForRefFrame, [2, 2]);
  t.equal(sps.offsetForNonRefPic, -1);
  t.equal(sps.height, 192);
  t.equal(sps.frameMbsOnly, false);
  const pps = parsePps(new BitWriter().ue(3).ue(0).u(1, 0).u(1, 1).ue(0).ue(1).ue(0).u(1, 1).u(2, 0).se(0).se(0).se(0).u(1, 1).u(1, 0).u(1, 1).nal(0x68));
  t.equal(pps.ppsId, 3);
  t.equal(pps.weightedPred, true);
  t.equal(pps.redundantPicCntPresent, true);
  // P slice, reference, field (bottom), POC type 1 deltas, override to 3 refs, list modification,
  // weighted prediction table, adaptive marking with MMCO 1 then 5.
  const w = new BitWriter().ue(0).ue(0).ue(3).u(4, 9).u(1, 1).u(1, 1); // first_mb, P, pps 3, frame_num 9, field, bottom
  w.se(-3); // delta_pic_order_cnt[0] (no [1]: field picture)
  w.ue(0); // redundant_pic_cnt
  w.u(1, 1).ue(2); // num_ref_idx_active_override_flag, l0 = 3 refs
  w.u(1, 1).ue(0).ue(4).ue(2).ue(1).ue(3); // ref_pic_list_modification: sub 5, long-term 1, end
  w.ue(5).ue(5); // luma/chroma log2 weight denominators
  for (let i = 0; i < 3; i++) {
    w.u(1, 1).se(3).se(-2); // luma weight/offset
    w.u(1, i === 1 ? 1 : 0);
    if (i === 1) w.se(1).se(2).se(-1).se(0); // chroma weights/offsets
  }
  w.u(1, 1).ue(1).ue(7).ue(5).ue(0); // adaptive marking: MMCO 1 (diff 7), MMCO 5, end
  w.se(0);
  const h = parseSliceHeader(w.nal(0x41), new Map([[0, sps]]), new Map([[3, pps]]));
  t.match(h, { nalType: 1, nalRefIdc: 2, sliceType: 0, ppsId: 3, frameNum: 9, fieldPic: true, bottomField: true, deltaPoc0: -3, deltaPoc1: 0, memoryManagement5: true });
  // The same header without MMCO 5 in it.
  const w2 = new BitWriter().ue(0).ue(0).ue(3).u(4, 9).u(1, 0).se(1).se(4).ue(0).u(1, 0).u(1, 0).ue(0).ue(0);
  for (let i = 0; i < 2; i++) w2.u(1, 0).u(1, 0);
  w2.u(1, 0).se(0);
  t.match(parseSliceHeader(w2.nal(0x41), new Map([[0, sps]]), new Map([[3, pps]])), { fieldPic: false, deltaPoc0: 1, deltaPoc1: 4, memoryManagement5: false });
  t.throws(() => parseSliceHeader(w2.nal(0x41), new Map([[0, sps]]), new Map()), { code: 'BAD_NAL_UNIT' }, 'unknown PPS');
  t.throws(() => parseSliceHeader(Uint8Array.of(0x67, 1), new Map(), new Map()), { code: 'BAD_NAL_UNIT' }, 'not a slice');
});

/** A slice header object with defaults, for POC tests. */
function slice(o: Partial<SliceHeader>): SliceHeader {
  return {
    nalType: 1,
    nalRefIdc: 1,
    firstMbInSlice: 0,
    sliceType: 0,
    ppsId: 0,
    frameNum: 0,
    fieldPic: false,
    bottomField: false,
    idrPicId: 0,
    pocLsb: 0,
    deltaPocBottom: 0,
    deltaPoc0: 0,
    deltaPoc1: 0,
    redundantPicCnt: 0,
    memoryManagement5: false,
    ...o,
  };
}

t.test('POC type 0: lsb wraps forwards (eq. 8-3), MMCO 5 rebases', async (t) => {
  const sps = parseSps(writeSps({ pocType: 0, log2MaxPocLsb: 4 })); // MaxPicOrderCntLsb = 16
  const poc = new PocCalculator();
  const out = [poc.compute(slice({ nalType: 5 }), sps, true)];
  for (let i = 1; i <= 12; i++) out.push(poc.compute(slice({ pocLsb: (2 * i) % 16 }), sps, false));
  t.same(out, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24], 'continues past 16');
  // Non-reference pictures do not move prevPicOrderCntMsb/Lsb.
  t.equal(poc.compute(slice({ pocLsb: 6, nalRefIdc: 0 }), sps, false), 22, 'B before the last P');
  // MMCO 5 on a reference frame: its POC becomes 0 and the next lsb counts from there.
  t.equal(poc.compute(slice({ pocLsb: 12, memoryManagement5: true }), sps, false, true), 0);
  t.equal(poc.compute(slice({ pocLsb: 4 }), sps, false), 4, 'prevPicOrderCntMsb = 0 after MMCO 5');
  // Backward wrap: lsb 14 after 4 reads as -2 (more than half the range back).
  t.equal(poc.compute(slice({ pocLsb: 14, nalRefIdc: 0 }), sps, false), -2);
  poc.reset();
  t.equal(poc.compute(slice({ pocLsb: 8 }), sps, false), 8);
});

t.test('POC type 1 (expected cycle) and type 2 (decode order)', async (t) => {
  const sps1 = parseSps(writeSps({ pocType: 1, offsets: [4, 2] }));
  const p1 = new PocCalculator();
  // Frames: top = expectedDeltaPerCycle-based count + delta[0]; non-ref adds offset_for_non_ref_pic (-1).
  const got = [
    p1.compute(slice({ nalType: 5 }), sps1, true),
    p1.compute(slice({ frameNum: 1 }), sps1, false),
    p1.compute(slice({ frameNum: 2 }), sps1, false),
    p1.compute(slice({ frameNum: 3, nalRefIdc: 0, deltaPoc0: 1 }), sps1, false),
  ];
  // absFrameNum 1 → 4, 2 → 6, non-ref frame_num 3 → absFrameNum 2 → 6 - 1 + 1 = 6; bottom = top + 1 (min is top).
  t.same(got, [0, 4, 6, 6]);
  const sps2 = parseSps(writeSps({ pocType: 2 }));
  const p2 = new PocCalculator();
  const seq = [p2.compute(slice({ nalType: 5 }), sps2, true)];
  for (let f = 1; f <= 18; f++) seq.push(p2.compute(slice({ frameNum: f % 16, nalRefIdc: f % 3 === 0 ? 0 : 1 }), sps2, false));
  t.ok(
    seq.every((v, i) => i === 0 || v > seq[i - 1]),
    `type 2 is increasing in decode order across frame_num wrap: ${seq.join(',')}`,
  );
  t.equal(seq[3], 5, 'non-ref: 2 × (FrameNumOffset + frame_num) - 1');
  t.equal(seq[17], 34, 'after the wrap FrameNumOffset adds MaxFrameNum (16)');
});

t.test('§7.4.1.2.4 picture boundaries libx264 never produces', async (t) => {
  const head = [writeSps({ pocType: 0 }), writePps({ redundant: true })];
  // Two IDR pictures in a row: same frame_num 0 and POC lsb 0, told apart only by idr_pic_id.
  t.same(
    splitAll(annexB([...head, writeSlice({ idr: true, idrPicId: 0 }), writeSlice({ idr: true, idrPicId: 0, firstMb: 5 }), writeSlice({ idr: true, idrPicId: 1 })])).map(
      (u) => u.nals,
    ),
    [4, 1],
    'idr_pic_id differs',
  );
  // A non-reference picture after a reference one with the same frame_num and lsb (nal_ref_idc zero-ness).
  t.same(
    splitAll(annexB([...head, writeSlice({ idr: true }), writeSlice({ frameNum: 1, pocLsb: 2 }), writeSlice({ frameNum: 1, pocLsb: 2, refIdc: 0 })])).length,
    3,
    'nal_ref_idc zero-ness differs',
  );
  // A redundant coded picture (redundant_pic_cnt 1) stays with its primary picture, even at first_mb 0.
  const red = splitAll(
    annexB([
      ...head,
      writeSlice({ idr: true }),
      writeSlice({ frameNum: 1, pocLsb: 2 }),
      writeSlice({ frameNum: 1, pocLsb: 2, redundantPicCnt: 1 }),
      writeSlice({ frameNum: 2, pocLsb: 4 }),
    ]),
  );
  t.same(
    red.map((u) => u.nals),
    [3, 2, 1],
    'redundant picture kept in its unit',
  );
  // MMCO 5 marks a POC reset without an IDR.
  const mm = splitAll(
    annexB([
      ...head,
      writeSlice({ idr: true }),
      writeSlice({ frameNum: 1, pocLsb: 10 }),
      writeSlice({ frameNum: 2, pocLsb: 20, mmco5: true }),
      writeSlice({ frameNum: 1, pocLsb: 2 }),
    ]),
  );
  t.same(
    mm.map((u) => [u.keyframe, u.pocReset, u.poc]),
    [
      [true, true, 0],
      [false, false, 10],
      [false, true, 0],
      [false, false, 2],
    ],
  );
  // SEI after a picture starts the next unit; end-of-sequence stays with the picture before it.
  const sei = new BitWriter().u(8, 5).u(8, 1).u(8, 0).nal(0x06);
  t.same(
    splitAll(annexB([...head, writeSlice({ idr: true }), Uint8Array.of(0x0a), sei, writeSlice({ idr: true, idrPicId: 1 })])).map((u) => u.nals),
    [4, 2],
  );
});
