/**
 * An independent structural checker for MPEG-2 transport streams, written from ISO/IEC 13818-1
 * (2019) and nothing else: it imports nothing from src/mpegts, parses every field itself and
 * computes CRC-32/MPEG-2 bit by bit (Annex A), so a shared misreading of the spec cannot hide a bug
 * in the muxer. ffmpeg does not check PSI CRCs and mux.js checks neither CRCs nor continuity
 * counters (../shared/TESTING.md), which is why this exists.
 *
 * What it checks (§ = ISO/IEC 13818-1):
 * - length a multiple of 188; sync_byte 0x47; transport_error_indicator 0; scrambling 00;
 *   adaptation_field_control ≠ 00 (§2.4.3.2-3)
 * - optionally, PAT then the PMT it names as the first two packets (RFC 8216 §3.5 segments)
 * - every section (PAT, CAT, PMT, and DVB SI on 0x10-0x1F) reassembled across packets, its CRC_32
 *   verified; PAT/PMT fields parsed; PMT's ES loop consistent; the PMT PID, PCR_PID and every
 *   elementary PID actually present as packets; no ES packets on PIDs the PMT does not list (§2.4.4)
 * - adaptation_field_length 0..182 with payload, 183 without; optional fields fit; stuffing 0xFF;
 *   PCR reserved bits and extension < 300 (§2.4.3.4-5)
 * - continuity_counter per PID: +1 on packets with payload, unchanged on packets without, a jump
 *   allowed only with discontinuity_indicator, one identical duplicate allowed; carried across
 *   segments through {@link TsCheckState} (§2.4.3.3)
 * - PCR only on PCR_PID; consecutive PCRs (also across segments) ≤ maxPcrGapMs apart and moving
 *   forward unless discontinuity_indicator is set (§2.4.3.5, §2.7.2)
 * - PES: payload_unit_start_indicator only with payload; packet_start_code_prefix 00 00 01;
 *   '10' bits; PTS_DTS_flags ≠ 01; PTS/DTS prefixes and marker bits; PES_header_data_length large
 *   enough; a non-zero PES_packet_length equal to the bytes actually carried (§2.4.3.6-7)
 */

import { concat, crc32Mpeg2Bitwise, hasOptionalHeader, hex, PACKET, readTimestamp, sameBytes } from './ts-bits.js';

export { crc32Mpeg2Bitwise };

/** What {@link checkTransportStream} found. */
export interface TsCheckResult {
  /** One human-readable line per violation (packet index and PID first); empty when the stream is clean. */
  errors: string[];
  /** Number of 188-byte packets. */
  packets: number;
  /** Packets per PID. */
  pids: Map<number, number>;
  /** Every PCR in stream order, in 90 kHz units (base + extension / 300). */
  pcrs90k: number[];
  /** PES packets started per PID. */
  pesCount: Map<number, number>;
  /** PTS (90 kHz) of the first PES of each PID. */
  firstPesPts: Map<number, number>;
}

/** What must carry over from one segment to the next of the same stream. Mutated in place. */
export interface TsCheckState {
  /** Last continuity_counter seen per PID. */
  cc: Map<number, number>;
  /** Last PCR seen (90 kHz units). */
  lastPcr?: number;
}

/** Options of {@link checkTransportStream}. */
export interface TsCheckOptions {
  /** Carry CC and PCR across calls (segments of one stream). @defaultValue a fresh state */
  state?: TsCheckState;
  /** Largest allowed interval between consecutive PCRs, in milliseconds. @defaultValue 100 (§2.7.2) */
  maxPcrGapMs?: number;
  /** Require the PAT then the PMT as packets 0 and 1. @defaultValue true */
  requirePatPmtFirst?: boolean;
}

const MAX_ERRORS = 200;
const WRAP_33 = 2 ** 33;

/** A section being reassembled on one PID. */
interface SectionCollector {
  bytes: number[];
}

/** A PES being followed on one PID. */
interface PesState {
  startPacket: number;
  /** Bytes from packet_start_code_prefix on, carried so far. */
  carried: number;
  /** PES_packet_length; -1 until read. */
  declared: number;
  /** Header bytes collected until the header can be parsed. */
  header: number[];
  headerDone: boolean;
  overflowReported: boolean;
}

/**
 * Checks a transport stream (one segment, or several parts of one segment in order).
 *
 * @param bytes - the stream, or its parts in order (e.g. the two spans of a pool-wrapped segment)
 * @param options - carried state and limits
 * @returns the findings; `errors` is empty for a clean stream
 */
export function checkTransportStream(bytes: Uint8Array | readonly Uint8Array[], options: TsCheckOptions = {}): TsCheckResult {
  const data = bytes instanceof Uint8Array ? bytes : concat(bytes);
  const state: TsCheckState = options.state ?? { cc: new Map() };
  const maxPcrGap90k = (options.maxPcrGapMs ?? 100) * 90;
  const requireFirst = options.requirePatPmtFirst ?? true;

  const errors: string[] = [];
  let suppressed = 0;
  const result: TsCheckResult = { errors, packets: 0, pids: new Map(), pcrs90k: [], pesCount: new Map(), firstPesPts: new Map() };
  const err = (i: number, pid: number, msg: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(`packet ${i} (pid ${pid < 0 ? '?' : hex(pid)}): ${msg}`);
    else suppressed++;
  };

  if (data.length % PACKET !== 0) err(-1, -1, `stream length ${data.length} is not a multiple of 188 (${data.length % PACKET} extra bytes)`);
  const count = Math.floor(data.length / PACKET);
  result.packets = count;

  const pmtPids = new Set<number>();
  const esPids = new Map<number, number>(); // PID → stream_type
  let pcrPid = -1;
  const pcrPidsSeen = new Set<number>();
  const sections = new Map<number, SectionCollector | null>();
  const pes = new Map<number, PesState>();
  const lastPacketAt = new Map<number, number>();

  const isSectionPid = (pid: number): boolean => pid <= 0x1f || pmtPids.has(pid);

  const finishPes = (pid: number, st: PesState, where: string): void => {
    if (!st.headerDone) err(st.startPacket, pid, `PES header incomplete (${st.carried} bytes) ${where}`);
    else if (st.declared > 0 && st.carried !== st.declared + 6) {
      err(st.startPacket, pid, `PES_packet_length ${st.declared} announces ${st.declared + 6} bytes but ${st.carried} were carried ${where}`);
    }
  };

  const parsePesHeader = (i: number, pid: number, st: PesState): void => {
    const h = st.header;
    if (h.length < 6) return;
    if (h[0] !== 0 || h[1] !== 0 || h[2] !== 1) {
      err(i, pid, `PES does not start with packet_start_code_prefix 00 00 01 (got ${h.slice(0, 3).map(hex).join(' ')})`);
      st.headerDone = true;
      st.declared = 0;
      return;
    }
    const streamId = h[3];
    st.declared = h[4] * 256 + h[5];
    if (!hasOptionalHeader(streamId)) {
      st.headerDone = true;
      return;
    }
    if (h.length < 9) return;
    const hdl = h[8];
    if (h.length < 9 + hdl) return;
    st.headerDone = true;
    if ((h[6] & 0xc0) !== 0x80) err(i, pid, `PES header byte 6 must start with '10', got ${hex(h[6])}`);
    const flags = h[7] >> 6;
    if (flags === 1) err(i, pid, `PTS_DTS_flags '01' is forbidden`);
    const need = flags === 3 ? 10 : flags === 2 ? 5 : 0;
    if (hdl < need) {
      err(i, pid, `PES_header_data_length ${hdl} too small for PTS_DTS_flags ${flags}`);
      return;
    }
    if (flags >= 2) {
      const pts = readTimestamp(h, 9, flags === 3 ? 0b0011 : 0b0010, (m) => err(i, pid, `PTS ${m}`));
      if (!result.firstPesPts.has(pid)) result.firstPesPts.set(pid, pts);
    }
    if (flags === 3) readTimestamp(h, 14, 0b0001, (m) => err(i, pid, `DTS ${m}`));
  };

  const feedPes = (i: number, pid: number, pusi: boolean, from: number, to: number): void => {
    let st = pes.get(pid);
    if (pusi) {
      if (st) finishPes(pid, st, `before the next PES started at packet ${i}`);
      st = { startPacket: i, carried: 0, declared: -1, header: [], headerDone: false, overflowReported: false };
      pes.set(pid, st);
      result.pesCount.set(pid, (result.pesCount.get(pid) ?? 0) + 1);
    }
    if (!st) return; // payload before the first PUSI of this PID: the tail of a PES we joined late
    if (!st.headerDone) {
      for (let k = from; k < to && st.header.length < 9 + 255; k++) st.header.push(data[k]);
      parsePesHeader(i, pid, st);
    }
    st.carried += to - from;
    if (st.headerDone && st.declared > 0 && st.carried > st.declared + 6 && !st.overflowReported) {
      st.overflowReported = true;
      err(i, pid, `PES carries more than the ${st.declared + 6} bytes PES_packet_length announces`);
    }
  };

  const processSection = (i: number, pid: number, s: Uint8Array): void => {
    const tableId = s[0];
    const ssi = (s[1] & 0x80) !== 0;
    const len = ((s[1] & 0x0f) << 8) | s[2];
    if (ssi) {
      const computed = crc32Mpeg2Bitwise(s, 0, s.length - 4);
      const stored = ((s[s.length - 4] << 24) | (s[s.length - 3] << 16) | (s[s.length - 2] << 8) | s[s.length - 1]) >>> 0;
      if (computed !== stored) {
        err(i, pid, `CRC_32 of table_id ${hex(tableId)} section is ${hex(stored)}, computed ${hex(computed)}`);
        return;
      }
    }
    if (tableId === 0x00 || tableId === 0x02) {
      if (!ssi) err(i, pid, `table_id ${hex(tableId)} needs section_syntax_indicator 1`);
      if ((s[1] & 0x40) !== 0) err(i, pid, `table_id ${hex(tableId)}: the bit after section_syntax_indicator must be '0'`);
      if (len > 1021) err(i, pid, `section_length ${len} > 1021`);
      if ((s[5] & 0x01) === 0) return; // current_next_indicator 0: not yet applicable
    }
    if (tableId === 0x00) {
      if (pid !== 0) err(i, pid, `program_association_section outside PID 0`);
      for (let p = 8; p + 4 <= s.length - 4; p += 4) {
        const program = (s[p] << 8) | s[p + 1];
        const mapPid = ((s[p + 2] & 0x1f) << 8) | s[p + 3];
        if ((s[p + 2] & 0xe0) !== 0xe0) err(i, pid, `PAT reserved bits before PID of program ${program} are not '111'`);
        if (program !== 0) pmtPids.add(mapPid);
      }
      if ((s.length - 12) % 4 !== 0) err(i, pid, `PAT program loop is ${s.length - 12} bytes, not a multiple of 4`);
    } else if (tableId === 0x02) {
      if (!pmtPids.has(pid)) err(i, pid, `TS_program_map_section on a PID the PAT does not name`);
      pcrPid = ((s[8] & 0x1f) << 8) | s[9];
      const infoLength = ((s[10] & 0x0f) << 8) | s[11];
      let p = 12 + infoLength;
      const end = s.length - 4;
      while (p + 5 <= end) {
        const streamType = s[p];
        const esPid = ((s[p + 1] & 0x1f) << 8) | s[p + 2];
        const esInfo = ((s[p + 3] & 0x0f) << 8) | s[p + 4];
        if (esPid < 0x10 || esPid === 0x1fff) err(i, pid, `PMT lists stream_type ${hex(streamType)} on reserved PID ${hex(esPid)}`);
        esPids.set(esPid, streamType);
        p += 5 + esInfo;
      }
      if (p !== end) err(i, pid, `PMT elementary stream loop ends at byte ${p}, section CRC at ${end}`);
    }
  };

  /** Feeds section bytes `[from, to)`; `startAllowed` when PUSI put a section start in this packet. */
  const feedSections = (i: number, pid: number, from: number, to: number, startAllowed: boolean): void => {
    let k = from;
    while (k < to) {
      let c = sections.get(pid) ?? null;
      if (c === null) {
        if (!startAllowed) return; // no section in progress: bytes after a section's end are stuffing
        if (data[k] === 0xff) {
          for (let q = k; q < to; q++) {
            if (data[q] !== 0xff) {
              err(i, pid, `PSI stuffing byte at ${q - i * PACKET} is ${hex(data[q])}, not 0xff`);
              break;
            }
          }
          return;
        }
        c = { bytes: [] };
        sections.set(pid, c);
      }
      const b = c.bytes;
      while (k < to && (b.length < 3 || b.length < 3 + (((b[1] & 0x0f) << 8) | b[2]))) b.push(data[k++]);
      if (b.length >= 3 && b.length === 3 + (((b[1] & 0x0f) << 8) | b[2])) {
        sections.set(pid, null);
        processSection(i, pid, Uint8Array.from(b));
      }
    }
  };

  for (let i = 0; i < count; i++) {
    const o = i * PACKET;
    if (data[o] !== 0x47) {
      err(i, -1, `sync_byte is ${hex(data[o])}, not 0x47`);
      continue;
    }
    const b1 = data[o + 1];
    const pid = ((b1 & 0x1f) << 8) | data[o + 2];
    const pusi = (b1 & 0x40) !== 0;
    const b3 = data[o + 3];
    const afc = (b3 >> 4) & 0x03;
    const cc = b3 & 0x0f;
    result.pids.set(pid, (result.pids.get(pid) ?? 0) + 1);
    if (b1 & 0x80) err(i, pid, `transport_error_indicator is set`);
    if (b3 & 0xc0) err(i, pid, `transport_scrambling_control is ${(b3 >> 6) & 3}, expected 00`);
    if (afc === 0) {
      err(i, pid, `adaptation_field_control 00 is reserved`);
      continue;
    }
    const hasPayload = (afc & 1) === 1;
    const hasAf = (afc & 2) === 2;

    if (requireFirst && i === 0 && (pid !== 0 || !pusi)) err(i, pid, `first packet is not the PAT`);
    if (requireFirst && i === 1 && !pmtPids.has(pid)) err(i, pid, `second packet is not the PMT (PAT names ${[...pmtPids].map(hex).join(', ') || 'none'})`);

    // Adaptation field (§2.4.3.4-5).
    let payloadStart = o + 4;
    let discontinuity = false;
    if (hasAf) {
      const afl = data[o + 4];
      const maxAfl = hasPayload ? 182 : 183;
      if (hasPayload ? afl > 182 : afl !== 183) {
        err(i, pid, `adaptation_field_length ${afl} with${hasPayload ? '' : 'out'} payload (must be ${hasPayload ? '0..182' : '183'})`);
        if (afl > maxAfl) continue;
      }
      payloadStart = o + 5 + afl;
      if (afl > 0) {
        const flags = data[o + 5];
        discontinuity = (flags & 0x80) !== 0;
        let p = o + 6;
        const end = o + 5 + afl;
        if (flags & 0x10) {
          if (p + 6 > end) err(i, pid, `PCR_flag set but adaptation_field_length ${afl} leaves no room`);
          else {
            const base = data[p] * 2 ** 25 + data[p + 1] * 2 ** 17 + data[p + 2] * 2 ** 9 + data[p + 3] * 2 + (data[p + 4] >> 7);
            const ext = ((data[p + 4] & 0x01) << 8) | data[p + 5];
            if ((data[p + 4] & 0x7e) !== 0x7e) err(i, pid, `PCR reserved bits are not '111111'`);
            if (ext >= 300) err(i, pid, `program_clock_reference_extension ${ext} ≥ 300`);
            const pcr = base + ext / 300;
            result.pcrs90k.push(pcr);
            pcrPidsSeen.add(pid);
            if (pcrPid >= 0 && pid !== pcrPid) err(i, pid, `PCR on a PID other than PCR_PID ${hex(pcrPid)}`);
            if (state.lastPcr !== undefined && !discontinuity) {
              let gap = pcr - state.lastPcr;
              if (gap < -WRAP_33 / 2) gap += WRAP_33; // 33-bit wrap of the base
              if (gap < 0) err(i, pid, `PCR went backwards by ${(-gap / 90).toFixed(3)} ms without discontinuity_indicator`);
              else if (gap > maxPcrGap90k) err(i, pid, `PCR gap ${(gap / 90).toFixed(3)} ms > ${maxPcrGap90k / 90} ms`);
            }
            state.lastPcr = pcr;
          }
          p += 6;
        }
        if (flags & 0x08) p += 6; // OPCR
        if (flags & 0x04) p += 1; // splice_countdown
        if (flags & 0x02) p += 1 + (p < end ? data[p] : 0); // transport_private_data
        if (flags & 0x01) p += 1 + (p < end ? data[p] : 0); // adaptation_field_extension
        if (p > end) err(i, pid, `adaptation field optional fields need ${p - o - 5} bytes, adaptation_field_length is ${afl}`);
        for (let q = p; q < end; q++) {
          if (data[q] !== 0xff) {
            err(i, pid, `adaptation field stuffing byte at ${q - o} is ${hex(data[q])}, not 0xff`);
            break;
          }
        }
      }
    }

    // Continuity counter (§2.4.3.3). The null packet PID carries no meaningful counter.
    let duplicate = false;
    if (pid !== 0x1fff) {
      const last = state.cc.get(pid);
      if (last !== undefined && !discontinuity) {
        if (hasPayload) {
          if (cc === last) {
            const prev = lastPacketAt.get(pid);
            duplicate = prev !== undefined && sameBytes(data, prev, o);
            if (!duplicate) err(i, pid, `continuity_counter ${cc} repeats without being a duplicate packet`);
          } else if (cc !== ((last + 1) & 0x0f)) err(i, pid, `continuity_counter ${cc} after ${last} (expected ${(last + 1) & 0x0f})`);
        } else if (cc !== last) err(i, pid, `continuity_counter changed from ${last} to ${cc} on a packet without payload`);
      }
      state.cc.set(pid, cc);
      lastPacketAt.set(pid, o);
    }

    if (pusi && !hasPayload) err(i, pid, `payload_unit_start_indicator set on a packet without payload`);
    if (!hasPayload || duplicate || pid === 0x1fff) continue;
    const payloadEnd = o + PACKET;
    if (isSectionPid(pid)) {
      if (pusi) {
        const pointer = data[payloadStart];
        const sectionStart = payloadStart + 1 + pointer;
        if (sectionStart > payloadEnd) {
          err(i, pid, `pointer_field ${pointer} points past the packet`);
          continue;
        }
        if (pointer > 0) feedSections(i, pid, payloadStart + 1, sectionStart, false);
        else if (sections.get(pid)) err(i, pid, `a section was cut short by a new section start`);
        sections.set(pid, null);
        feedSections(i, pid, sectionStart, payloadEnd, true);
      } else feedSections(i, pid, payloadStart, payloadEnd, false);
    } else {
      feedPes(i, pid, pusi, payloadStart, payloadEnd);
    }
  }

  // End of the stream: the last PES of every PID must be complete; the PMT must match the packets.
  for (const [pid, st] of pes) finishPes(pid, st, 'at the end of the stream');
  for (const [pid, c] of sections) if (c) err(count, pid, `section incomplete at the end of the stream (${c.bytes.length} bytes)`);
  if (requireFirst || pmtPids.size > 0) {
    for (const p of pmtPids) if (!result.pids.has(p)) err(count, p, `the PAT names PMT PID ${hex(p)} but no packet carries it`);
    for (const [p, type] of esPids) if (!result.pids.has(p)) err(count, p, `the PMT lists stream_type ${hex(type)} on ${hex(p)} but no packet carries it`);
    if (pcrPid >= 0 && pcrPid !== 0x1fff && !result.pids.has(pcrPid)) err(count, pcrPid, `PCR_PID ${hex(pcrPid)} carries no packet`);
    for (const p of pcrPidsSeen) if (p !== pcrPid) err(count, p, `PCR carried on ${hex(p)}, PCR_PID is ${hex(pcrPid)}`);
    for (const p of result.pids.keys()) {
      if (!isSectionPid(p) && p !== 0x1fff && !esPids.has(p)) err(count, p, `packets on a PID the PMT does not list`);
    }
  }
  if (suppressed > 0) errors.push(`... and ${suppressed} more errors`);
  return result;
}
