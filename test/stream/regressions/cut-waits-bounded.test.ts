/**
 * Regression guard for the audio wait at a cut (issue 11 §2): video held at a cut waits for audio only
 * while audio is coming. When the audio stops, cuts happen on time and nothing stays held; when audio
 * is late, its frames before the cut still land in the segment before it.
 */
import t from 'tap';
import { measureTiming } from '../../checker/tstd-timing.js';
import { adtsFrames, aus, mk } from './common.js';

t.test('audio that stops does not hold the cuts', async (t) => {
  const { sink, stream } = mk({ target: 1 });
  const adts = adtsFrames();
  let a = 0;
  for (let i = 0; i < 100; i++) {
    const pts = 900_000 + i * 3600;
    t.equal(stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: pts }), true);
    // Audio for the first 1.2 s only, delivered 100 ms late.
    while (a < 56 && 900_000 + a * 1920 + 9000 <= pts) stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a++ * 1920 });
  }
  const before = stream.stats().videoFramesWritten;
  t.ok(before >= 75, `video is not held once the audio stopped (${before} of 100 written before finalize)`);
  stream.finalize();
  t.equal(sink.segments.length, 4, 'a segment per 1 s GOP');
  t.same(
    sink.segments.map((s) => s.meta.videoFrames),
    [25, 25, 25, 25],
  );
  const r = measureTiming(
    sink.segments.map((s) => s.bytes),
    { minMarginMs: 200 },
  );
  t.same(r.errors, [], 'timing clean');
  t.equal(r.audioFrames, 56, 'every audio frame stored once');
  t.ok(r.segments[1].firstAudioPtsMs !== undefined && Math.abs(r.segments[1].audioStartOffsetMs ?? 99) <= r.audioFrameMs, 'the segment after the first cut starts with its audio');
});

t.test('maxAudioWaitMs: 0 cuts without waiting (audio of the cut carried over, nothing lost)', async (t) => {
  const { HlsStream } = await import('../../../src/stream/hls-stream.js');
  const { CollectSink } = await import('../../helpers/collect-sink.js');
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'w0', sink, targetSegmentSeconds: 1, maxAudioWaitMs: 0 });
  const adts = adtsFrames();
  let a = 0;
  for (let i = 0; i < 100; i++) {
    const pts = 900_000 + i * 3600;
    stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: pts });
    while (a < adts.length && 900_000 + a * 1920 + 9000 <= pts) stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a++ * 1920 });
  }
  stream.finalize();
  const r = measureTiming(sink.segments.map((s) => s.bytes));
  t.equal(r.audioFrames, a, 'every audio frame stored once');
  t.ok(r.maxCarriedAudioMs > 50, `without the wait, late audio opens the next segment (${r.maxCarriedAudioMs.toFixed(1)} ms)`);
});
