import { HlsStream, type DropEvent } from '../../../src/stream/hls-stream.js';
import { accessUnits, annexB } from '../../helpers/annexb-units.js';
import { fixture } from '../../helpers/fixtures.js';
import { CollectSink } from '../../helpers/collect-sink.js';
export const aus = accessUnits(fixture('baseline.h264')).map((nals) => annexB(nals));
export const aac = fixture('sine.aac');
export function adtsFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 7 <= aac.length) {
    const len = ((aac[p + 3] & 3) << 11) | (aac[p + 4] << 3) | (aac[p + 5] >> 5);
    out.push(aac.subarray(p, p + len));
    p += len;
  }
  return out;
}
export function isIdr(au: Uint8Array): boolean {
  for (let i = 0; i + 3 < au.length; i++) if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1 && (au[i + 3] & 0x1f) === 5) return true;
  return false;
}
export function mk(opts: { poolBytes?: number; hold?: boolean; target?: number; origin?: number } = {}) {
  const sink = new CollectSink({ hold: opts.hold });
  const stream = new HlsStream({ streamId: 'rv', sink, poolBytes: opts.poolBytes, targetSegmentSeconds: opts.target, mediaTimeOriginMs: opts.origin });
  const drops: DropEvent[] = [];
  stream.on('drop', (e) => drops.push(e));
  return { sink, stream, drops };
}

/** 33-bit PTS/DTS from its 5-byte field (ISO/IEC 13818-1 §2.4.3.7), with arithmetic (values pass 2^31). */
function timestamp5(b: Uint8Array, o: number): number {
  return ((b[o] >> 1) & 7) * 2 ** 30 + ((b[o + 1] << 7) | (b[o + 2] >> 1)) * 2 ** 15 + ((b[o + 3] << 7) | (b[o + 4] >> 1));
}

/** Counts the video PES (PID 0x100) whose PCR is later than their DTS, over every segment. */
export function videoPcrPastDts(segments: readonly { bytes: Uint8Array }[]): { bad: number; total: number; worstTicks: number } {
  let bad = 0;
  let total = 0;
  let worstTicks = 0;
  for (const s of segments) {
    const b = s.bytes;
    for (let o = 0; o < b.length; o += 188) {
      const pid = ((b[o + 1] & 0x1f) << 8) | b[o + 2];
      if (pid !== 0x100 || !(b[o + 1] & 0x40) || !(b[o + 5] & 0x10)) continue; // PES start with a PCR
      const pcr = b[o + 6] * 2 ** 25 + b[o + 7] * 2 ** 17 + b[o + 8] * 2 ** 9 + b[o + 9] * 2 + (b[o + 10] >> 7);
      const p = o + 5 + b[o + 4]; // after the adaptation field: the PES header
      const dts = timestamp5(b, p + ((b[p + 7] & 0xc0) === 0xc0 ? 14 : 9));
      total++;
      if (pcr > dts) {
        bad++;
        worstTicks = Math.max(worstTicks, pcr - dts);
      }
    }
  }
  return { bad, total, worstTicks };
}
