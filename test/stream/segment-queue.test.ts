/** The async-iterator sink: segments in order, backpressure through the pool, end at finalize. */
import t from 'tap';
import { ErrorCode } from '../../src/errors.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import { SegmentQueue } from '../../src/stream/segment-queue.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it' });
} else {
  const aus = accessUnits(fixture('1080p.h264')).map((n) => annexB(n));

  t.test('for await over a stream: every segment, in order, then done', async (t) => {
    const queue = new SegmentQueue();
    const stream = new HlsStream({ streamId: 'q', sink: queue });
    const consumed: number[] = [];
    const consumer = (async () => {
      for await (const s of queue) {
        consumed.push(s.sequence);
        s.release();
      }
    })();
    for (let i = 0; i < aus.length; i++) {
      stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: i * 3600 });
      if (i % 10 === 0) await new Promise((r) => setImmediate(r)); // let the consumer run, as a real loop would
    }
    stream.finalize();
    await consumer;
    t.same(consumed, [0, 1, 2, 3, 4]);
    t.equal(stream.stats().videoFramesDropped, 0);
    t.equal(stream.stats().pool.usedBytes, 0, 'everything released');
  });

  t.test('a consumer that does not keep up fills the pool: drops are counted, never lost silently', async (t) => {
    const queue = new SegmentQueue();
    const stream = new HlsStream({ streamId: 'slow', sink: queue, poolBytes: 2 * 1024 * 1024 });
    for (let i = 0; i < aus.length; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: i * 3600 });
    stream.finalize();
    const st = stream.stats();
    t.ok(st.droppedByReason[ErrorCode.PoolFull] > 0, 'pool filled');
    t.equal(st.videoFramesIn, st.videoFramesWritten + st.videoFramesDropped);
    let frames = 0;
    for await (const s of queue) {
      frames += s.videoFrames;
      s.release();
    }
    t.equal(frames, st.videoFramesWritten, 'what was written comes out');
  });
}
