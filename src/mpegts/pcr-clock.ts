/**
 * The PCR of one stream's TS output: PCR = DTS minus the mux delay, strictly increasing within a
 * timeline, with PCR-only packets filled in so PCRs are at most 100 ms apart (ISO/IEC 13818-1 §2.7.2).
 *
 * The mux delay is how long every PES waits in the decoder's buffer before its decode time: a PES whose
 * first byte arrives (by the PCR) less than that before its DTS leaves a small decoder no slack, and one
 * arriving after its DTS is a T-STD violation. FFmpeg's default is 700 ms (`-muxdelay 0.7`); ours too.
 *
 * Methods read and write object fields instead of taking and returning PCR values: a number past 2^31
 * crossing a call boundary is boxed on the heap, and these run per frame.
 */
import { PID_VIDEO } from './constants.js';
import type { ContinuityCounters } from './continuity-counters.js';
import { writePcrOnlyPacket } from './pcr-packet.js';

/** Default delay of PCR behind DTS, ms (FFmpeg's `-muxdelay 0.7`). */
export const DEFAULT_MUX_DELAY_MS = 700;
/** Smallest mux delay accepted, ms: below it small hardware decoders underflow (issue 11). */
export const MIN_MUX_DELAY_MS = 200;
/** Largest mux delay accepted, ms: a PCR further behind asks a decoder to buffer seconds of video. */
export const MAX_MUX_DELAY_MS = 5_000;
/** Largest distance between two PCRs, 90 kHz ticks (100 ms, the spec's limit). */
export const MAX_PCR_GAP_TICKS = 9_000;

/**
 * Checks a mux delay option.
 * @param ms - the value given, or undefined for the default
 * @returns the delay in 90 kHz ticks
 * @throws RangeError naming the option when it is not a number in [200, 5000] ms
 */
export function muxDelayTicks(ms: number | undefined): number {
  const v = ms ?? DEFAULT_MUX_DELAY_MS;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < MIN_MUX_DELAY_MS || v > MAX_MUX_DELAY_MS) {
    throw new RangeError(`muxDelayMs must be a number of ms between ${MIN_MUX_DELAY_MS} and ${MAX_MUX_DELAY_MS}, got ${String(ms)}`);
  }
  return Math.round(v * 90);
}

/** Where PCR-only packets go: the pool's ring (structural, so src/mpegts does not import src/pool). */
export interface PacketSlots {
  /** The ring's bytes. */
  readonly bytes: Uint8Array;
  /** Claims the next 188-byte slot. @returns its byte offset in `bytes` */
  nextPacket(): number;
}

/** Tracks the last PCR written and computes the next. */
export class PcrClock {
  /** Delay of PCR behind DTS, 90 kHz ticks. */
  readonly delayTicks: number;
  /** Last PCR written (90 kHz ticks, wire value before the 2^33 wrap), or -1 before the first. Saved and restored by GOP rollback. */
  last = -1;

  /** @param delayTicks - the mux delay in 90 kHz ticks (see {@link muxDelayTicks}) */
  constructor(delayTicks: number) {
    this.delayTicks = delayTicks;
  }

  /**
   * Sets `pes.pcr90k` for a unit decoded at `timing.dts` (wire ticks, offset included).
   * Within a timeline the PCR never repeats nor goes back: a unit whose DTS − delay is not past the
   * last PCR (decode times jittering after a PCR-only fill) gets the last PCR + 1 tick instead.
   * @param pes - the PES about to be written; its `pcr90k` is set
   * @param timing - holds the unit's DTS
   * @param newTimeline - the unit starts a segment on a new timeline: PCR may go back
   */
  set(pes: { pcr90k: number }, timing: { readonly dts: number }, newTimeline: boolean): void {
    pes.pcr90k = Math.max(0, timing.dts - this.delayTicks);
    if (this.last < 0 || newTimeline) return;
    if (pes.pcr90k <= this.last) pes.pcr90k = this.last + 1;
  }

  /**
   * @param pes - the PES about to be written, `pcr90k` already set
   * @param newTimeline - as for {@link PcrClock.set}
   * @returns PCR-only packets needed before it so PCRs are at most 100 ms apart
   */
  fillCount(pes: { readonly pcr90k: number }, newTimeline: boolean): number {
    const pcr = pes.pcr90k;
    if (this.last < 0 || pcr <= this.last || newTimeline) return 0;
    return Math.ceil((pcr - this.last) / MAX_PCR_GAP_TICKS) - 1;
  }

  /**
   * Writes `fill` PCR-only packets on the video PID, 100 ms apart after the last PCR.
   * @param slots - where the packets go
   * @param cc - continuity counters (PCR-only packets carry no payload: the counter does not advance)
   * @param fill - from {@link PcrClock.fillCount}
   */
  writeFill(slots: PacketSlots, cc: ContinuityCounters, fill: number): void {
    for (let i = 1; i <= fill; i++) {
      const value = this.last + i * MAX_PCR_GAP_TICKS;
      writePcrOnlyPacket(slots.bytes, slots.nextPacket(), PID_VIDEO, cc.peek(PID_VIDEO), value);
    }
    if (fill > 0) this.last += fill * MAX_PCR_GAP_TICKS;
  }

  /**
   * @param pcr - first PCR of a segment starting a new timeline
   * @returns true when it goes back or leaps past the gap limit, so the segment must set
   * discontinuity_indicator (§2.4.3.5) lest a demuxer take it for clock drift
   */
  steps(pcr: number): boolean {
    return this.last >= 0 && (pcr < this.last || pcr - this.last > MAX_PCR_GAP_TICKS);
  }
}
