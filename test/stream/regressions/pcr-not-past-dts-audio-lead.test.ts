/**
 * Regression: audio leading video (encoder lookahead) pushed PCR-fill packets, and so the video PCR,
 * past the video DTS.
 */
import t from 'tap';
import { aus, adtsFrames, mk, videoPcrPastDts } from './common.js';
t.test('audio leading video pushes the video PCR past its DTS', async (t) => {
  const { sink, stream } = mk();
  const adts = adtsFrames();
  let a = 0;
  const LEAD = 45_000; // audio timestamps 500 ms ahead of video DTS in arrival order (encoder lookahead/reorder)
  for (let i = 0; i < 100; i++) {
    const dts = 900_000 + 3600 * i;
    stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: dts });
    while (900_000 + a * 1920 <= dts + LEAD && a < adts.length) {
      stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a * 1920 });
      a++;
    }
  }
  stream.finalize();
  const { bad, total } = videoPcrPastDts(sink.segments);
  t.ok(total > 50, 'video PES with a PCR were checked');
  t.equal(bad, 0, 'no video PES has PCR > DTS');
});
