/**
 * The PES packet header s3hls writes (ISO/IEC 13818-1 §2.4.3.6-2.4.3.7, Table 2-21).
 *
 * ```
 * 00 00 01            packet_start_code_prefix
 * sid                 stream_id (0xE0 video, 0xC0 audio)
 * LL LL               PES_packet_length
 * 0x84                '10', PES_scrambling_control 00, PES_priority 0, data_alignment_indicator 1,
 *                     copyright 0, original_or_copy 0
 * 0x80 | 0xC0         PTS_DTS_flags '10' (PTS) or '11' (PTS+DTS); ESCR, ES_rate, DSM_trick_mode,
 *                     additional_copy_info, PES_CRC, PES_extension flags all 0
 * 05 | 0A             PES_header_data_length
 * PTS (5) [DTS (5)]
 * ```
 * data_alignment_indicator is 1 because the muxer starts every PES with an access unit: the AUD of
 * an H.264 access unit (§2.4.3.7 and Table 2-53, alignment type 02) or the syncword of an ADTS frame.
 * No PES-level stuffing is ever written: TS packets are padded in their adaptation field instead.
 */

import { writeTimestamp } from './timestamps.js';

/** The fields of a PES header that vary. */
export interface PesHeaderFields {
  /** stream_id, e.g. 0xE0 (video) or 0xC0 (audio). */
  readonly streamId: number;
  /** Presentation time stamp in 90 kHz ticks (wrapped modulo 2^33 when written). */
  readonly pts90k: number;
  /** Decoding time stamp in 90 kHz ticks; equal to `pts90k` → no DTS field (§2.4.3.7: a DTS equal to the PTS shall not be coded). */
  readonly dts90k: number;
}

/** Bytes of a PES header with PTS only: 6 fixed + 3 flag/length bytes + 5 PTS. */
export const PES_HEADER_BYTES_PTS = 14;

/** Bytes of a PES header with PTS and DTS: 6 fixed + 3 flag/length bytes + 5 PTS + 5 DTS. */
export const PES_HEADER_BYTES_PTS_DTS = 19;

/** Largest value of the 16-bit PES_packet_length field. */
export const PES_PACKET_LENGTH_MAX = 0xffff;

/**
 * Length of the PES header written by {@link writePesHeader}.
 *
 * @param hasDts - true when a DTS field follows the PTS
 * @returns 19 with DTS, 14 without
 */
export function pesHeaderLength(hasDts: boolean): number {
  return hasDts ? PES_HEADER_BYTES_PTS_DTS : PES_HEADER_BYTES_PTS;
}

/**
 * The PES_packet_length to write: the number of bytes that follow the field (§2.4.3.7).
 *
 * Bounded (audio) streams always get the exact value. Unbounded (video) streams get the exact value
 * when it fits in 16 bits and 0 otherwise: 0 means "unspecified length", which the spec allows only
 * for video elementary streams carried in transport stream packets. An exact value whenever possible
 * lets a demuxer (and our checker) verify that no byte was lost. (FFmpeg writes 0 for all video by
 * default, `-omit_video_pes_length 1`; both are conforming.)
 *
 * @param headerBytes - the PES header length, {@link pesHeaderLength}
 * @param payloadBytes - the elementary stream bytes after the header
 * @param boundedLength - true when the length must be exact (audio)
 * @returns the field value, 0..65535
 * @throws RangeError when `boundedLength` is true and the PES is longer than 65535 + 6 bytes
 */
export function pesPacketLength(headerBytes: number, payloadBytes: number, boundedLength: boolean): number {
  const len = headerBytes - 6 + payloadBytes;
  if (len <= PES_PACKET_LENGTH_MAX) return len;
  if (boundedLength) {
    throw new RangeError(`PES_packet_length ${len} exceeds 65535 with boundedLength: true (payload ${payloadBytes} bytes); split the audio into smaller PES packets`);
  }
  return 0;
}

/**
 * Writes a PES header at `dest[offset]`.
 *
 * @param dest - the buffer (usually the first TS packet of the PES, in the pool)
 * @param offset - where packet_start_code_prefix goes
 * @param pes - stream_id and timestamps (a {@link PesWrite} fits)
 * @param packetLength - the PES_packet_length value, from {@link pesPacketLength}
 * @returns bytes written: {@link pesHeaderLength}(pes.dts90k !== pes.pts90k)
 * @throws RangeError when a timestamp is not a safe integer
 */
export function writePesHeader(dest: Uint8Array, offset: number, pes: PesHeaderFields, packetLength: number): number {
  // The timestamps are read here, from the object, rather than passed as arguments: values of 2^31
  // and more are heap numbers in V8, and passing one to a function that is not inlined allocates a
  // box (measured: 48 bytes per PES at timestamps above 2^31, see packetizer-alloc.test.ts).
  const pts90k = pes.pts90k;
  const dts90k = pes.dts90k;
  const streamId = pes.streamId;
  const hasDts = dts90k !== pts90k;
  dest[offset] = 0x00; // packet_start_code_prefix 0x000001
  dest[offset + 1] = 0x00;
  dest[offset + 2] = 0x01;
  dest[offset + 3] = streamId; // stream_id
  dest[offset + 4] = packetLength >> 8; // PES_packet_length (≤ 0xFFFF, so bit operators are safe)
  dest[offset + 5] = packetLength & 0xff;
  dest[offset + 6] = 0x84; // '10', scrambling 00, priority 0, data_alignment_indicator 1, copyright 0, original 0
  dest[offset + 7] = hasDts ? 0xc0 : 0x80; // PTS_DTS_flags, other optional-field flags 0
  dest[offset + 8] = hasDts ? 10 : 5; // PES_header_data_length
  writeTimestamp(dest, offset + 9, hasDts ? 0b0011 : 0b0010, pts90k);
  if (hasDts) writeTimestamp(dest, offset + 14, 0b0001, dts90k);
  return hasDts ? PES_HEADER_BYTES_PTS_DTS : PES_HEADER_BYTES_PTS;
}
