/**
 * continuity_counter bookkeeping (ISO/IEC 13818-1 §2.4.3.3).
 *
 * The 4-bit counter of a PID increments with each packet of that PID that carries payload, and
 * wraps from 15 to 0. One instance belongs to one output stream and lives as long as it: segments of
 * an HLS stream are consecutive pieces of one transport stream, so a player that appends them (hls.js
 * does) sees a continuous counter. Restarting at 0 per segment is what the reference C SDK does and
 * why demuxers print "Continuity check failed" on every segment boundary of its output.
 */

import { PID_MAX } from './constants.js';

/** Per-PID continuity counters, 0..15, carried across segments. */
export class ContinuityCounters {
  // One byte per possible PID (8 KiB): a lookup with no hashing and nothing allocated per packet.
  readonly #next = new Uint8Array(PID_MAX + 2);

  /**
   * Returns the counter for the next payload-carrying packet of `pid` and advances it.
   *
   * @param pid - the packet's PID, 0..0x1FFF
   * @returns the continuity_counter to write, 0..15
   * @throws RangeError when `pid` is not an integer in 0..0x1FFF
   */
  next(pid: number): number {
    const cc = this.peek(pid);
    this.#next[pid] = (cc + 1) & 0x0f;
    return cc;
  }

  /**
   * Returns the counter the next payload-carrying packet of `pid` will get, without advancing it.
   * A packet without payload (adaptation field only) repeats the previous packet's counter, which is
   * `(peek(pid) + 15) % 16`.
   *
   * @param pid - a PID, 0..0x1FFF
   * @returns the next continuity_counter, 0..15 (0 for a PID never written)
   * @throws RangeError when `pid` is not an integer in 0..0x1FFF
   */
  peek(pid: number): number {
    if (!Number.isInteger(pid) || pid < 0 || pid > PID_MAX + 1) {
      throw new RangeError(`ContinuityCounters: pid must be an integer in 0..0x1FFF, got ${pid}`);
    }
    return this.#next[pid];
  }

  /**
   * Sets the counter the next payload-carrying packet of `pid` gets. The packetizer reads a PID's
   * counter once per PES and writes it back here (per packet bookkeeping stays in a local), and a
   * rolled-back GOP restores the counters it had at its start.
   *
   * @param pid - a PID, 0..0x1FFF
   * @param value - the next continuity_counter, 0..15
   * @throws RangeError for a bad pid or value
   */
  set(pid: number, value: number): void {
    this.peek(pid);
    if (!Number.isInteger(value) || value < 0 || value > 15) throw new RangeError(`ContinuityCounters: value must be an integer in 0..15, got ${value}`);
    this.#next[pid] = value;
  }
}
