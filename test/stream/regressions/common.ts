import { HlsStream, type DropEvent } from '../../../src/stream/hls-stream.js';
import { accessUnits, annexB } from '../../helpers/annexb-units.js';
import { fixture } from '../../helpers/fixtures.js';
import { CollectSink } from '../../helpers/collect-sink.js';
export const aus = accessUnits(fixture('baseline.h264')).map((nals) => annexB(nals));
export const aac = fixture('sine.aac');
export function adtsFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 7 <= aac.length) { const len = ((aac[p + 3] & 3) << 11) | (aac[p + 4] << 3) | (aac[p + 5] >> 5); out.push(aac.subarray(p, p + len)); p += len; }
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
