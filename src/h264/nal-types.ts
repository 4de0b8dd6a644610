/**
 * H.264 NAL unit types (ITU-T H.264 Table 7-1) that s3hls acts on.
 * nal_unit_type is the low 5 bits of the NAL header byte; forbidden_zero_bit is bit 7 and must be 0.
 */
export const NalType = {
  /** Coded slice of a non-IDR picture. */
  Slice: 1,
  /** Coded slice data partition A (partitions B, C are 3 and 4). */
  SliceDataA: 2,
  /** Coded slice of an IDR picture: a segment may start here. */
  Idr: 5,
  /** Supplemental enhancement information. */
  Sei: 6,
  /** Sequence parameter set. */
  Sps: 7,
  /** Picture parameter set. */
  Pps: 8,
  /** Access unit delimiter: exactly one starts every access unit we write. */
  Aud: 9,
  /** End of sequence. */
  EndOfSequence: 10,
  /** End of stream. */
  EndOfStream: 11,
  /** Filler data. */
  Filler: 12,
  /** Sequence parameter set extension. */
  SpsExtension: 13,
  /** Prefix NAL unit (SVC). */
  Prefix: 14,
  /** Subset sequence parameter set. */
  SubsetSps: 15,
} as const;

/** nal_unit_type of a NAL header byte. */
export function nalTypeOf(headerByte: number): number {
  return headerByte & 0x1f;
}

/** True for VCL NAL units (coded slices, types 1-5). */
export function isVcl(type: number): boolean {
  return type >= 1 && type <= 5;
}
