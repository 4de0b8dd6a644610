/**
 * Program Specific Information: the PAT and the PMT (ISO/IEC 13818-1 §2.4.4), each one section in
 * one TS packet.
 *
 * Every segment begins with a PAT and a PMT (RFC 8216 §3.5 asks for them in every segment that
 * starts without a preceding EXT-X-MAP, because a player may start at any segment). Our sections are
 * short (PAT 16 bytes, PMT ≤ 27), so each fits one packet behind pointer_field = 0; the rest of the
 * packet is 0xFF, which a decoder reads as stuffing after the last section (§2.4.4.1,
 * table_id 0xFF). The PAT never changes (version_number 0); the PMT's version_number follows its
 * content (see writePmt).
 */

import { crc32Mpeg2 } from './crc32.js';
import { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO, PROGRAM_NUMBER, STREAM_TYPE_AAC_ADTS, STREAM_TYPE_H264, SYNC_BYTE, TRANSPORT_STREAM_ID, TS_PACKET_SIZE } from './constants.js';
import type { ContinuityCounters } from './continuity-counters.js';

/** The elementary streams a program carries. */
export interface PmtTracks {
  /** True when the program has the H.264 stream on {@link PID_VIDEO}. */
  readonly video: boolean;
  /** True when the program has the AAC (ADTS) stream on {@link PID_AUDIO}. */
  readonly audio: boolean;
}

/**
 * Writes the 4-byte TS header of a PSI packet plus pointer_field; returns the section's offset.
 * §2.4.3.2 Table 2-2: payload_unit_start_indicator = 1 (a section starts here),
 * adaptation_field_control = 01 (payload only).
 */
function writePsiHeader(dest: Uint8Array, offset: number, pid: number, cc: ContinuityCounters): number {
  dest[offset] = SYNC_BYTE;
  dest[offset + 1] = 0x40 | (pid >> 8); // transport_error 0, PUSI 1, priority 0, PID[12..8]
  dest[offset + 2] = pid & 0xff; // PID[7..0]
  dest[offset + 3] = 0x10 | cc.next(pid); // scrambling 00, adaptation_field_control 01, CC
  dest[offset + 4] = 0; // pointer_field: the section starts right after it (§2.4.4.2)
  return offset + 5;
}

/**
 * Ends a section at `sectionEnd` with its CRC_32 and fills the packet with 0xFF stuffing.
 * @returns nothing; the packet `[packetStart, packetStart + 188)` is complete
 */
function finishSection(dest: Uint8Array, packetStart: number, sectionStart: number, sectionEnd: number): void {
  const crc = crc32Mpeg2(dest, sectionStart, sectionEnd);
  dest[sectionEnd] = Math.floor(crc / 2 ** 24);
  dest[sectionEnd + 1] = (crc >>> 16) & 0xff;
  dest[sectionEnd + 2] = (crc >>> 8) & 0xff;
  dest[sectionEnd + 3] = crc & 0xff;
  dest.fill(0xff, sectionEnd + 4, packetStart + TS_PACKET_SIZE);
}

/**
 * Writes one 188-byte packet holding the Program Association Table (§2.4.4.3, Table 2-30) with
 * one program, {@link PROGRAM_NUMBER}, whose PMT is on {@link PID_PMT}.
 *
 * @param dest - the buffer (the pool); `dest[offset, offset + 188)` is overwritten
 * @param offset - where the packet starts
 * @param cc - the stream's continuity counters (PID 0 advances by one)
 * @throws RangeError when the packet does not fit in `dest`
 */
export function writePat(dest: Uint8Array, offset: number, cc: ContinuityCounters): void {
  checkRoom(dest, offset, 'writePat');
  const s = writePsiHeader(dest, offset, PID_PAT, cc);
  dest[s] = 0x00; // table_id: program_association_section
  // section_syntax_indicator 1, '0', reserved 11, section_length[11..8]. section_length counts the
  // bytes after it: 5 (ts id .. last_section_number) + 4 per program + 4 (CRC_32) = 13.
  dest[s + 1] = 0xb0;
  dest[s + 2] = 13; // section_length[7..0]
  dest[s + 3] = TRANSPORT_STREAM_ID >> 8; // transport_stream_id
  dest[s + 4] = TRANSPORT_STREAM_ID & 0xff;
  dest[s + 5] = 0xc1; // reserved 11, version_number 00000, current_next_indicator 1
  dest[s + 6] = 0; // section_number
  dest[s + 7] = 0; // last_section_number
  dest[s + 8] = PROGRAM_NUMBER >> 8; // program_number
  dest[s + 9] = PROGRAM_NUMBER & 0xff;
  dest[s + 10] = 0xe0 | (PID_PMT >> 8); // reserved 111, program_map_PID[12..8]
  dest[s + 11] = PID_PMT & 0xff; // program_map_PID[7..0]
  finishSection(dest, offset, s, s + 12);
}

/**
 * Writes one 188-byte packet holding the Program Map Table (§2.4.4.8, Table 2-33) of
 * {@link PROGRAM_NUMBER}, listing only the tracks present: H.264 (stream_type 0x1B) on
 * {@link PID_VIDEO}, then AAC ADTS (0x0F) on {@link PID_AUDIO}. PCR_PID is the video PID when there
 * is video, else the audio PID: the PCR rides on the stream the muxer writes most often at segment
 * starts.
 *
 * @param dest - the buffer (the pool); `dest[offset, offset + 188)` is overwritten
 * @param offset - where the packet starts
 * @param cc - the stream's continuity counters ({@link PID_PMT} advances by one)
 * @param tracks - which elementary streams exist
 * @throws TypeError when `tracks` has neither video nor audio
 * @throws RangeError when the packet does not fit in `dest`
 */
export function writePmt(dest: Uint8Array, offset: number, cc: ContinuityCounters, tracks: PmtTracks): void {
  if (!tracks.video && !tracks.audio) throw new TypeError('writePmt: tracks must have video or audio, got neither');
  checkRoom(dest, offset, 'writePmt');
  const streams = (tracks.video ? 1 : 0) + (tracks.audio ? 1 : 0);
  const pcrPid = tracks.video ? PID_VIDEO : PID_AUDIO;
  const s = writePsiHeader(dest, offset, PID_PMT, cc);
  dest[s] = 0x02; // table_id: TS_program_map_section
  // section_syntax_indicator 1, '0', reserved 11, section_length[11..8]. section_length =
  // 9 (program_number .. program_info_length) + 5 per stream (no descriptors) + 4 (CRC_32).
  dest[s + 1] = 0xb0;
  dest[s + 2] = 13 + 5 * streams;
  dest[s + 3] = PROGRAM_NUMBER >> 8; // program_number
  dest[s + 4] = PROGRAM_NUMBER & 0xff;
  // reserved 11, version_number, current_next_indicator 1. The PMT's content depends on the tracks a
  // segment carries (video only, or video and audio): each content gets its own version_number, as
  // §2.4.4.9 asks of a table that changes, so a demuxer that reads segments as one stream and skips a
  // PMT whose version it has seen still notices (ffmpeg 5.1 also compares the CRC). Audio only: 0.
  const version = tracks.video && tracks.audio ? 1 : 0;
  dest[s + 5] = 0xc1 | (version << 1);
  dest[s + 6] = 0; // section_number (always 0 for a PMT)
  dest[s + 7] = 0; // last_section_number
  dest[s + 8] = 0xe0 | (pcrPid >> 8); // reserved 111, PCR_PID[12..8]
  dest[s + 9] = pcrPid & 0xff; // PCR_PID[7..0]
  dest[s + 10] = 0xf0; // reserved 1111, program_info_length[11..8] = 0 (no program descriptors)
  dest[s + 11] = 0; // program_info_length[7..0]
  let p = s + 12;
  if (tracks.video) p = writeEsEntry(dest, p, STREAM_TYPE_H264, PID_VIDEO);
  if (tracks.audio) p = writeEsEntry(dest, p, STREAM_TYPE_AAC_ADTS, PID_AUDIO);
  finishSection(dest, offset, s, p);
}

/** One elementary stream entry of the PMT loop (5 bytes, no descriptors); returns the next offset. */
function writeEsEntry(dest: Uint8Array, p: number, streamType: number, pid: number): number {
  dest[p] = streamType; // stream_type
  dest[p + 1] = 0xe0 | (pid >> 8); // reserved 111, elementary_PID[12..8]
  dest[p + 2] = pid & 0xff; // elementary_PID[7..0]
  dest[p + 3] = 0xf0; // reserved 1111, ES_info_length[11..8] = 0
  dest[p + 4] = 0; // ES_info_length[7..0]
  return p + 5;
}

function checkRoom(dest: Uint8Array, offset: number, fn: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + TS_PACKET_SIZE > dest.length) {
    throw new RangeError(`${fn}: offset ${offset} leaves no room for a 188-byte packet in a ${dest.length}-byte buffer`);
  }
}
