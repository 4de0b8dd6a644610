/**
 * Edge checks of frame packs: shape errors a program makes (wrong types) throw TypeError; empty or
 * inconsistent packs an encoder can produce are reported as a code so the stream counts a drop and
 * goes on.
 */
import { ErrorCode, type ErrorCodeValue } from '../errors.js';
import type { DiscontinuityReason, PackItem, PackTiming } from '../types.js';

/** PTS going back less than this without a DTS is B-frame reordering, not a timestamp reset. */
const MAX_REORDER_TICKS = 90_000;

/** Checks a pack's items; returns undefined when usable, else the drop code. */
export function checkItems(items: unknown, what: string): ErrorCodeValue | undefined {
  if (!Array.isArray(items)) throw new TypeError(`${what}.items must be an array of { part1, part2? }, got ${typeof items}`);
  if (items.length === 0) return ErrorCode.EmptyPack;
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PackItem | undefined;
    if (item === null || typeof item !== 'object' || !(item.part1 instanceof Uint8Array)) {
      throw new TypeError(`${what}.items[${i}].part1 must be a Uint8Array`);
    }
    const p2 = item.part2;
    if (p2 !== undefined && !(p2 instanceof Uint8Array)) throw new TypeError(`${what}.items[${i}].part2 must be a Uint8Array or undefined`);
    if (item.part1.length === 0 && p2 !== undefined && p2.length > 0) return ErrorCode.SecondPartWithoutFirst;
    bytes += item.part1.length + (p2 === undefined ? 0 : p2.length);
  }
  return bytes === 0 ? ErrorCode.EmptyPack : undefined;
}

/**
 * The pack's PTS and DTS in 90 kHz ticks, written into `out`; returns false when the timestamps
 * are missing or not finite non-negative numbers (or DTS > PTS).
 */
export function readTiming(pack: PackTiming, out: { pts: number; dts: number }): boolean {
  let pts: number;
  if (pack.pts90k !== undefined) {
    pts = pack.pts90k;
  } else if (pack.timestampUs !== undefined) {
    // µs → 90 kHz: × 0.09. Multiplying by 9 first could pass 2^53 for epoch-based µs clocks.
    pts = Math.round(pack.timestampUs * 0.09);
  } else {
    return false;
  }
  const dts = pack.dts90k ?? (pack.pts90k === undefined && pack.decodeTimestampUs !== undefined ? Math.round(pack.decodeTimestampUs * 0.09) : pts);
  // Past 2^53 ticks (~3000 years) integers are no longer exact: refuse rather than write wrong bits.
  if (!(pts >= 0 && pts <= Number.MAX_SAFE_INTEGER) || !(dts >= 0 && dts <= pts)) return false;
  out.pts = Math.round(pts);
  out.dts = Math.round(dts);
  return true;
}

/**
 * What a step between consecutive video DTS says about the timeline.
 * @param step - this DTS minus the previous one, 90 kHz ticks
 * @param dtsGiven - the pack carried its own DTS (dts90k or decodeTimestampUs)
 * @param maxGapTicks - largest forward step that is still the same timeline
 * @returns `missing-dts` when PTS went back a little with no DTS given (a B-frame stream: writing
 *   DTS = PTS would make decode time go backwards, so say what is missing instead of calling it a
 *   timestamp reset); `timestamp-reset` / `timestamp-jump` for a new timeline; undefined when continuous
 */
export function classifyDtsStep(step: number, dtsGiven: boolean, maxGapTicks: number): DiscontinuityReason | 'missing-dts' | undefined {
  if (step < 0 && step > -MAX_REORDER_TICKS && !dtsGiven) return 'missing-dts';
  return step < 0 ? 'timestamp-reset' : step > maxGapTicks ? 'timestamp-jump' : undefined;
}
