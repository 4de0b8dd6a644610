/**
 * Timestamps for raw Annex B input, which carries none (H.264 Annex B): DTS from the decode index
 * and a frame rate, PTS from the picture order count (§8.2.1), in integer 90 kHz ticks.
 *
 * How PTS is derived (no look-ahead, so {@link FrameTiming.next} answers for each unit at once):
 *
 * - POC periods. POC restarts at every IDR and after MMCO 5 (`AccessUnit.pocReset`); presentation
 *   order never crosses such a unit, so each period gets a base rank one past the highest rank
 *   given so far, and its first unit (the IDR) is presented first in it.
 * - Rank in a period = (poc - period's first poc) / pocStep. Encoders count POC in steps of 2 per
 *   frame (top and bottom field; libx264, x265, nvenc...), so pocStep starts at 2 and drops to the
 *   gcd of the deltas seen when a stream steps by 1 (only the units before that discovery can
 *   collide). With pic_order_cnt_type 2 output order is decode order (§8.2.1.3): rank = decode index.
 * - Reorder delay D, in frames: VUI max_num_reorder_frames when the SPS has it; 0 for
 *   pic_order_cnt_type 2 and profile 66 (no B slices); otherwise a safe default of 2 (libx264's
 *   and most encoders' B-pyramid depth, and ffmpeg's has_b_frames for such streams). D only grows
 *   (a new SPS with a larger value), never shrinks, so PTS never goes backwards because of it.
 *
 * PTS = (rank + D) × frame duration, DTS = decode index × frame duration. Why PTS ≥ DTS: for a frame
 * at decode index i and presentation rank p, i − p = (frames decoded before it and shown after it) −
 * (frames shown before it and decoded after it) ≤ max_num_reorder_frames = D (its definition,
 * §E.2.1), so p + D ≥ i. If a stream breaks that promise (D defaulted too small, or its POC steps
 * mislead the rank), PTS is clamped to DTS and {@link FrameTiming.clampedCount} counts it.
 */
import type { AccessUnit } from './access-unit-splitter.js';
import type { SpsInfo } from './sps.js';

/** 90 kHz clock of MPEG-TS PTS/DTS (ISO/IEC 13818-1 §2.4.3.7). */
const TICKS_PER_SECOND = 90_000;
/** Reorder delay assumed when the SPS does not say (see the file comment). */
const DEFAULT_REORDER_FRAMES = 2;
/** Frame-rate bound (frames per second) accepted by {@link parseFps} and {@link FrameTiming}. */
const MAX_FPS = 1000;

/**
 * PTS/DTS for access units of one stream, given in decode order.
 *
 * @example
 * ```ts
 * const timing = new FrameTiming(parseFps('30000/1001'));
 * const { pts90k, dts90k } = timing.next(au, au.sps!);
 * ```
 */
export class FrameTiming {
  /** Units whose PTS had to be clamped up to their DTS (the stream reordered more than assumed). */
  clampedCount = 0;

  private readonly num: number;
  private readonly den: number;
  private decodeIndex = 0;
  private reorderFrames = -1;
  private pocStep = 2;
  private periodBaseRank = 0;
  private periodBasePoc = 0;
  /** Highest presentation rank given so far (-1: none). */
  private maxRank = -1;

  /**
   * @param fps - frame rate as a fraction, e.g. `{ num: 30000, den: 1001 }`
   * @throws TypeError when `fps.num`/`fps.den` are not positive safe integers
   * @throws RangeError when the rate is above 1000 frames per second
   */
  constructor(fps: { num: number; den: number }) {
    checkFps(fps);
    this.num = fps.num;
    this.den = fps.den;
  }

  /**
   * Timestamps of the next access unit in decode order. The first unit gets DTS 0.
   *
   * @param au - the access unit (uses `poc`, `pocReset`/`keyframe`)
   * @param sps - the SPS its picture refers to (reorder depth, POC type)
   * @returns pts90k/dts90k in 90 kHz ticks; DTS strictly increases, PTS ≥ DTS
   */
  next(au: AccessUnit, sps: SpsInfo): { pts90k: number; dts90k: number } {
    this.reorderFrames = Math.max(this.reorderFrames, reorderFramesOf(sps));
    const i = this.decodeIndex++;
    let rank: number;
    if (sps.picOrderCntType === 2) {
      rank = i;
    } else {
      if (au.pocReset === true || au.keyframe || this.maxRank < 0) {
        this.periodBaseRank = this.maxRank + 1;
        this.periodBasePoc = au.poc;
      }
      const delta = au.poc - this.periodBasePoc;
      if (delta !== 0 && delta % this.pocStep !== 0) this.pocStep = gcd(this.pocStep, Math.abs(delta));
      rank = this.periodBaseRank + Math.round(delta / this.pocStep);
    }
    if (rank > this.maxRank) this.maxRank = rank;
    const dts90k = this.ticksOf(i);
    let pts90k = this.ticksOf(Math.max(0, rank + this.reorderFrames));
    if (pts90k < dts90k) {
      this.clampedCount++;
      pts90k = dts90k;
    }
    return { pts90k, dts90k };
  }

  /**
   * Ticks at the start of frame `n`, exact for any n: whole multiples of `num` frames last exactly
   * `den` seconds, so only the remainder is rounded (no drift, no precision loss on long runs).
   */
  private ticksOf(n: number): number {
    const whole = Math.floor(n / this.num);
    const rest = n - whole * this.num;
    return whole * this.den * TICKS_PER_SECOND + Math.round((rest * this.den * TICKS_PER_SECOND) / this.num);
  }
}

/** D for an SPS: see the file comment. */
function reorderFramesOf(sps: SpsInfo): number {
  if (sps.maxNumReorderFrames !== undefined) return sps.maxNumReorderFrames;
  if (sps.picOrderCntType === 2 || sps.profileIdc === 66) return 0;
  return DEFAULT_REORDER_FRAMES;
}

/** Greatest common divisor of two non-negative integers. */
function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Throws TypeError/RangeError naming `fps` when it is not a positive fraction ≤ MAX_FPS. */
function checkFps(fps: { num: number; den: number }): void {
  if (typeof fps !== 'object' || fps === null || !Number.isSafeInteger(fps.num) || !Number.isSafeInteger(fps.den) || fps.num <= 0 || fps.den <= 0) {
    throw new TypeError(`fps must be { num, den } with positive integers, got ${JSON.stringify(fps)}`);
  }
  if (fps.num / fps.den > MAX_FPS) throw new RangeError(`fps ${fps.num}/${fps.den} is above ${MAX_FPS} frames per second`);
}

/** Decimal spellings of the NTSC rates, which are really N×1000/1001. */
const NTSC: Readonly<Record<string, number>> = { '23.976': 24000, '23.98': 24000, '29.97': 30000, '47.952': 48000, '59.94': 60000, '119.88': 120000 };

/**
 * Parses a frame rate: an integer (`'25'`), a fraction (`'30000/1001'`) or a decimal (`'29.97'`,
 * read as 30000/1001 for the NTSC rates, else exactly, e.g. `'12.5'` → 25/2).
 *
 * @param text - the rate as typed by a user
 * @returns the rate as a reduced fraction of positive integers
 * @throws RangeError naming the text when it is not a rate in (0, 1000] frames per second
 */
export function parseFps(text: string): { num: number; den: number } {
  const s = typeof text === 'string' ? text.trim() : '';
  let num: number;
  let den: number;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,9})$/.exec(s))) {
    num = Number(m[1]);
    den = 1;
  } else if ((m = /^(\d{1,9})\/(\d{1,9})$/.exec(s))) {
    num = Number(m[1]);
    den = Number(m[2]);
  } else if ((m = /^(\d{1,4})\.(\d{1,6})$/.exec(s))) {
    const ntsc = NTSC[s];
    if (ntsc !== undefined) {
      num = ntsc;
      den = 1001;
    } else {
      den = 10 ** m[2].length;
      num = Number(m[1]) * den + Number(m[2]);
    }
  } else {
    throw new RangeError(`fps: '${String(text)}' is not a frame rate (use e.g. '25', '30000/1001' or '29.97')`);
  }
  if (num <= 0 || den <= 0 || num / den > MAX_FPS) {
    throw new RangeError(`fps: '${String(text)}' is outside (0, ${MAX_FPS}] frames per second`);
  }
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}
