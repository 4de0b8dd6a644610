/**
 * Picture parameter set parsing (H.264 §7.3.2.2, semantics §7.4.2.2), up to the fields slice headers
 * need: the syntax of §7.3.3 depends on bottom_field_pic_order_in_frame_present_flag, the default
 * reference list sizes, weighted prediction and redundant_pic_cnt_present_flag.
 */
import { ErrorCode, S3HlsError } from '../errors.js';
import { NalType, nalTypeOf } from './nal-types.js';
import { RbspReader } from './rbsp-reader.js';

/** What s3hls uses from a picture parameter set. */
export interface PpsInfo {
  /** pic_parameter_set_id, 0..255. */
  ppsId: number;
  /** seq_parameter_set_id it refers to, 0..31. */
  spsId: number;
  /** entropy_coding_mode_flag: CABAC when true. */
  entropyCodingModeFlag: boolean;
  /** bottom_field_pic_order_in_frame_present_flag: slice headers carry delta_pic_order_cnt_bottom / [1]. */
  bottomFieldPicOrderInFramePresent: boolean;
  /** num_slice_groups_minus1 + 1. */
  numSliceGroups: number;
  /** num_ref_idx_l0_default_active_minus1. */
  numRefIdxL0DefaultActiveMinus1: number;
  /** num_ref_idx_l1_default_active_minus1. */
  numRefIdxL1DefaultActiveMinus1: number;
  /** weighted_pred_flag (P/SP slices carry pred_weight_table). */
  weightedPred: boolean;
  /** weighted_bipred_idc, 0..2 (1: B slices carry pred_weight_table). */
  weightedBipredIdc: number;
  /** redundant_pic_cnt_present_flag. */
  redundantPicCntPresent: boolean;
}

/**
 * Parses a picture parameter set up to redundant_pic_cnt_present_flag (the optional high-profile
 * tail — transform_8x8_mode_flag, scaling lists — is not needed for slice headers and is not read).
 *
 * @param nal - the whole NAL unit starting at its header byte (emulation prevention still in)
 * @returns the parsed fields
 * @throws S3HlsError BadNalUnit naming what is wrong (not a PPS, truncated, value out of range)
 */
export function parsePps(nal: Uint8Array): PpsInfo {
  if (nal.length < 2 || nalTypeOf(nal[0]) !== NalType.Pps || (nal[0] & 0x80) !== 0) {
    throw new S3HlsError(ErrorCode.BadNalUnit, `not a PPS: ${nal.length} bytes, header 0x${(nal[0] ?? 0).toString(16)}`);
  }
  const r = new RbspReader(nal, 1);
  const ppsId = checkRange('pic_parameter_set_id', r.ue(), 0, 255);
  const spsId = checkRange('seq_parameter_set_id', r.ue(), 0, 31);
  const entropyCodingModeFlag = r.u1() === 1;
  const bottomFieldPicOrderInFramePresent = r.u1() === 1;
  const numSliceGroups = checkRange('num_slice_groups_minus1', r.ue(), 0, 7) + 1;
  if (numSliceGroups > 1) skipSliceGroupMap(r, numSliceGroups);
  const numRefIdxL0DefaultActiveMinus1 = checkRange('num_ref_idx_l0_default_active_minus1', r.ue(), 0, 31);
  const numRefIdxL1DefaultActiveMinus1 = checkRange('num_ref_idx_l1_default_active_minus1', r.ue(), 0, 31);
  const weightedPred = r.u1() === 1;
  const weightedBipredIdc = checkRange('weighted_bipred_idc', r.u(2), 0, 2);
  r.se(); // pic_init_qp_minus26
  r.se(); // pic_init_qs_minus26
  r.se(); // chroma_qp_index_offset
  r.u1(); // deblocking_filter_control_present_flag
  r.u1(); // constrained_intra_pred_flag
  const redundantPicCntPresent = r.u1() === 1;
  return {
    ppsId,
    spsId,
    entropyCodingModeFlag,
    bottomFieldPicOrderInFramePresent,
    numSliceGroups,
    numRefIdxL0DefaultActiveMinus1,
    numRefIdxL1DefaultActiveMinus1,
    weightedPred,
    weightedBipredIdc,
    redundantPicCntPresent,
  };
}

/** Throws BadNalUnit when `value` is outside `min..max`. */
function checkRange(name: string, value: number, min: number, max: number): number {
  if (value < min || value > max) throw new S3HlsError(ErrorCode.BadNalUnit, `PPS ${name} ${value} outside ${min}..${max}`);
  return value;
}

/** The slice group map fields of §7.3.2.2 (FMO, baseline/extended profiles only). */
function skipSliceGroupMap(r: RbspReader, numSliceGroups: number): void {
  const mapType = checkRange('slice_group_map_type', r.ue(), 0, 6);
  if (mapType === 0) {
    for (let i = 0; i < numSliceGroups; i++) r.ue(); // run_length_minus1
  } else if (mapType === 2) {
    for (let i = 0; i < numSliceGroups - 1; i++) {
      r.ue(); // top_left
      r.ue(); // bottom_right
    }
  } else if (mapType >= 3 && mapType <= 5) {
    r.u1(); // slice_group_change_direction_flag
    r.ue(); // slice_group_change_rate_minus1
  } else if (mapType === 6) {
    const picSizeInMapUnits = r.ue() + 1;
    // slice_group_id is u(v) with v = Ceil(Log2(num_slice_groups_minus1 + 1)).
    const bits = Math.ceil(Math.log2(numSliceGroups));
    r.skip(picSizeInMapUnits * bits);
  }
}
