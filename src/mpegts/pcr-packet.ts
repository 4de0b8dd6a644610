/**
 * A PCR-only transport packet: adaptation field and no payload (adaptation_field_control '10').
 *
 * ISO/IEC 13818-1 §2.4.2.2 wants a PCR at least every 100 ms; the muxer puts one on every video PES,
 * so at frame rates under 10 fps (or a long gap before audio) it fills the gap with these.
 * A packet without payload does not advance continuity_counter (§2.4.3.3): it repeats the
 * previous packet's value on that PID.
 */
import { SYNC_BYTE, TS_PACKET_SIZE } from './constants.js';
import { writePcr } from './timestamps.js';

/**
 * Writes one 188-byte PCR-only packet at `dest[offset]`.
 *
 * @param dest - the pool
 * @param offset - where the packet goes
 * @param pid - the PCR_PID
 * @param nextCc - the counter the next payload packet of `pid` will carry (`ContinuityCounters.peek`)
 * @param pcr90k - PCR base in 90 kHz ticks (reduced modulo 2^33 by writePcr)
 */
export function writePcrOnlyPacket(dest: Uint8Array, offset: number, pid: number, nextCc: number, pcr90k: number): void {
  dest[offset] = SYNC_BYTE;
  // transport_error_indicator 0, payload_unit_start_indicator 0, transport_priority 0, PID (13 bits)
  dest[offset + 1] = (pid >> 8) & 0x1f;
  dest[offset + 2] = pid & 0xff;
  // transport_scrambling_control '00', adaptation_field_control '10' (adaptation field only), continuity_counter
  dest[offset + 3] = 0x20 | ((nextCc + 15) & 0x0f);
  // adaptation_field_length: the rest of the packet (188 - 4 header - 1 length byte)
  dest[offset + 4] = TS_PACKET_SIZE - 5;
  // flags: PCR_flag only
  dest[offset + 5] = 0x10;
  writePcr(dest, offset + 6, pcr90k, 0);
  // stuffing_bytes
  dest.fill(0xff, offset + 12, offset + TS_PACKET_SIZE);
}
