/**
 * A deliberately simple access-unit splitter for test fixtures, independent of src/h264: a new unit
 * starts at an AUD, at SPS/PPS/SEI following a slice, or at a slice with first_mb_in_slice = 0
 * (its first slice-header bit is 1) following a slice. Good enough for libx264 output; the SDK's
 * real splitter (src/h264/access-unit-splitter.ts) is tested against ffprobe separately.
 */

/** One NAL unit of a contiguous Annex B buffer: where its start code begins, where its header byte is, and where it ends. */
export interface TestNal {
  readonly codeStart: number;
  readonly start: number;
  readonly end: number;
  readonly type: number;
}

/** All NAL units of an Annex B buffer. */
export function nalUnits(buf: Uint8Array): TestNal[] {
  const starts: { codeStart: number; start: number }[] = [];
  for (let i = 0; i + 2 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      const codeStart = i > 0 && buf[i - 1] === 0 ? i - 1 : i;
      starts.push({ codeStart, start: i + 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1].codeStart : buf.length;
    while (end > s.start && buf[end - 1] === 0) end--;
    return { codeStart: s.codeStart, start: s.start, end, type: buf[s.start] & 0x1f };
  });
}

/** The access units of an Annex B buffer, each as the NAL units (without start codes) it holds. */
export function accessUnits(buf: Uint8Array): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let sawSlice = false;
  for (const nal of nalUnits(buf)) {
    const isSlice = nal.type >= 1 && nal.type <= 5;
    const newUnit = nal.type === 9 || (sawSlice && (nal.type === 6 || nal.type === 7 || nal.type === 8)) || (sawSlice && isSlice && (buf[nal.start + 1] & 0x80) !== 0);
    if (newUnit && current.length > 0) {
      units.push(current);
      current = [];
      sawSlice = false;
    }
    current.push(buf.subarray(nal.start, nal.end));
    if (isSlice) sawSlice = true;
  }
  if (current.length > 0) units.push(current);
  return units;
}

/** An access unit as one Annex B buffer (4-byte start codes), optionally without its AUD. */
export function annexB(nals: readonly Uint8Array[], options: { dropAud?: boolean; shortStartCodes?: boolean } = {}): Uint8Array {
  const kept = options.dropAud ? nals.filter((n) => (n[0] & 0x1f) !== 9) : nals;
  const code = options.shortStartCodes ? [0, 0, 1] : [0, 0, 0, 1];
  const out = new Uint8Array(kept.reduce((n, x) => n + code.length + x.length, 0));
  let o = 0;
  for (const n of kept) {
    out.set(code, o);
    out.set(n, o + code.length);
    o += code.length + n.length;
  }
  return out;
}
