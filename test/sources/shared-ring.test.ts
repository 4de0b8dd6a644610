import t from 'tap';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { createSharedRing, ringViews } from '../../src/sources/shared-ring-layout.js';
import { SharedRingReader } from '../../src/sources/shared-ring-reader.js';
import { SharedRingWriter } from '../../src/sources/shared-ring-writer.js';
import type { VideoFramePack } from '../../src/types.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { Segment } from '../../src/types.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { fixturePath, hasFfmpeg } from '../helpers/fixtures.js';
import { tsWorkerEntry } from '../helpers/ts-loader.js';
import { Collector } from './collector.js';

const WORKER = new URL('./workers/ring-encoder.worker.ts', import.meta.url);

function runWorker(ring: SharedArrayBuffer, repeat: number, pieces: boolean): Promise<string[]> {
  const { entry, argv } = tsWorkerEntry(WORKER);
  const w = new Worker(entry, { argv, workerData: { ring, path: fixturePath('baseline.h264'), repeat, pieces } });
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

t.test('sizes are checked and name the option', async (t) => {
  t.throws(() => createSharedRing({ capacityBytes: 10 }), { name: 'RangeError', message: /capacityBytes.*10/ });
  t.throws(() => createSharedRing({ slots: 1 }), { name: 'RangeError', message: /slots/ });
  t.throws(() => ringViews(new SharedArrayBuffer(1024)), { name: 'TypeError', message: /createSharedRing/ });
  const w = new SharedRingWriter(createSharedRing({ capacityBytes: 1024, slots: 2 }));
  t.throws(() => w.write(new Uint8Array(2000), 0), { name: 'RangeError', message: /2000/ });
  t.equal(w.write(new Uint8Array(10), 0), true);
  t.equal(w.write(new Uint8Array(10), 1), true);
  t.equal(w.write(new Uint8Array(10), 2, 2, 5), false, 'full (slots): times out instead of overwriting');
});

t.test('a unit that wraps arrives as part1 (to the end) + part2 (from the start), as views of the ring', async (t) => {
  const ring = createSharedRing({ capacityBytes: 1024, slots: 4 });
  const w = new SharedRingWriter(ring);
  const r = new SharedRingReader(ring);
  const seen: { p1: number; p2: number; shared: boolean; bytes: number[]; pts: number }[] = [];
  const target = {
    putVideoFrame(p: VideoFramePack) {
      const it = p.items[0];
      seen.push({ p1: it.part1.length, p2: it.part2?.length ?? 0, shared: it.part1.buffer === ring, bytes: [...it.part1, ...(it.part2 ?? [])], pts: p.pts90k! });
      return true;
    },
    putAudioFrame: () => true,
    markDiscontinuity() {},
  };
  const a = new Uint8Array(900).map((_, i) => i & 0xff);
  const b = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
  w.write(a, 2 ** 33 + 5); // PTS above 2^33 stays exact (Float64 slot)
  const running = r.run(target);
  await new Promise((res) => setTimeout(res, 20));
  w.write(b, 7); // 124 bytes left at the end: wraps
  w.close();
  const res = await running;
  t.same(
    seen.map((s) => [s.p1, s.p2]),
    [
      [900, 0],
      [124, 176],
    ],
  );
  t.ok(
    seen.every((s) => s.shared),
    'no copy: views into the SharedArrayBuffer',
  );
  t.same(seen[1].bytes, [...b]);
  t.equal(seen[0].pts, 2 ** 33 + 5);
  t.same(res, { frames: 2, bytes: 1200, wrapped: 1, refused: 0, reason: 'closed' });
});

t.test(
  'worker encoder → ring → reader: every byte the worker wrote arrives, in order, through a small ring',
  { skip: hasFfmpeg() ? false : 'ffmpeg needed for the fixture' },
  async (t) => {
    for (const pieces of [false, true]) {
      // 64 KiB ring: smaller than a few frames, so the writer blocks on the reader and units wrap often.
      const ring = createSharedRing({ capacityBytes: 64 * 1024, slots: 8 });
      const c = new Collector();
      const [hashes, res] = await Promise.all([runWorker(ring, 3, pieces), new SharedRingReader(ring).run(c)]);
      t.equal(c.video.length, hashes.length, `${hashes.length} frames (pieces=${pieces})`);
      t.same(
        c.video.map((v) => createHash('sha256').update(v.bytes!).digest('hex')),
        hashes,
        'same bytes, same order',
      );
      t.ok(res.wrapped > 10, `${res.wrapped} units wrapped`);
      t.equal(c.video[30].pts, 30 * 3600 + 2 ** 33 - 90_000);
    }
  },
);

t.test("worker encoder → ring → HlsStream: segments pass the ffmpeg gate and hold the worker's frames", { skip: hasFfmpeg() ? false : 'ffmpeg needed' }, async (t) => {
  const ring = createSharedRing({ capacityBytes: 256 * 1024, slots: 32 });
  const segments: Buffer[] = [];
  let frames = 0;
  const stream = new HlsStream({
    streamId: 'ring',
    poolBytes: 4 * 1024 * 1024,
    sink: {
      onSegment(s: Segment) {
        segments.push(Buffer.concat(s.parts));
        frames += s.videoFrames;
        s.release();
      },
    },
  });
  const [hashes, res] = await Promise.all([runWorker(ring, 2, false), new SharedRingReader(ring).run(stream)]);
  stream.finalize();
  t.equal(res.refused, 0, 'no frame dropped');
  t.equal(frames, hashes.length, 'every frame in a segment');
  t.equal(stream.stats().videoFramesDropped, 0);
  const gate = ffmpegGate(segments);
  t.ok(gate.ok, gate.stderr);
});
