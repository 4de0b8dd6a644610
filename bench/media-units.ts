/**
 * A small splitter for the benchmark's own inputs: Annex B access units and ADTS frames as views
 * of the file (no copy), the way an encoder hands them over. Good for libx264 output (a new access
 * unit at an AUD, at SPS/PPS/SEI after a slice, or at a slice whose first_mb_in_slice is 0 after a
 * slice); the SDK's full splitter is src/h264/access-unit-splitter.ts.
 */

/** One access unit: a view of the file from its first start code to the next unit's. */
export interface BenchUnit {
  readonly bytes: Uint8Array;
  readonly idr: boolean;
}

/**
 * Splits a whole Annex B buffer into access units.
 *
 * @param buf - the file
 * @returns the units in decode order, as views of `buf`
 */
export function splitAccessUnits(buf: Uint8Array): BenchUnit[] {
  const units: BenchUnit[] = [];
  let unitStart = -1;
  let sawSlice = false;
  let idr = false;
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] !== 0 || buf[i + 1] !== 0 || buf[i + 2] !== 1) continue;
    const codeStart = i > 0 && buf[i - 1] === 0 ? i - 1 : i;
    const type = buf[i + 3] & 0x1f;
    const isSlice = type >= 1 && type <= 5;
    // first_mb_in_slice is ue(v): its first bit is 1 exactly when it is 0 (H.264 §7.3.3, §9.1).
    const newUnit = type === 9 || (sawSlice && (type === 6 || type === 7 || type === 8)) || (sawSlice && isSlice && (buf[i + 4] & 0x80) !== 0);
    if (unitStart < 0) unitStart = codeStart;
    else if (newUnit) {
      units.push({ bytes: buf.subarray(unitStart, codeStart), idr });
      unitStart = codeStart;
      sawSlice = false;
      idr = false;
    }
    if (isSlice) sawSlice = true;
    if (type === 5) idr = true;
    i += 2;
  }
  if (unitStart >= 0) units.push({ bytes: buf.subarray(unitStart), idr });
  return units;
}

/**
 * Splits an ADTS file into frames (aac_frame_length, ISO/IEC 13818-7 §6.2.1).
 *
 * @param buf - the file
 * @returns the frames, as views of `buf`
 */
export function splitAdtsFrames(buf: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let i = 0;
  while (i + 7 <= buf.length && buf[i] === 0xff && (buf[i + 1] & 0xf0) === 0xf0) {
    const len = (buf[i + 3] & 0x03) * 2048 + buf[i + 4] * 8 + Math.floor(buf[i + 5] / 32);
    if (len < 7 || i + len > buf.length) break;
    frames.push(buf.subarray(i, i + len));
    i += len;
  }
  return frames;
}
