/**
 * Splits one PES packet into 188-byte TS packets written in place in the pool
 * (ISO/IEC 13818-1 §2.4.3.2-2.4.3.5 transport packets and adaptation fields, §2.4.3.6-2.4.3.7 PES).
 *
 * Layout of a PES of `T` bytes (header + payload) on PID `p`:
 * - First packet: payload_unit_start_indicator = 1 and **always** an adaptation field: 2 bytes
 *   (length + flags: discontinuity_indicator, random_access_indicator) or 8 with a PCR. Always having
 *   one makes the packet count depend only on what {@link PesPacketizer.packetCount} is told (payload
 *   size, DTS, PCR), so the muxer can reserve pool space before it decides the flags; it costs 2 bytes
 *   per PES. The PES header is written straight after it, then the first payload bytes.
 * - Middle packets: 4-byte header + 184 payload bytes.
 * - Last packet: the remaining `r < 184` bytes are pushed to the end of the packet by adaptation
 *   field stuffing (§2.4.3.5: stuffing_byte 0xFF, adaptation_field_length up to 182 when there is
 *   payload). When `r = 183` the adaptation field is the single byte adaptation_field_length = 0,
 *   the one-byte stuffing case the spec defines. When the PES fits in the first packet, the
 *   stuffing extends that packet's adaptation field.
 * Every packet carries payload, so the continuity counter advances on each (§2.4.3.3). No partial
 * packets, no PES-level stuffing, no null packets.
 *
 * Payload bytes are copied exactly once, range by range, with {@link ByteCopier} (no `subarray`
 * per packet: a view is an allocation). write() allocates nothing.
 */

import { ByteCopier } from '../pool/byte-copier.js';
import type { ChunkList } from './chunk-list.js';
import { PID_MAX, SYNC_BYTE, TS_PACKET_SIZE, TS_PAYLOAD_CAPACITY } from './constants.js';
import type { ContinuityCounters } from './continuity-counters.js';
import { pesHeaderLength, pesPacketLength, writePesHeader } from './pes-header.js';
import { writePcrOf } from './timestamps.js';

/** Adaptation field bytes in a PES's first packet without PCR: adaptation_field_length + flags. */
const FIRST_AF_BYTES = 2;
/** ... and with PCR: length + flags + 6-byte program_clock_reference. */
const FIRST_AF_BYTES_PCR = 8;

/** adaptation field flag bits (§2.4.3.4, Table 2-6). */
const AF_DISCONTINUITY = 0x80;
const AF_RANDOM_ACCESS = 0x40;
const AF_PCR = 0x10;

/** Where the packetizer writes: the pool's next free packet slots. */
export interface PacketCursor {
  /** Offset in the pool of the next 188-byte packet; advances (wrapping at the pool end). */
  nextPacket(): number;
}

/** What to write for one PES packet (all times in 90 kHz ticks, wrapped modulo 2^33 when written). */
export interface PesWrite {
  /** PID of the elementary stream, 0x0010..0x1FFE in practice (`PID_VIDEO`, `PID_AUDIO`). */
  pid: number;
  /** stream_id, e.g. 0xE0 (video) or 0xC0 (audio). */
  streamId: number;
  /** Presentation time stamp. */
  pts90k: number;
  /** Decoding time stamp; equal to `pts90k` → no DTS field is written. */
  dts90k: number;
  /** PCR base for the first packet's adaptation field; -1 → no PCR in this PES. Must not exceed `dts90k`. */
  pcr90k: number;
  /** Sets random_access_indicator: the PES starts with an IDR access unit (or any audio frame). */
  randomAccess: boolean;
  /** Sets discontinuity_indicator: the time base restarts here (timestamps reset or jump). */
  discontinuity: boolean;
  /**
   * true (audio): PES_packet_length is exact, and a PES over 65535 + 6 bytes is a RangeError.
   * false (video): exact when it fits in 16 bits, 0 (unbounded, §2.4.3.7) otherwise.
   */
  boundedLength: boolean;
}

/** Writes PES packets as TS packets into one pool. One instance per pool; not reentrant. */
export class PesPacketizer {
  readonly #pool: Uint8Array;
  readonly #copier: ByteCopier;
  // Payload read position, kept in fields so write() needs no closure or iterator object.
  #chunk = 0;
  #pos = 0;

  /**
   * @param pool - the bytes TS packets are written into (the lead's ring; cursor offsets index it)
   * @throws TypeError when `pool` is not a Uint8Array
   */
  constructor(pool: Uint8Array) {
    if (!(pool instanceof Uint8Array)) throw new TypeError(`PesPacketizer: pool must be a Uint8Array, got ${typeof pool}`);
    this.#pool = pool;
    this.#copier = new ByteCopier(pool);
  }

  /**
   * Exact number of TS packets {@link PesPacketizer.write} uses for a PES with this payload size.
   * random_access_indicator and discontinuity_indicator do not change it (see the file comment).
   *
   * @param payloadBytes - elementary stream bytes after the PES header (the ChunkList's byteLength)
   * @param hasDts - true when DTS differs from PTS
   * @param hasPcr - true when the first packet carries a PCR
   * @returns packets, ≥ 1
   * @throws RangeError when `payloadBytes` is not a non-negative safe integer
   */
  packetCount(payloadBytes: number, hasDts: boolean, hasPcr: boolean): number {
    if (!Number.isSafeInteger(payloadBytes) || payloadBytes < 0) {
      throw new RangeError(`packetCount: payloadBytes must be a non-negative integer, got ${payloadBytes}`);
    }
    const total = pesHeaderLength(hasDts) + payloadBytes;
    const firstRoom = TS_PAYLOAD_CAPACITY - (hasPcr ? FIRST_AF_BYTES_PCR : FIRST_AF_BYTES);
    if (total <= firstRoom) return 1;
    return 1 + Math.ceil((total - firstRoom) / TS_PAYLOAD_CAPACITY);
  }

  /**
   * Writes the PES header and `payload` as TS packets at the cursor's successive packet offsets.
   * Everything is validated before the first byte is written.
   *
   * @param cursor - gives the offset of each packet; called exactly `packetCount(...)` times
   * @param cc - the stream's continuity counters; `pes.pid` advances once per packet
   * @param pes - PID, stream id, timestamps and flags
   * @param payload - the elementary stream bytes; read, not kept
   * @returns the number of packets written, equal to {@link PesPacketizer.packetCount}
   * @throws RangeError for a PID outside 0..0x1FFE, a stream_id outside 0..255, timestamps that are
   *   not safe integers, a PCR below -1, a bounded PES over 65535 bytes, or a cursor offset that
   *   leaves no room for a packet in the pool
   */
  write(cursor: PacketCursor, cc: ContinuityCounters, pes: PesWrite, payload: ChunkList): number {
    const { pid, streamId, pts90k, dts90k, pcr90k } = pes;
    if (!Number.isInteger(pid) || pid < 0 || pid > PID_MAX) throw new RangeError(`PesWrite.pid must be an integer in 0..0x1FFE, got ${pid}`);
    if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xff) throw new RangeError(`PesWrite.streamId must be an integer in 0..255, got ${streamId}`);
    if (!Number.isSafeInteger(pts90k)) throw new RangeError(`PesWrite.pts90k must be a safe integer of 90 kHz ticks, got ${pts90k}`);
    if (!Number.isSafeInteger(dts90k)) throw new RangeError(`PesWrite.dts90k must be a safe integer of 90 kHz ticks, got ${dts90k}`);
    const hasPcr = pcr90k !== -1;
    if (hasPcr && (!Number.isSafeInteger(pcr90k) || pcr90k < 0)) throw new RangeError(`PesWrite.pcr90k must be -1 or a non-negative integer, got ${pcr90k}`);
    const hasDts = dts90k !== pts90k;
    const headerBytes = pesHeaderLength(hasDts);
    const payloadBytes = payload.byteLength;
    const packetLength = pesPacketLength(headerBytes, payloadBytes, pes.boundedLength);

    const pool = this.#pool;
    this.#chunk = 0;
    this.#pos = payload.count > 0 ? payload.start(0) : 0;

    // First packet: TS header, adaptation field (flags [+ PCR] [+ stuffing]), PES header, payload.
    let off = this.#packetAt(cursor);
    const afBytes = hasPcr ? FIRST_AF_BYTES_PCR : FIRST_AF_BYTES;
    let remaining = headerBytes + payloadBytes;
    const firstRoom = TS_PAYLOAD_CAPACITY - afBytes;
    const firstPes = remaining < firstRoom ? remaining : firstRoom; // PES bytes in the first packet
    const afTotal = TS_PAYLOAD_CAPACITY - firstPes; // adaptation field incl. its length byte
    pool[off] = SYNC_BYTE;
    pool[off + 1] = 0x40 | (pid >> 8); // transport_error 0, payload_unit_start_indicator 1, priority 0, PID[12..8]
    pool[off + 2] = pid & 0xff; // PID[7..0]
    // The PID's counter lives in a local for the whole PES and is written back at the end.
    let counter = cc.peek(pid);
    pool[off + 3] = 0x30 | counter; // scrambling 00, adaptation_field_control 11 (AF + payload), CC
    counter = (counter + 1) & 0x0f;
    pool[off + 4] = afTotal - 1; // adaptation_field_length
    pool[off + 5] = (pes.discontinuity ? AF_DISCONTINUITY : 0) | (pes.randomAccess ? AF_RANDOM_ACCESS : 0) | (hasPcr ? AF_PCR : 0);
    if (hasPcr) writePcrOf(pool, off + 6, pes);
    pool.fill(0xff, off + 4 + afBytes, off + 4 + afTotal); // stuffing_byte (§2.4.3.5)
    let p = off + 4 + afTotal;
    writePesHeader(pool, p, pes, packetLength);
    this.#copyPayload(payload, p + headerBytes, firstPes - headerBytes);
    remaining -= firstPes;
    let packets = 1;

    // Following packets: full ones carry 184 bytes; the last one is stuffed to the packet end.
    while (remaining > 0) {
      off = this.#packetAt(cursor);
      pool[off] = SYNC_BYTE;
      pool[off + 1] = pid >> 8; // PUSI 0, PID[12..8]
      pool[off + 2] = pid & 0xff;
      if (remaining >= TS_PAYLOAD_CAPACITY) {
        pool[off + 3] = 0x10 | counter; // adaptation_field_control 01: payload only
        counter = (counter + 1) & 0x0f;
        this.#copyPayload(payload, off + 4, TS_PAYLOAD_CAPACITY);
        remaining -= TS_PAYLOAD_CAPACITY;
      } else {
        const stuffTotal = TS_PAYLOAD_CAPACITY - remaining; // 1..183 adaptation field bytes
        pool[off + 3] = 0x30 | counter; // adaptation_field_control 11
        counter = (counter + 1) & 0x0f;
        pool[off + 4] = stuffTotal - 1; // adaptation_field_length; 0 = the 1-byte stuffing case
        if (stuffTotal > 1) {
          pool[off + 5] = 0; // no flags
          pool.fill(0xff, off + 6, off + 4 + stuffTotal);
        }
        p = off + 4 + stuffTotal;
        this.#copyPayload(payload, p, remaining);
        remaining = 0;
      }
      packets++;
    }
    cc.set(pid, counter);
    return packets;
  }

  /** The cursor's next packet offset, checked against the pool. */
  #packetAt(cursor: PacketCursor): number {
    const off = cursor.nextPacket();
    if (!(off >= 0 && off + TS_PACKET_SIZE <= this.#pool.length && off % 1 === 0)) {
      throw new RangeError(`PacketCursor.nextPacket() returned ${off}: not a packet slot in the ${this.#pool.length}-byte pool`);
    }
    return off;
  }

  /** Copies the next `n` payload bytes to `pool[dest, dest + n)`, across range boundaries. */
  #copyPayload(payload: ChunkList, dest: number, n: number): void {
    while (n > 0) {
      const chunk = this.#chunk;
      const end = payload.end(chunk);
      const avail = end - this.#pos;
      const take = avail < n ? avail : n;
      this.#copier.copy(payload.source(chunk), this.#pos, this.#pos + take, dest);
      dest += take;
      n -= take;
      this.#pos += take;
      if (this.#pos === end && chunk + 1 < payload.count) {
        this.#chunk = chunk + 1;
        this.#pos = payload.start(chunk + 1);
      }
    }
  }
}
