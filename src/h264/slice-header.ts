/**
 * Slice header parsing (H.264 §7.3.3, semantics §7.4.3): the fields that decide access-unit
 * boundaries (§7.4.1.2.4) and picture order count (§8.2.1), plus a best-effort read on to
 * dec_ref_pic_marking() to learn whether the picture carries memory_management_control_operation 5,
 * which resets POC like an IDR.
 */
import { ErrorCode, S3HlsError } from '../errors.js';
import { NalType, nalTypeOf } from './nal-types.js';
import type { PpsInfo } from './pps.js';
import { RbspReader } from './rbsp-reader.js';
import type { SpsInfo } from './sps.js';

/** slice_type % 5 values (Table 7-6). */
const SliceKind = { P: 0, B: 1, I: 2, SP: 3, SI: 4 } as const;

/** MMCO value meaning "mark all reference pictures unused and reset POC/frame_num" (§8.2.5.4.6). */
const MMCO_RESET = 5;

/** What s3hls reads from a slice header. */
export interface SliceHeader {
  /** nal_unit_type (1 or 5; 2 for data partition A). */
  nalType: number;
  /** nal_ref_idc, 0..3 (0: not used for reference). */
  nalRefIdc: number;
  /** first_mb_in_slice: 0 for the first slice of a picture (no arbitrary slice order). */
  firstMbInSlice: number;
  /** slice_type, 0..9 (values ≥ 5 promise every slice of the picture has that type). */
  sliceType: number;
  /** pic_parameter_set_id. */
  ppsId: number;
  /** frame_num. */
  frameNum: number;
  /** field_pic_flag. */
  fieldPic: boolean;
  /** bottom_field_flag. */
  bottomField: boolean;
  /** idr_pic_id (IDR slices only; 0 otherwise). */
  idrPicId: number;
  /** pic_order_cnt_lsb (POC type 0 only; 0 otherwise). */
  pocLsb: number;
  /** delta_pic_order_cnt_bottom (POC type 0, frame pictures with the PPS flag; 0 otherwise). */
  deltaPocBottom: number;
  /** delta_pic_order_cnt[0] (POC type 1 only; 0 otherwise). */
  deltaPoc0: number;
  /** delta_pic_order_cnt[1] (POC type 1 only; 0 otherwise). */
  deltaPoc1: number;
  /** redundant_pic_cnt (0 for primary coded pictures). */
  redundantPicCnt: number;
  /**
   * True when dec_ref_pic_marking() holds memory_management_control_operation 5. Best effort: false
   * when the header could not be read that far (unknown syntax, truncated slice).
   */
  memoryManagement5: boolean;
}

/**
 * Parses a slice header up to delta_pic_order_cnt[1] (all that §7.4.1.2.4 and §8.2.1 need), then
 * tries to read on to dec_ref_pic_marking() for MMCO 5.
 *
 * @param nal - the whole NAL unit starting at its header byte (type 1, 2 or 5)
 * @param spsById - active sequence parameter sets by seq_parameter_set_id
 * @param ppsById - picture parameter sets by pic_parameter_set_id
 * @returns the header fields
 * @throws S3HlsError BadNalUnit when the NAL unit is not a slice, refers to an unknown PPS/SPS, or ends early
 */
export function parseSliceHeader(nal: Uint8Array, spsById: ReadonlyMap<number, SpsInfo>, ppsById: ReadonlyMap<number, PpsInfo>): SliceHeader {
  const nalType = nal.length > 0 ? nalTypeOf(nal[0]) : -1;
  if (nalType !== NalType.Slice && nalType !== NalType.Idr && nalType !== NalType.SliceDataA) {
    throw new S3HlsError(ErrorCode.BadNalUnit, `NAL unit type ${nalType} is not a slice (1, 2 or 5)`);
  }
  const nalRefIdc = (nal[0] >> 5) & 3;
  const isIdr = nalType === NalType.Idr;
  const r = new RbspReader(nal, 1);
  const firstMbInSlice = r.ue();
  const sliceType = r.ue();
  if (sliceType > 9) throw new S3HlsError(ErrorCode.BadNalUnit, `slice_type ${sliceType} outside 0..9`);
  const ppsId = r.ue();
  const pps = ppsById.get(ppsId);
  if (!pps) throw new S3HlsError(ErrorCode.BadNalUnit, `slice refers to unknown PPS ${ppsId}`);
  const sps = spsById.get(pps.spsId);
  if (!sps) throw new S3HlsError(ErrorCode.BadNalUnit, `PPS ${ppsId} refers to unknown SPS ${pps.spsId}`);
  if (sps.separateColourPlane) r.skip(2); // colour_plane_id
  const frameNum = r.u(sps.log2MaxFrameNum);
  let fieldPic = false;
  let bottomField = false;
  if (!sps.frameMbsOnly) {
    fieldPic = r.u1() === 1;
    if (fieldPic) bottomField = r.u1() === 1;
  }
  const idrPicId = isIdr ? r.ue() : 0;
  let pocLsb = 0;
  let deltaPocBottom = 0;
  let deltaPoc0 = 0;
  let deltaPoc1 = 0;
  if (sps.picOrderCntType === 0) {
    pocLsb = r.u(sps.log2MaxPocLsb);
    if (pps.bottomFieldPicOrderInFramePresent && !fieldPic) deltaPocBottom = r.se();
  } else if (sps.picOrderCntType === 1 && !sps.deltaPicOrderAlwaysZero) {
    deltaPoc0 = r.se();
    if (pps.bottomFieldPicOrderInFramePresent && !fieldPic) deltaPoc1 = r.se();
  }
  const header: SliceHeader = {
    nalType,
    nalRefIdc,
    firstMbInSlice,
    sliceType,
    ppsId,
    frameNum,
    fieldPic,
    bottomField,
    idrPicId,
    pocLsb,
    deltaPocBottom,
    deltaPoc0,
    deltaPoc1,
    redundantPicCnt: 0,
    memoryManagement5: false,
  };
  try {
    readToRefPicMarking(r, header, sps, pps);
  } catch (err) {
    // Best effort past the POC fields: a slice we cannot follow further is still a valid picture
    // start for access-unit splitting; it just cannot signal MMCO 5.
    if (!(err instanceof S3HlsError)) throw err;
  }
  return header;
}

/** §7.3.3 from redundant_pic_cnt to dec_ref_pic_marking(); sets redundantPicCnt and memoryManagement5. */
function readToRefPicMarking(r: RbspReader, h: SliceHeader, sps: SpsInfo, pps: PpsInfo): void {
  if (pps.redundantPicCntPresent) h.redundantPicCnt = r.ue();
  const kind = h.sliceType % 5;
  if (kind === SliceKind.B) r.u1(); // direct_spatial_mv_pred_flag
  let numRefIdxL0ActiveMinus1 = pps.numRefIdxL0DefaultActiveMinus1;
  let numRefIdxL1ActiveMinus1 = pps.numRefIdxL1DefaultActiveMinus1;
  if (kind === SliceKind.P || kind === SliceKind.SP || kind === SliceKind.B) {
    if (r.u1() === 1) {
      // num_ref_idx_active_override_flag
      numRefIdxL0ActiveMinus1 = r.ue();
      if (kind === SliceKind.B) numRefIdxL1ActiveMinus1 = r.ue();
    }
  }
  if (numRefIdxL0ActiveMinus1 > 31 || numRefIdxL1ActiveMinus1 > 31) {
    throw new S3HlsError(ErrorCode.BadNalUnit, 'num_ref_idx_active_minus1 above 31');
  }
  // ref_pic_list_modification() (§7.3.3.1); types 20/21 use the MVC variant and never reach here.
  if (kind !== SliceKind.I && kind !== SliceKind.SI) skipRefPicListModification(r);
  if (kind === SliceKind.B) skipRefPicListModification(r);
  const weighted = (pps.weightedPred && (kind === SliceKind.P || kind === SliceKind.SP)) || (pps.weightedBipredIdc === 1 && kind === SliceKind.B);
  if (weighted) {
    const chromaArrayType = sps.separateColourPlane ? 0 : sps.chromaFormatIdc;
    skipPredWeightTable(r, chromaArrayType, numRefIdxL0ActiveMinus1, kind === SliceKind.B ? numRefIdxL1ActiveMinus1 : -1);
  }
  if (h.nalRefIdc !== 0) h.memoryManagement5 = readDecRefPicMarkingHasReset(r, h.nalType === NalType.Idr);
}

/** One list's ref_pic_list_modification_flag_lX and its loop (§7.3.3.1). */
function skipRefPicListModification(r: RbspReader): void {
  if (r.u1() === 0) return;
  for (let n = 0; n <= 64; n++) {
    const idc = r.ue(); // modification_of_pic_nums_idc
    if (idc === 3) return;
    if (idc > 5) throw new S3HlsError(ErrorCode.BadNalUnit, `modification_of_pic_nums_idc ${idc} outside 0..5`);
    r.ue(); // abs_diff_pic_num_minus1 (0, 1), long_term_pic_num (2), abs_diff_view_idx_minus1 (4, 5)
  }
  throw new S3HlsError(ErrorCode.BadNalUnit, 'ref_pic_list_modification loop without end');
}

/** pred_weight_table() (§7.3.3.2); `l1Minus1` is -1 when the slice has no list 1. */
function skipPredWeightTable(r: RbspReader, chromaArrayType: number, l0Minus1: number, l1Minus1: number): void {
  r.ue(); // luma_log2_weight_denom
  if (chromaArrayType !== 0) r.ue(); // chroma_log2_weight_denom
  for (const lastIndex of [l0Minus1, l1Minus1]) {
    for (let i = 0; i <= lastIndex; i++) {
      if (r.u1() === 1) {
        r.se(); // luma_weight_lX
        r.se(); // luma_offset_lX
      }
      if (chromaArrayType !== 0 && r.u1() === 1) {
        for (let j = 0; j < 4; j++) r.se(); // chroma_weight_lX, chroma_offset_lX for Cb and Cr
      }
    }
  }
}

/** dec_ref_pic_marking() (§7.3.3.3): true when it contains memory_management_control_operation 5. */
function readDecRefPicMarkingHasReset(r: RbspReader, isIdr: boolean): boolean {
  if (isIdr) {
    r.u1(); // no_output_of_prior_pics_flag
    r.u1(); // long_term_reference_flag
    return false;
  }
  if (r.u1() === 0) return false; // adaptive_ref_pic_marking_mode_flag
  let reset = false;
  for (let n = 0; n <= 66; n++) {
    const mmco = r.ue();
    if (mmco === 0) return reset;
    if (mmco > 6) throw new S3HlsError(ErrorCode.BadNalUnit, `memory_management_control_operation ${mmco} outside 0..6`);
    if (mmco === MMCO_RESET) reset = true;
    if (mmco === 1 || mmco === 3) r.ue(); // difference_of_pic_nums_minus1
    if (mmco === 2) r.ue(); // long_term_pic_num
    if (mmco === 3 || mmco === 6) r.ue(); // long_term_frame_idx
    if (mmco === 4) r.ue(); // max_long_term_frame_idx_plus1
  }
  throw new S3HlsError(ErrorCode.BadNalUnit, 'dec_ref_pic_marking loop without end');
}
