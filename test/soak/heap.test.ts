/**
 * Soak (issue 6 item 4, the bounded CI part): one hour of stream time of a 1080p 5 Mbit/s camera
 * with AAC, simulated faster than real time by reusing the 250 real access units of the 1080p
 * fixture (and the AAC frames of sine.aac) with advancing timestamps. After a warm-up, the heap
 * measured after global.gc() stays within ±2 MB, the pool and ArrayBuffer memory do not grow, and
 * no listener or timer accumulates. The 10-minute real-time run is `node build/bench/soak-long.js`.
 */
import t from 'tap';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { Segment } from '../../src/types.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture } from '../helpers/fixtures.js';
import { adtsFrames } from '../fuzz/pack-mutator.js';

const gc = (globalThis as { gc?: () => void }).gc;
const STREAM_SECONDS = Number(process.env['SOAK_SECONDS'] ?? 3_600);
const FPS = 25;
const TICKS_PER_FRAME = 90_000 / FPS;
// An AAC frame is 1024 samples at 48 kHz = 1920 ticks.
const TICKS_PER_AAC = 1_920;

function heapUsedAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

t.test(`${STREAM_SECONDS} s of 1080p + AAC stream time: heap flat, pool fixed, nothing accumulates`, { skip: gc ? false : 'needs --expose-gc' }, async (t) => {
  const units = accessUnits(fixture('1080p.h264')).map((au) => annexB(au));
  const aac = adtsFrames(fixture('sine.aac'));
  // Packs built once and reused: the loop below allocates nothing of its own per frame (the pack
  // objects are mutated in place), so what the heap does is the SDK's.
  const videoPacks = units.map((u) => ({ items: [{ part1: u }], pts90k: 0 }));
  const audioPacks = aac.map((f) => ({ items: [{ part1: f }], pts90k: 0 }));
  let last: Segment | undefined;
  let segments = 0;
  const stream = new HlsStream({
    streamId: 'soak',
    mediaTimeOriginMs: 1_700_000_000_000,
    sink: {
      // Hold one segment while the next is written (as an uploader would), then release it.
      onSegment(s) {
        last?.release();
        last = s;
        segments++;
      },
    },
  });
  let drops = 0;
  const dropCodes = new Map<string, number>();
  stream.on('drop', (e) => {
    drops++;
    dropCodes.set(e.code, (dropCodes.get(e.code) ?? 0) + 1);
  });
  const listeners = stream.listenerCount('drop');
  const timersBefore = timers();
  const capacity = stream.stats().pool.capacityBytes;

  const totalFrames = STREAM_SECONDS * FPS;
  const warmupFrames = Math.min(totalFrames / 4, 300 * FPS);
  const sampleEvery = Math.floor((totalFrames - warmupFrames) / 6);
  const heap: number[] = [];
  const arrayBuffers: number[] = [];
  let audioPts = 0;
  let a = 0;
  const t0 = performance.now();
  for (let i = 0; i < totalFrames; i++) {
    const pts = 900_000 + i * TICKS_PER_FRAME;
    const vp = videoPacks[i % videoPacks.length];
    vp.pts90k = pts;
    stream.putVideoFrame(vp);
    while (900_000 + audioPts <= pts) {
      const ap = audioPacks[a++ % audioPacks.length];
      ap.pts90k = 900_000 + audioPts;
      stream.putAudioFrame(ap);
      audioPts += TICKS_PER_AAC;
    }
    if (i >= warmupFrames && (i - warmupFrames) % sampleEvery === 0) {
      heap.push(heapUsedAfterGc());
      arrayBuffers.push(process.memoryUsage().arrayBuffers);
    }
  }
  const elapsedMs = performance.now() - t0;
  heap.push(heapUsedAfterGc());
  arrayBuffers.push(process.memoryUsage().arrayBuffers);
  stream.finalize();
  last?.release();
  const s = stream.stats();
  const mb = (n: number): string => (n / 1_048_576).toFixed(3);
  t.comment(
    `${STREAM_SECONDS} s of stream (${totalFrames} frames, ${mb(s.bytes)} MB of TS, ${segments} segments) in ${Math.round(elapsedMs)} ms (${((STREAM_SECONDS * 1000) / elapsedMs).toFixed(0)}× real time)`,
  );
  t.comment(`heap after gc (MB): ${heap.map(mb).join(', ')}; arrayBuffers (MB): ${arrayBuffers.map(mb).join(', ')}`);

  const spread = Math.max(...heap) - Math.min(...heap);
  t.ok(spread <= 2 * 1_048_576, `heap after warm-up within ±2 MB (spread ${mb(spread)} MB)`);
  t.ok(heap[heap.length - 1] - heap[0] <= 2 * 1_048_576, `no heap growth from warm-up to the end (${mb(heap[heap.length - 1] - heap[0])} MB)`);
  t.ok(
    Math.max(...arrayBuffers) - arrayBuffers[0] <= 1_048_576,
    `ArrayBuffer memory (the pool) does not grow (max ${mb(Math.max(...arrayBuffers) - arrayBuffers[0])} MB over warm-up)`,
  );
  t.equal(s.pool.capacityBytes, capacity, 'pool capacity unchanged');
  t.ok(s.pool.highWaterBytes <= capacity, 'pool never held more than its capacity');
  t.equal(drops, 0, `no frame dropped ${JSON.stringify([...dropCodes])}`);
  t.equal(s.videoFramesWritten, totalFrames, 'every video frame written');
  t.equal(s.audioFramesIn, s.audioFramesWritten, 'every audio frame written');
  t.ok(segments >= STREAM_SECONDS / 2 - 1, `about one segment per 2 s (${segments})`);
  t.equal(stream.listenerCount('drop'), listeners, 'no listener added by the stream');
  t.equal(timers(), timersBefore, 'no timer left behind');
  t.equal(s.pool.usedBytes, 0, 'pool empty at the end');
});
