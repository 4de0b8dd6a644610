/**
 * Warns once when a caller's video timestamps look like presentation order fed where decode order
 * belongs (issue 10 §3). Frames go in decode order; with B-frames their PTS is not monotonic and a
 * DTS must be given. What the stream already does on its own: PTS going back with no DTS is dropped
 * as `MISSING_DTS`; DTS > PTS is dropped as `BAD_TIMESTAMP`; DTS going back mid-GOP is dropped as
 * `TIMESTAMP_DISCONTINUITY`. Those drops are counted but each looks like a separate fault; this
 * check names the one cause behind them, once, with the fix. It also catches what the stream cannot:
 * B-slices with no DTS given and PTS increasing, i.e. decode-order times passed as `timestampUs`,
 * which mux without a single drop into a stream that plays its B-frames in the wrong order.
 *
 * Cost: a few comparisons per frame; slice types are read only from the first frames (B-frames
 * occur in every GOP of a stream that uses them), from the first slice NAL in an item's part1.
 */
import { RbspReader } from '../h264/rbsp-reader.js';
import type { VideoFramePack } from '../types.js';

/** A run-time warning of the C-style API. */
export interface S3HlsWarning {
  /** `PRESENTATION_ORDER_TIMESTAMPS`, `POOL_TOO_SMALL` or `HOUR_INDEX_FAILED` (an index object write failed). */
  readonly code: 'PRESENTATION_ORDER_TIMESTAMPS' | 'POOL_TOO_SMALL' | 'HOUR_INDEX_FAILED';
  /** One sentence: what was seen and what to pass instead. */
  readonly message: string;
}

/** DTS going back by less than this is reordering, not a clock reset (1 s, as the stream's rule). */
const MAX_REORDER_TICKS = 90_000;
/** Frames whose slice type is inspected. */
const SLICE_TYPE_FRAMES = 300;

const FIX = 'feed frames in decode order with timestampUs = presentation time and decodeTimestampUs = decode time (or pts90k and dts90k)';

/** Watches one stream's video timestamps; calls `warn` at most once. */
export class TimingOrderCheck {
  readonly #warn: (w: S3HlsWarning) => void;
  #warned = false;
  #frames = 0;
  #lastPts = -1;
  #lastDts = -1;

  /** @param warn - called once, with the first pattern seen */
  constructor(warn: (w: S3HlsWarning) => void) {
    this.#warn = warn;
  }

  /** Looks at one pack before it is muxed. Never throws on odd input (the stream reports that). */
  observe(pack: VideoFramePack): void {
    if (this.#warned || pack === null || typeof pack !== 'object') return;
    const pts = pack.pts90k ?? (typeof pack.timestampUs === 'number' ? pack.timestampUs * 0.09 : NaN);
    const dtsGiven = pack.dts90k !== undefined || (pack.pts90k === undefined && pack.decodeTimestampUs !== undefined);
    const dts = pack.dts90k ?? (dtsGiven ? (pack.decodeTimestampUs as number) * 0.09 : pts);
    if (!Number.isFinite(pts) || !Number.isFinite(dts)) return;
    this.#frames++;
    if (dtsGiven && dts > pts) {
      this.#emit(`decode timestamp ${Math.round(dts)} is later than presentation timestamp ${Math.round(pts)} (90 kHz): the two look swapped; ${FIX}`);
    } else if (dtsGiven && this.#lastDts >= 0 && dts < this.#lastDts && this.#lastDts - dts < MAX_REORDER_TICKS) {
      this.#emit(
        `decode timestamps went back by ${Math.round((this.#lastDts - dts) / 90)} ms: presentation times seem to be passed as decode times (B-frames reorder PTS, never DTS); ${FIX}`,
      );
    } else if (!dtsGiven && this.#lastPts >= 0 && pts < this.#lastPts && this.#lastPts - pts < MAX_REORDER_TICKS) {
      this.#emit(
        `presentation timestamps went back by ${Math.round((this.#lastPts - pts) / 90)} ms with no decode timestamp: a stream with B-frames fed in decode order needs both; ${FIX}`,
      );
    } else if (!dtsGiven && this.#frames <= SLICE_TYPE_FRAMES && hasBSlice(pack)) {
      this.#emit(`the stream has B-frames but only one timestamp per frame was given: with timestamps increasing in feed (decode) order its frames will play out of order; ${FIX}`);
    }
    this.#lastPts = pts;
    this.#lastDts = dts;
  }

  #emit(message: string): void {
    this.#warned = true;
    this.#warn({ code: 'PRESENTATION_ORDER_TIMESTAMPS', message });
  }
}

/** Array.isArray without its narrowing to any[] (packs come from callers' JS too, so the check stays). */
const isArray = (x: unknown): x is readonly unknown[] => Array.isArray(x);

/** True when the pack's first slice NAL (in some item's part1) is a B slice (slice_type 1 or 6). */
function hasBSlice(pack: VideoFramePack): boolean {
  const items = pack.items;
  if (!isArray(items)) return false;
  for (const item of items) {
    const p = item?.part1;
    if (!(p instanceof Uint8Array)) continue;
    for (let i = 0; i + 4 < p.length; i++) {
      if (p[i] !== 0 || p[i + 1] !== 0 || p[i + 2] !== 1) continue;
      const type = p[i + 3] & 0x1f;
      if (type !== 1 && type !== 5) continue;
      try {
        const r = new RbspReader(p, i + 4, Math.min(p.length, i + 24));
        r.ue(); // first_mb_in_slice
        const sliceType = r.ue() % 5; // 0 P, 1 B, 2 I, 3 SP, 4 SI (+5: all slices the same type)
        return sliceType === 1;
      } catch {
        return false;
      }
    }
  }
  return false;
}
