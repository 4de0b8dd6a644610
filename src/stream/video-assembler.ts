/**
 * Turns one video frame pack (an access unit given as two-part items) into the PES payload we write:
 * a list of byte ranges, not a copy. The payload is
 *
 *     AUD, [SPS, PPS when a segment starts and the unit lacks them], the pack's NAL units (minus AUDs)
 *
 * each behind a 4-byte start code. Exactly one AUD starts every access unit (H.264 §7.4.1.2.3; Apple's
 * HLS authoring spec asks for it): the encoder's own AUDs are skipped, ours is always written, so
 * none is missing and none is duplicated. Start codes are rewritten uniformly, which also makes the
 * output independent of where the encoder's ring split an item.
 *
 * Parameter sets are remembered (copied once, only when they change) so every segment can start
 * with SPS, PPS and an IDR even when the encoder sends them once per session.
 */
import { NalScanner } from '../h264/nal-scanner.js';
import { NalType } from '../h264/nal-types.js';
import { parseSps, type SpsInfo } from '../h264/sps.js';
import { ChunkList } from '../mpegts/chunk-list.js';
import { ErrorCode, type ErrorCodeValue } from '../errors.js';
import type { PackItem } from '../types.js';

/** AUD with primary_pic_type 7 ("any slice type") and the RBSP stop bit (H.264 §7.3.2.4). */
const AUD = Uint8Array.of(0, 0, 0, 1, NalType.Aud, 0xf0);
const START_CODE = Uint8Array.of(0, 0, 0, 1);

/** What {@link VideoAssembler.assemble} learned about a pack. */
export interface AssembledVideo {
  /** Undefined when the pack is usable; else why it must be dropped. */
  error: ErrorCodeValue | undefined;
  /** Human detail for the drop event. */
  detail: string;
  /** The unit has an IDR slice. */
  idr: boolean;
  /** VCL NAL units in the unit. */
  slices: number;
}

/** Reusable per-stream assembler; one instance per stream, nothing allocated per frame. */
export class VideoAssembler {
  /** The PES payload ranges of the last unit, complete after {@link buildPayload}. */
  readonly payload = new ChunkList();
  // The unit's own NAL units (with start codes), before the AUD and parameter sets are put in front.
  readonly #body = new ChunkList();
  readonly #scanner = new NalScanner();
  readonly #result: AssembledVideo = { error: undefined, detail: '', idr: false, slices: 0 };
  #sps: Uint8Array | undefined; // NAL bytes (header first), no start code
  #pps: Uint8Array | undefined;
  #spsInfo: SpsInfo | undefined;
  #sawSps = false;
  #sawPps = false;

  /** The parsed SPS in force, once one was seen. */
  get sps(): SpsInfo | undefined {
    return this.#spsInfo;
  }

  /** True once SPS and PPS are known, so an IDR can start a segment. */
  get hasParameterSets(): boolean {
    return this.#sps !== undefined && this.#pps !== undefined;
  }

  /**
   * Scans a pack's items, remembers parameter sets, and prepares {@link payload} without SPS/PPS
   * insertion (see {@link prependParameterSets}). Bad items make the whole pack unusable: a frame
   * missing a slice cannot be decoded, and a half-written frame would corrupt the segment.
   */
  assemble(items: readonly PackItem[]): AssembledVideo {
    const r = this.#result;
    r.error = undefined;
    r.detail = '';
    r.idr = false;
    r.slices = 0;
    this.#sawSps = false;
    this.#sawPps = false;
    const payload = this.#body;
    payload.clear();
    const scanner = this.#scanner;
    for (let k = 0; k < items.length; k++) {
      const item = items[k];
      const p1 = item.part1;
      const p2 = item.part2;
      const n = scanner.scan(p1, p2);
      if (scanner.leadingBytes > 0 || (n === 0 && scanner.badUnits === 0)) {
        return this.#fail(ErrorCode.NoStartCode, `item ${k} has ${scanner.leadingBytes} byte(s) before any Annex B start code`);
      }
      if (scanner.badUnits > 0) {
        return this.#fail(ErrorCode.BadNalUnit, `item ${k} has ${scanner.badUnits} empty NAL unit(s) or a set forbidden_zero_bit`);
      }
      const split = p1.length;
      for (let i = 0; i < n; i++) {
        const type = scanner.type(i);
        const start = scanner.start(i);
        const end = scanner.end(i);
        if (type === NalType.Aud) continue;
        if (type === NalType.Sps) {
          const err = this.#rememberSps(p1, p2, start, end);
          if (err !== undefined) return this.#fail(ErrorCode.BadSps, err);
          this.#sawSps = true;
        } else if (type === NalType.Pps) {
          this.#pps = remember(this.#pps, p1, p2, start, end);
          this.#sawPps = true;
        } else if (type >= 1 && type <= 5) {
          r.slices++;
          if (type === NalType.Idr) r.idr = true;
        }
        payload.add(START_CODE, 0, 4);
        // A unit's bytes may straddle the split between the two parts: one or two ranges.
        if (end <= split) {
          payload.add(p1, start, end);
        } else if (start >= split) {
          payload.add(p2 as Uint8Array, start - split, end - split);
        } else {
          payload.add(p1, start, split);
          payload.add(p2 as Uint8Array, 0, end - split);
        }
      }
    }
    if (r.slices === 0) return this.#fail(ErrorCode.BadNalUnit, 'pack has no coded slice (NAL types 1-5)');
    return r;
  }

  /**
   * Builds {@link payload}: our AUD, then (when `startsSegment` and the unit lacks them) the
   * remembered SPS and PPS so a segment starting at this IDR decodes on its own, then the unit's
   * NAL units. Copies range descriptors only, never payload bytes.
   */
  buildPayload(startsSegment: boolean): ChunkList {
    const p = this.payload;
    p.clear();
    p.add(AUD, 0, AUD.length);
    if (startsSegment && !(this.#sawSps && this.#sawPps) && this.#sps !== undefined && this.#pps !== undefined) {
      p.add(START_CODE, 0, 4);
      p.add(this.#sps, 0, this.#sps.length);
      p.add(START_CODE, 0, 4);
      p.add(this.#pps, 0, this.#pps.length);
    }
    const body = this.#body;
    for (let i = 0; i < body.count; i++) p.add(body.source(i), body.start(i), body.end(i));
    return p;
  }

  #fail(code: ErrorCodeValue, detail: string): AssembledVideo {
    const r = this.#result;
    r.error = code;
    r.detail = detail;
    return r;
  }

  #rememberSps(p1: Uint8Array, p2: Uint8Array | undefined, start: number, end: number): string | undefined {
    const before = this.#sps;
    const now = remember(before, p1, p2, start, end);
    if (now === before && this.#spsInfo !== undefined) return undefined;
    try {
      this.#spsInfo = parseSps(now);
      this.#sps = now;
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
}

/**
 * Returns `kept` when it already holds the unit's bytes, else a fresh copy of them. Parameter sets
 * rarely change, so this allocates only when they do.
 */
function remember(kept: Uint8Array | undefined, p1: Uint8Array, p2: Uint8Array | undefined, start: number, end: number): Uint8Array {
  const len = end - start;
  const split = p1.length;
  if (kept !== undefined && kept.length === len) {
    let same = true;
    for (let i = 0; i < len && same; i++) {
      const v = start + i;
      same = kept[i] === (v < split ? p1[v] : (p2 as Uint8Array)[v - split]);
    }
    if (same) return kept;
  }
  const copy = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const v = start + i;
    copy[i] = v < split ? p1[v] : (p2 as Uint8Array)[v - split];
  }
  return copy;
}
