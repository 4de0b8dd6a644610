/**
 * Regression: a sink that threw from onSegment never released the segment; the pool filled and the
 * stream died. The stream now releases what a throwing sink was handed.
 */
import t from 'tap';
import { HlsStream } from '../../../src/stream/hls-stream.js';
import { aus } from './common.js';
t.test('sink throws', async (t) => {
  const stream = new HlsStream({
    streamId: 'x',
    poolBytes: 1 << 20,
    targetSegmentSeconds: 1,
    sink: {
      onSegment() {
        throw new Error('boom');
      },
    },
  });
  const errs: Error[] = [];
  stream.on('sink-error', (e) => errs.push(e));
  let pts = 0;
  for (let r = 0; r < 20; r++) for (let i = 0; i < aus.length; i++) stream.putVideoFrame({ items: [{ part1: aus[i] }], pts90k: (pts += 3600) });
  const st = stream.stats();
  t.equal(st.pool.heldSegments, 0, 'segments the sink threw on are released (as the event doc says)');
});
