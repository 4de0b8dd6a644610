import t from 'tap';
import { HlsStream } from '../../../src/stream/hls-stream.js';
import { adtsFrames, aus } from './common.js';

// Regression of the per-ADTS-frame audio cut (0f0ac30): every audio pack emptied its frame-end list
// with `length = 0` (which frees the array's storage, so the next push allocated it again), and each
// frame held near a cut cost a record object and a subarray view. Video and audio muxed for long
// enough that segment objects (60 s segments) weigh nothing per frame: the heap must not grow with
// the frames. Measured here under tap: 142 B per frame before the fix, 39 after it (the bench, on
// compiled JS: 101 → 1.5); the bound sits between.
t.test('muxing video + AAC allocates nothing per frame in steady state', async (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  t.ok(gc, 'gc() is exposed (package.json "tap" passes --expose-gc)');
  if (!gc) return;
  const audio = adtsFrames();
  const stream = new HlsStream({
    streamId: 'alloc',
    targetSegmentSeconds: 60,
    poolBytes: 16 * 1024 * 1024,
    mediaTimeOriginMs: 1_700_000_000_000,
    sink: { onSegment: (s) => s.release() },
  });
  const video = aus.map((bytes) => ({ items: [{ part1: bytes }], pts90k: 0 }));
  const packs = audio.map((bytes) => ({ items: [{ part1: bytes }], pts90k: 0 }));
  // 25 fps video; 1024-sample AAC frames at the fixture's rate, interleaved by time (audio of each
  // video frame's interval after it, as the bench does): the loop replays both with running timestamps.
  const audioTicks = (1024 * 90_000) / 48_000;
  let v = 0;
  let a = 0;
  const run = (frames: number): number => {
    let audioFrames = 0;
    for (let i = 0; i < frames; i++, v++) {
      const p = video[v % video.length];
      p.pts90k = 90_000 + v * 3_600;
      // The fixture loops at an IDR only: its first unit is one.
      stream.putVideoFrame(p);
      for (; a * audioTicks <= (v + 1) * 3_600; a++, audioFrames++) {
        const q = packs[a % packs.length];
        q.pts90k = 90_000 + Math.round(a * audioTicks);
        stream.putAudioFrame(q);
      }
    }
    return audioFrames;
  };
  const loop = video.length;
  run(loop * 20); // warm up: JIT, the holds' buffers, the copiers' cached views
  gc();
  const before = process.memoryUsage().heapUsed;
  const frames = loop * 40;
  const audioFrames = run(frames);
  const grown = process.memoryUsage().heapUsed - before;
  const s = stream.stats();
  t.equal(s.videoFramesDropped + s.audioFramesDropped, 0, 'nothing dropped');
  const perFrame = grown / (frames + audioFrames);
  t.ok(perFrame < 80, `heap grew ${grown} bytes over ${frames} video and ${audioFrames} audio frames: ${perFrame.toFixed(1)} B/frame`);
  stream.finalize();
});
