/**
 * A small MPEG-TS demuxer for what ffmpeg writes to a pipe: PAT → PMT → one H.264 and one AAC (ADTS)
 * elementary stream, reassembled into PES payloads with their PTS/DTS (ISO/IEC 13818-1 §2.4.3).
 *
 * It exists so the ffmpeg source keeps the *source's* timestamps (B-frames, RTSP clocks) without a
 * runtime dependency on mux.js. Input may arrive in chunks of any size; packets split across chunks
 * are carried over. Payload buffers are reused, so a frame's bytes are valid only during the
 * callback (the stream copies them before `putVideoFrame` returns).
 */

/** TS packet size (§2.4.3.2). */
export const TS_PACKET_SIZE = 188;
const SYNC_BYTE = 0x47;
const PAT_PID = 0x0000;
/** stream_type values (§2.4.4.9 Table 2-34; 0x1b from ITU-T H.222.0 Amd. 3). */
const STREAM_TYPE_H264 = 0x1b;
const STREAM_TYPE_AAC_ADTS = 0x0f;
/** 2^33: PTS/DTS are 33-bit counters (§2.4.3.7). Arithmetic only: the values pass 2^31. */
const PTS_MODULO = 8_589_934_592;
const HALF_PTS_MODULO = PTS_MODULO / 2;

/** One reassembled PES payload. `bytes` is a view of a reused buffer: valid during the callback. */
export interface DemuxedPes {
  /** The elementary stream bytes (Annex B access unit, or ADTS frames). */
  readonly bytes: Uint8Array;
  /** PTS, 90 kHz ticks, unwrapped across 33-bit wraps (monotonic for a monotonic source). */
  readonly pts90k: number;
  /** DTS, 90 kHz ticks, unwrapped; equals `pts90k` when the PES had no DTS. */
  readonly dts90k: number;
}

/** Callbacks of {@link TsDemuxer}. */
export interface TsDemuxerHandlers {
  /** One H.264 access unit (ffmpeg writes one per PES). */
  readonly onVideo: (pes: DemuxedPes) => void;
  /** One PES of AAC ADTS frames (ffmpeg groups several frames per PES). */
  readonly onAudio?: (pes: DemuxedPes) => void;
  /** A problem in the stream (lost sync, PES without PTS); demuxing goes on. */
  readonly onWarning?: (message: string) => void;
}

/** Per-PID PES reassembly state, buffers reused for the whole run. */
class PesAssembler {
  buffer: Uint8Array = new Uint8Array(64 * 1024);
  length = 0;
  /** PES_packet_length + 6, or 0 when unbounded (video in TS may use 0, §2.4.3.7). */
  expected = 0;
  lastPts = -1;
  lastDts = -1;
  ptsOffset = 0;
  dtsOffset = 0;

  append(src: Uint8Array, start: number, end: number): void {
    const need = this.length + (end - start);
    if (need > this.buffer.length) {
      // Grows rarely (an IDR larger than any before); doubling keeps it amortized.
      const bigger = new Uint8Array(Math.max(need, this.buffer.length * 2));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
    this.buffer.set(src.subarray(start, end), this.length);
    this.length = need;
  }

  /** Unwraps a 33-bit value against the previous one of the same kind. */
  unwrap(raw: number, kind: 'pts' | 'dts'): number {
    const last = kind === 'pts' ? this.lastPts : this.lastDts;
    let offset = kind === 'pts' ? this.ptsOffset : this.dtsOffset;
    if (last >= 0) {
      const lastRaw = last - offset;
      // A jump back by more than half the range is a wrap, not a reorder (B-frames move PTS back by
      // a few frames only).
      if (raw - lastRaw < -HALF_PTS_MODULO) offset += PTS_MODULO;
      else if (raw - lastRaw > HALF_PTS_MODULO && offset >= PTS_MODULO) offset -= PTS_MODULO;
    }
    const value = raw + offset;
    if (kind === 'pts') {
      this.lastPts = value;
      this.ptsOffset = offset;
    } else {
      this.lastDts = value;
      this.dtsOffset = offset;
    }
    return value;
  }
}

/**
 * Reads a 33-bit PTS/DTS field (§2.4.3.7): 4 bits prefix, PTS[32..30], marker, PTS[29..15], marker,
 * PTS[14..0], marker. Each part is shifted within its own byte pair (values < 2^16, so bit operators
 * are safe there) and combined with multiplication, because the whole value passes 2^31.
 */
export function readPesTimestamp(data: Uint8Array, offset: number): number {
  const high = (data[offset] & 0x0e) / 2; // PTS[32..30]
  const mid = data[offset + 1] * 128 + (data[offset + 2] >> 1); // PTS[29..15]
  const low = data[offset + 3] * 128 + (data[offset + 4] >> 1); // PTS[14..0]
  return high * 1_073_741_824 + mid * 32_768 + low;
}

/** Demuxes H.264 + AAC from an MPEG-TS byte stream fed in arbitrary chunks. */
export class TsDemuxer {
  readonly #handlers: TsDemuxerHandlers;
  readonly #carry = new Uint8Array(TS_PACKET_SIZE);
  #carryLength = 0;
  #pmtPid = -1;
  #videoPid = -1;
  #audioPid = -1;
  readonly #video = new PesAssembler();
  readonly #audio = new PesAssembler();
  // One mutable result object, handed to every callback (no allocation per frame).
  readonly #out: { bytes: Uint8Array; pts90k: number; dts90k: number } = { bytes: new Uint8Array(0), pts90k: 0, dts90k: 0 };
  #lostSync = 0;

  /** @param handlers - where frames go */
  constructor(handlers: TsDemuxerHandlers) {
    if (typeof handlers?.onVideo !== 'function') {
      throw new TypeError(`handlers.onVideo must be a function, got ${typeof handlers?.onVideo}`);
    }
    this.#handlers = handlers;
  }

  /** PIDs found in the PMT (-1 until seen). */
  get pids(): { readonly pmt: number; readonly video: number; readonly audio: number } {
    return { pmt: this.#pmtPid, video: this.#videoPid, audio: this.#audioPid };
  }

  /** Bytes skipped while looking for a sync byte. */
  get bytesSkipped(): number {
    return this.#lostSync;
  }

  /**
   * Feeds bytes; complete PES payloads are delivered through the handlers.
   * @param chunk - any slice of the TS byte stream
   */
  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.#carryLength > 0) {
      const take = Math.min(TS_PACKET_SIZE - this.#carryLength, chunk.length);
      this.#carry.set(chunk.subarray(0, take), this.#carryLength);
      this.#carryLength += take;
      pos = take;
      if (this.#carryLength < TS_PACKET_SIZE) return;
      this.#carryLength = 0;
      if (this.#carry[0] === SYNC_BYTE) this.#packet(this.#carry, 0);
    }
    while (pos + TS_PACKET_SIZE <= chunk.length) {
      if (chunk[pos] !== SYNC_BYTE) {
        pos++;
        this.#lostSync++;
        continue;
      }
      this.#packet(chunk, pos);
      pos += TS_PACKET_SIZE;
    }
    while (pos < chunk.length && chunk[pos] !== SYNC_BYTE) {
      pos++;
      this.#lostSync++;
    }
    if (pos < chunk.length) {
      this.#carry.set(chunk.subarray(pos), 0);
      this.#carryLength = chunk.length - pos;
    }
  }

  /** Delivers the PES payloads still being assembled (end of input). */
  flush(): void {
    this.#emit(this.#video, true);
    this.#emit(this.#audio, false);
  }

  /** Forgets the PSI and partial PES (a new ffmpeg child starts a new TS). */
  reset(): void {
    this.#carryLength = 0;
    this.#pmtPid = this.#videoPid = this.#audioPid = -1;
    for (const a of [this.#video, this.#audio]) {
      a.length = 0;
      a.expected = 0;
      a.lastPts = a.lastDts = -1;
      a.ptsOffset = a.dtsOffset = 0;
    }
  }

  #packet(data: Uint8Array, p: number): void {
    // §2.4.3.2: transport_error_indicator(1) payload_unit_start_indicator(1) transport_priority(1) PID(13)
    const b1 = data[p + 1];
    if ((b1 & 0x80) !== 0) return; // transport_error_indicator: the packet is known corrupt
    const pusi = (b1 & 0x40) !== 0;
    const pid = (b1 & 0x1f) * 256 + data[p + 2];
    // transport_scrambling_control(2) adaptation_field_control(2) continuity_counter(4)
    const afc = (data[p + 3] >> 4) & 0x03;
    if ((afc & 0x01) === 0) return; // no payload
    let start = p + 4;
    if (afc === 0x03) start += 1 + data[p + 4]; // adaptation_field_length (§2.4.3.4)
    const end = p + TS_PACKET_SIZE;
    if (start >= end) return;
    if (pid === PAT_PID) this.#pat(data, start, end, pusi);
    else if (pid === this.#pmtPid) this.#pmt(data, start, end, pusi);
    else if (pid === this.#videoPid) this.#pes(this.#video, true, data, start, end, pusi);
    else if (pid === this.#audioPid) this.#pes(this.#audio, false, data, start, end, pusi);
  }

  /** Start of a PSI section after pointer_field (§2.4.4.1); sections are assumed to fit one packet, as ffmpeg writes them. */
  #section(data: Uint8Array, start: number, end: number, pusi: boolean): number {
    if (!pusi) return -1;
    const s = start + 1 + data[start];
    return s + 3 <= end ? s : -1;
  }

  #pat(data: Uint8Array, start: number, end: number, pusi: boolean): void {
    const s = this.#section(data, start, end, pusi);
    if (s < 0 || data[s] !== 0x00) return; // table_id 0: program_association_section (§2.4.4.3)
    const sectionLength = (data[s + 1] & 0x0f) * 256 + data[s + 2];
    const loopEnd = Math.min(s + 3 + sectionLength - 4, end); // minus CRC_32
    for (let i = s + 8; i + 4 <= loopEnd; i += 4) {
      const programNumber = data[i] * 256 + data[i + 1];
      if (programNumber !== 0) {
        // program_map_PID; program 0 would be the network PID
        this.#pmtPid = (data[i + 2] & 0x1f) * 256 + data[i + 3];
        return;
      }
    }
  }

  #pmt(data: Uint8Array, start: number, end: number, pusi: boolean): void {
    const s = this.#section(data, start, end, pusi);
    if (s < 0 || data[s] !== 0x02) return; // table_id 2: TS_program_map_section (§2.4.4.8)
    const sectionLength = (data[s + 1] & 0x0f) * 256 + data[s + 2];
    const loopEnd = Math.min(s + 3 + sectionLength - 4, end);
    const programInfoLength = (data[s + 10] & 0x0f) * 256 + data[s + 11];
    for (let i = s + 12 + programInfoLength; i + 5 <= loopEnd;) {
      const streamType = data[i];
      const pid = (data[i + 1] & 0x1f) * 256 + data[i + 2];
      const esInfoLength = (data[i + 3] & 0x0f) * 256 + data[i + 4];
      if (streamType === STREAM_TYPE_H264 && this.#videoPid < 0) this.#videoPid = pid;
      else if (streamType === STREAM_TYPE_AAC_ADTS && this.#audioPid < 0) this.#audioPid = pid;
      i += 5 + esInfoLength;
    }
  }

  #pes(a: PesAssembler, video: boolean, data: Uint8Array, start: number, end: number, pusi: boolean): void {
    if (pusi) {
      this.#emit(a, video);
      a.length = 0;
      a.expected = 0;
      // PES_packet_length (§2.4.3.6); 0 = unbounded, allowed for video in TS
      if (end - start >= 6) {
        const pesLength = data[start + 4] * 256 + data[start + 5];
        a.expected = pesLength === 0 ? 0 : pesLength + 6;
      }
    } else if (a.length === 0) {
      return; // continuation of a PES whose start we never saw
    }
    a.append(data, start, end);
    if (a.expected > 0 && a.length >= a.expected) {
      this.#emit(a, video);
      a.length = 0;
    }
  }

  #emit(a: PesAssembler, video: boolean): void {
    const len = a.length;
    if (len === 0) return;
    a.length = 0;
    const b = a.buffer;
    // packet_start_code_prefix 0x000001, stream_id, PES_packet_length, then the optional header
    if (len < 9 || b[0] !== 0 || b[1] !== 0 || b[2] !== 1) {
      this.#handlers.onWarning?.(`PES without a start code on the ${video ? 'video' : 'audio'} PID: dropped`);
      return;
    }
    const ptsDtsFlags = b[7] >> 6;
    const headerEnd = 9 + b[8]; // PES_header_data_length
    if ((ptsDtsFlags & 0x02) === 0 || headerEnd > len) {
      this.#handlers.onWarning?.(`PES without a PTS on the ${video ? 'video' : 'audio'} PID: dropped`);
      return;
    }
    const pts = a.unwrap(readPesTimestamp(b, 9), 'pts');
    const dts = ptsDtsFlags === 0x03 ? a.unwrap(readPesTimestamp(b, 14), 'dts') : pts;
    const end = a.expected > 0 ? Math.min(a.expected, len) : len;
    const out = this.#out;
    out.bytes = b.subarray(headerEnd, end);
    out.pts90k = pts;
    out.dts90k = dts;
    if (video) this.#handlers.onVideo(out);
    else this.#handlers.onAudio?.(out);
  }
}
