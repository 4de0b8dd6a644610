/**
 * Regression: one stray audio pack 60 s ahead was accepted and dragged every later video PCR a minute
 * past its DTS; it must be refused (BAD_TIMESTAMP).
 */
import t from 'tap';
import { aus, adtsFrames, mk, videoPcrPastDts } from './common.js';
t.test('one stray audio pack 60 s ahead is refused and does not drag the video PCR past its DTS', async (t) => {
  let strayWritten = true;
  const { sink, stream } = mk();
  const adts = adtsFrames();
  let a = 0;
  const LEAD = 0;
  for (let i = 0; i < 100; i++) {
    const dts = 900_000 + 3600 * i;
    stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: dts });
    if (i === 10) strayWritten = stream.putAudioFrame({ items: [{ part1: adts[0] }], pts90k: dts + 60 * 90_000 });
    while (900_000 + a * 1920 <= dts + LEAD && a < adts.length) {
      stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a * 1920 });
      a++;
    }
  }
  stream.finalize();
  const { bad, total } = videoPcrPastDts(sink.segments);
  t.ok(total > 50, 'video PES with a PCR were checked');
  t.equal(strayWritten, false, 'the stray pack is dropped (BAD_TIMESTAMP)');
  t.equal(bad, 0, 'no video PES has PCR > DTS');
});
