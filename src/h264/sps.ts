/**
 * Sequence parameter set parsing (H.264 §7.3.2.1.1, semantics §7.4.2.1.1; VUI Annex E.1.1): what the
 * muxer, the playlist (CODECS, RESOLUTION) and the slice-header/POC code need.
 */
import { ErrorCode, S3HlsError } from '../errors.js';
import { NalType, nalTypeOf } from './nal-types.js';
import { RbspReader } from './rbsp-reader.js';

/** What s3hls uses from a sequence parameter set. */
export interface SpsInfo {
  /** seq_parameter_set_id, 0..31. */
  spsId: number;
  /** profile_idc (66 baseline, 77 main, 100 high, ...). */
  profileIdc: number;
  /** The byte of constraint_set0..5_flag and reserved_zero_2bits, as in the codec string. */
  constraintFlags: number;
  /** level_idc (e.g. 31 for level 3.1). */
  levelIdc: number;
  /** chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 when absent, §7.4.2.1.1). */
  chromaFormatIdc: number;
  /** separate_colour_plane_flag (4:4:4 only). */
  separateColourPlane: boolean;
  /** log2_max_frame_num_minus4 + 4: bit width of frame_num in slice headers. */
  log2MaxFrameNum: number;
  /** pic_order_cnt_type, 0..2 (§8.2.1). */
  picOrderCntType: number;
  /** log2_max_pic_order_cnt_lsb_minus4 + 4 (type 0 only; 0 otherwise). */
  log2MaxPocLsb: number;
  /** delta_pic_order_always_zero_flag (type 1 only). */
  deltaPicOrderAlwaysZero: boolean;
  /** offset_for_non_ref_pic (type 1 only). */
  offsetForNonRefPic: number;
  /** offset_for_top_to_bottom_field (type 1 only). */
  offsetForTopToBottomField: number;
  /** offset_for_ref_frame[] (type 1 only; empty otherwise). */
  offsetsForRefFrame: readonly number[];
  /** max_num_ref_frames. */
  maxNumRefFrames: number;
  /** frame_mbs_only_flag: false when the stream may contain fields or MBAFF frames. */
  frameMbsOnly: boolean;
  /** Luma width in pixels after frame cropping. */
  width: number;
  /** Luma height in pixels after frame cropping. */
  height: number;
  /** 'avc1.PPCCLL' hex, e.g. avc1.64001f (RFC 6381 §3.3). */
  codec: string;
  /** VUI time_scale, when timing_info_present_flag. */
  timeScale?: number;
  /** VUI num_units_in_tick, when timing_info_present_flag. */
  numUnitsInTick?: number;
  /** VUI max_num_reorder_frames, when bitstream_restriction_flag. */
  maxNumReorderFrames?: number;
}

/** profile_idc values whose SPS carries chroma_format_idc, bit depths and scaling lists (§7.3.2.1.1). */
const HIGH_PROFILES: ReadonlySet<number> = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** aspect_ratio_idc meaning "explicit sar_width/sar_height follow" (Table E-1). */
const EXTENDED_SAR = 255;

/**
 * Parses a sequence parameter set.
 *
 * The VUI is read leniently: encoders exist that truncate it, so a VUI that ends early only leaves
 * the VUI fields (`timeScale`, `numUnitsInTick`, `maxNumReorderFrames`) unset, as ffmpeg does.
 *
 * @param nal - the whole NAL unit starting at its header byte (emulation prevention still in)
 * @returns the parsed fields
 * @throws S3HlsError with code BadSps naming what is wrong (not an SPS, truncated, value out of range)
 * @example
 * ```ts
 * const sps = parseSps(nal); // sps.codec === 'avc1.64001f', sps.width === 1280
 * ```
 */
export function parseSps(nal: Uint8Array): SpsInfo {
  if (nal.length < 4) throw new S3HlsError(ErrorCode.BadSps, `SPS too short: ${nal.length} bytes`);
  if ((nal[0] & 0x80) !== 0) throw new S3HlsError(ErrorCode.BadSps, 'SPS header has forbidden_zero_bit set');
  if (nalTypeOf(nal[0]) !== NalType.Sps) {
    throw new S3HlsError(ErrorCode.BadSps, `NAL unit type ${nalTypeOf(nal[0])} is not an SPS (7)`);
  }
  try {
    return readSps(new RbspReader(nal, 1));
  } catch (err) {
    if (err instanceof S3HlsError && err.code === ErrorCode.BadSps) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new S3HlsError(ErrorCode.BadSps, `SPS could not be parsed: ${why}`, { cause: err });
  }
}

/** Throws BadSps when `value` is outside `min..max`. */
function checkRange(name: string, value: number, min: number, max: number): number {
  if (value < min || value > max) throw new S3HlsError(ErrorCode.BadSps, `SPS ${name} ${value} outside ${min}..${max}`);
  return value;
}

/** seq_parameter_set_data() after the NAL header. */
/** The picture order count fields of an SPS (H.264 §7.3.2.1.1, from pic_order_cnt_type on). */
type PicOrderCountFields = Pick<
  SpsInfo,
  'picOrderCntType' | 'log2MaxPocLsb' | 'deltaPicOrderAlwaysZero' | 'offsetForNonRefPic' | 'offsetForTopToBottomField' | 'offsetsForRefFrame'
>;

function readPicOrderCount(r: RbspReader): PicOrderCountFields {
  const picOrderCntType = checkRange('pic_order_cnt_type', r.ue(), 0, 2);
  let log2MaxPocLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  let offsetForNonRefPic = 0;
  let offsetForTopToBottomField = 0;
  const offsetsForRefFrame: number[] = [];
  if (picOrderCntType === 0) {
    log2MaxPocLsb = checkRange('log2_max_pic_order_cnt_lsb_minus4', r.ue(), 0, 12) + 4;
  } else if (picOrderCntType === 1) {
    deltaPicOrderAlwaysZero = r.u1() === 1;
    offsetForNonRefPic = r.se();
    offsetForTopToBottomField = r.se();
    const cycle = checkRange('num_ref_frames_in_pic_order_cnt_cycle', r.ue(), 0, 255);
    for (let i = 0; i < cycle; i++) offsetsForRefFrame.push(r.se());
  }
  return { picOrderCntType, log2MaxPocLsb, deltaPicOrderAlwaysZero, offsetForNonRefPic, offsetForTopToBottomField, offsetsForRefFrame };
}

function readSps(r: RbspReader): SpsInfo {
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = checkRange('seq_parameter_set_id', r.ue(), 0, 31);
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = checkRange('chroma_format_idc', r.ue(), 0, 3);
    if (chromaFormatIdc === 3) separateColourPlane = r.u1() === 1;
    checkRange('bit_depth_luma_minus8', r.ue(), 0, 6);
    checkRange('bit_depth_chroma_minus8', r.ue(), 0, 6);
    r.u1(); // qpprime_y_zero_transform_bypass_flag
    if (r.u1() === 1) {
      // seq_scaling_matrix_present_flag: 6 4x4 lists + 2 (or 6 for 4:4:4) 8x8 lists.
      const count = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < count; i++) {
        if (r.u1() === 1) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  const log2MaxFrameNum = checkRange('log2_max_frame_num_minus4', r.ue(), 0, 12) + 4;
  const poc = readPicOrderCount(r);
  const maxNumRefFrames = checkRange('max_num_ref_frames', r.ue(), 0, 16);
  r.u1(); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = checkRange('pic_width_in_mbs_minus1', r.ue(), 0, 1023) + 1;
  const heightInMapUnits = checkRange('pic_height_in_map_units_minus1', r.ue(), 0, 1023) + 1;
  const frameMbsOnly = r.u1() === 1;
  if (!frameMbsOnly) r.u1(); // mb_adaptive_frame_field_flag
  r.u1(); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (r.u1() === 1) {
    cropLeft = r.ue();
    cropRight = r.ue();
    cropTop = r.ue();
    cropBottom = r.ue();
  }
  // Frame cropping in luma samples (§7.4.2.1.1, eqs. 7-19..7-22): CropUnitX/Y depend on ChromaArrayType.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = chromaArrayType === 0 ? fieldFactor : subHeightC * fieldFactor;
  const fullWidth = widthInMbs * 16;
  const fullHeight = heightInMapUnits * 16 * fieldFactor;
  const width = fullWidth - cropUnitX * (cropLeft + cropRight);
  const height = fullHeight - cropUnitY * (cropTop + cropBottom);
  if (width <= 0 || height <= 0) {
    throw new S3HlsError(ErrorCode.BadSps, `SPS frame cropping leaves ${width}x${height} of ${fullWidth}x${fullHeight}`);
  }
  const info: SpsInfo = {
    spsId,
    profileIdc,
    constraintFlags,
    levelIdc,
    chromaFormatIdc,
    separateColourPlane,
    log2MaxFrameNum,
    ...poc,
    maxNumRefFrames,
    frameMbsOnly,
    width,
    height,
    codec: `avc1.${hex2(profileIdc)}${hex2(constraintFlags)}${hex2(levelIdc)}`,
  };
  if (r.u1() === 1) readVuiLeniently(r, info);
  return info;
}

/** Two lowercase hex digits. */
function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** scaling_list() (§7.3.2.1.1.1): only the delta_scale codes need consuming. */
function skipScalingList(r: RbspReader, size: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < size; j++) {
    if (nextScale !== 0) {
      const deltaScale = r.se();
      nextScale = (lastScale + deltaScale + 256) % 256;
    }
    lastScale = nextScale === 0 ? lastScale : nextScale;
  }
}

/** vui_parameters() (E.1.1): timing and reorder fields are set on `info` once their group is read; a truncated VUI stops there. */
function readVuiLeniently(r: RbspReader, info: SpsInfo): void {
  try {
    if (r.u1() === 1) {
      // aspect_ratio_info_present_flag
      if (r.u(8) === EXTENDED_SAR) r.skip(32); // sar_width, sar_height
    }
    if (r.u1() === 1) r.u1(); // overscan_info_present_flag → overscan_appropriate_flag
    if (r.u1() === 1) {
      // video_signal_type_present_flag: video_format(3), video_full_range_flag(1)
      r.skip(4);
      if (r.u1() === 1) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
    }
    if (r.u1() === 1) {
      r.ue(); // chroma_sample_loc_type_top_field
      r.ue(); // chroma_sample_loc_type_bottom_field
    }
    let numUnitsInTick: number | undefined;
    let timeScale: number | undefined;
    if (r.u1() === 1) {
      numUnitsInTick = r.u(32);
      timeScale = r.u(32);
      r.u1(); // fixed_frame_rate_flag
    }
    const nalHrd = r.u1() === 1;
    if (nalHrd) skipHrd(r);
    const vclHrd = r.u1() === 1;
    if (vclHrd) skipHrd(r);
    if (nalHrd || vclHrd) r.u1(); // low_delay_hrd_flag
    r.u1(); // pic_struct_present_flag
    if (numUnitsInTick !== undefined && timeScale !== undefined && numUnitsInTick > 0 && timeScale > 0) {
      info.numUnitsInTick = numUnitsInTick;
      info.timeScale = timeScale;
    }
    if (r.u1() === 1) {
      // bitstream_restriction_flag
      r.u1(); // motion_vectors_over_pic_boundaries_flag
      r.ue(); // max_bytes_per_pic_denom
      r.ue(); // max_bits_per_mb_denom
      r.ue(); // log2_max_mv_length_horizontal
      r.ue(); // log2_max_mv_length_vertical
      const maxNumReorderFrames = r.ue();
      r.ue(); // max_dec_frame_buffering
      if (maxNumReorderFrames <= 16) info.maxNumReorderFrames = maxNumReorderFrames;
    }
  } catch (err) {
    if (!(err instanceof S3HlsError)) throw err;
    // Truncated VUI: keep what the mandatory part said.
  }
}

/** hrd_parameters() (E.1.2). */
function skipHrd(r: RbspReader): void {
  const cpbCnt = r.ue() + 1;
  if (cpbCnt > 32) throw new S3HlsError(ErrorCode.BadSps, `SPS cpb_cnt_minus1 ${cpbCnt - 1} outside 0..31`);
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < cpbCnt; i++) {
    r.ue(); // bit_rate_value_minus1
    r.ue(); // cpb_size_value_minus1
    r.u1(); // cbr_flag
  }
  r.skip(20); // initial_cpb_removal_delay_length_minus1, cpb_removal_delay_length_minus1, dpb_output_delay_length_minus1, time_offset_length
}
