import t from 'tap';
import { aus, adtsFrames, mk } from './common.js';
function ts5(b: Uint8Array, o: number) { return (((b[o] >> 1) & 7) * 2 ** 30) + ((b[o + 1] << 7) | (b[o + 2] >> 1)) * 2 ** 15 + ((b[o + 3] << 7) | (b[o + 4] >> 1)); }
t.test('audio leading video pushes the video PCR past its DTS', async (t) => {
  const { sink, stream } = mk();
  const adts = adtsFrames();
  let a = 0;
  const LEAD = 45_000; // audio timestamps 500 ms ahead of video DTS in arrival order (encoder lookahead/reorder)
  for (let i = 0; i < 100; i++) {
    const dts = 900_000 + 3600 * i;
    stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: dts });
    while (900_000 + a * 1920 <= dts + LEAD && a < adts.length) { stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a * 1920 }); a++; }
  }
  stream.finalize();
  let bad = 0, total = 0, worst = 0;
  for (const s of sink.segments) {
    const b = s.bytes;
    for (let o = 0; o < b.length; o += 188) {
      const pid = ((b[o + 1] & 0x1f) << 8) | b[o + 2];
      if (pid !== 0x100 || !(b[o + 1] & 0x40)) continue;
      const afl = b[o + 4]; const flags = b[o + 5];
      if (!(flags & 0x10)) continue;
      const pcr = b[o + 6] * 2 ** 25 + b[o + 7] * 2 ** 17 + b[o + 8] * 2 ** 9 + b[o + 9] * 2 + (b[o + 10] >> 7);
      const p = o + 5 + afl; // PES start
      const hasDts = (b[p + 7] & 0xc0) === 0xc0;
      const dts = ts5(b, p + (hasDts ? 14 : 9));
      total++; if (pcr > dts) { bad++; worst = Math.max(worst, pcr - dts); }
    }
  }
  t.equal(bad, 0, 'no video PES has PCR > DTS');
});
