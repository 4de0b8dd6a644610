/**
 * Regression: a B-frame stream given PTS only looked like a timestamp reset at every B-frame and
 * wrote nothing; now reordered frames are refused as MISSING_DTS and the rest still makes segments.
 * Also: B-frames + audio under pool pressure keep every segment valid and the counters adding up.
 */
import t from 'tap';
import { accessUnits, annexB } from '../../helpers/annexb-units.js';
import { highBframes } from '../../helpers/fixtures.js';
import { checkTransportStream } from '../../checker/ts-checker.js';
import { adtsFrames, mk } from './common.js';
const { annexB: raw, packets } = highBframes();
const units = accessUnits(raw).map((n) => annexB(n));
t.test('B-frames, pts only (timestampUs-style input without dts)', async (t) => {
  const { sink, stream } = mk();
  for (let i = 0; i < units.length; i++) stream.putVideoFrame({ items: [{ part1: units[i] }], pts90k: packets[i].pts });
  stream.finalize();
  const st = stream.stats();
  t.ok((st.droppedByReason['MISSING_DTS'] ?? 0) > 0, 'reordered frames without DTS are refused, named MISSING_DTS');
  t.equal(st.droppedByReason['TIMESTAMP_DISCONTINUITY'] ?? 0, 0, 'not mistaken for timestamp resets');
  t.ok(st.videoFramesWritten > 0 && sink.segments.length > 0, 'frames in decode order still make segments');
});
t.test('B-frames + audio + pool pressure + rollbacks: stream stays valid', async (t) => {
  const adts = adtsFrames();
  for (const target of [1, 2, 3])
    for (const poolBytes of [120_000, 160_000, 200_000, 250_000, 300_000, 400_000]) {
      const { sink, stream } = mk({ poolBytes, hold: true, target });
      let a = 0;
      for (let r = 0; r < 4; r++) {
        const off = (r * 400 * 90_000) / 100;
        for (let i = 0; i < units.length; i++) {
          stream.putVideoFrame({ items: [{ part1: units[i] }], pts90k: packets[i].pts + off, dts90k: packets[i].dts + off });
          while (a < adts.length * (r + 1) && (a % adts.length) * 1920 + off + packets[0].pts <= packets[i].dts + off + 3000) {
            stream.putAudioFrame({ items: [{ part1: adts[a % adts.length] }], pts90k: (a % adts.length) * 1920 + off + packets[0].pts });
            a++;
          }
          if (i % 37 === 0) sink.releaseAll();
        }
      }
      stream.finalize();
      sink.releaseAll();
      const st = stream.stats();
      let state: { cc: Map<number, number>; lastPcr?: number } = { cc: new Map<number, number>() };
      const errs: string[] = [];
      let prevDisc = false;
      for (const s of sink.segments) {
        if (s.meta.discontinuity) state = { cc: new Map() };
        const r = checkTransportStream(s.bytes, { state });
        const pmtAudio = s.bytes[188 + 5 + 12 + 5] === 0x0f;
        if (pmtAudio !== s.meta.audioFrames > 0) errs.push(`seg${s.meta.sequence}: PMT audio ${pmtAudio} but ${s.meta.audioFrames} audio`);
        errs.push(...r.errors.map((e) => `seg${s.meta.sequence}(${s.meta.discontinuityReason}): ${e}`));
        prevDisc = s.meta.discontinuity;
      }
      void prevDisc;
      t.same(errs.slice(0, 10), [], `pool ${poolBytes}: clean`);
      t.equal(st.videoFramesIn, st.videoFramesWritten + st.videoFramesDropped);
      t.equal(st.audioFramesIn, st.audioFramesWritten + st.audioFramesDropped);
      t.equal(
        sink.segments.reduce((n, s) => n + s.meta.videoFrames, 0),
        st.videoFramesWritten,
        'segments hold the written video frames',
      );
      t.equal(
        sink.segments.reduce((n, s) => n + s.meta.audioFrames, 0),
        st.audioFramesWritten,
        'segments hold the written audio',
      );
    }
});
