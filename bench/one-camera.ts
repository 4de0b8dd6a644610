/**
 * Child process of the memory figures: one camera, nothing else. Loads the first 10 s of the bench
 * input (250 access units, copied out so the file's buffer can be collected), then streams one hour
 * of media time faster than real time (the soak logic) and prints one line of JSON: RSS, and heap
 * growth from the end of a 5-minute warm-up to the end of the hour, both after gc.
 *
 * Usage: `node --expose-gc build/bench/one-camera.js <file.h264> [streamSeconds]`
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HlsStream } from '../src/stream/hls-stream.js';
import type { Segment } from '../src/types.js';
import { fullGc, hasGc } from './figures.js';
import { splitAccessUnits } from './media-units.js';

/** What the child prints. */
export interface OneCameraFigures {
  readonly rssBytes: number;
  readonly rssPeakBytes: number;
  readonly heapAfterWarmupBytes: number;
  readonly heapEndBytes: number;
  readonly heapGrowthBytes: number;
  readonly streamSeconds: number;
  readonly elapsedMs: number;
  readonly dropped: number;
  readonly segments: number;
}

/**
 * Runs the camera.
 * @param path - Annex B input
 * @param streamSeconds - media time to stream @defaultValue 3600
 * @returns the figures
 */
export function runOneCamera(path: string, streamSeconds = 3_600): OneCameraFigures {
  // Only the first 10 MB of the file are read (10 s of 5 Mbit/s is 6.25 MB): RSS shows the camera, not the input file.
  const head = new Uint8Array(10_000_000);
  const fd = openSync(path, 'r');
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const units = splitAccessUnits(head.subarray(0, n))
    .slice(0, 250)
    .map((u) => Uint8Array.from(u.bytes));
  const packs = units.map((u) => ({ items: [{ part1: u }], pts90k: 0 }));
  let held: Segment | undefined;
  let segments = 0;
  const stream = new HlsStream({
    streamId: 'one',
    mediaTimeOriginMs: 1_700_000_000_000,
    sink: {
      onSegment: (s) => {
        held?.release();
        held = s;
        segments++;
      },
    },
  });
  const frames = streamSeconds * 25;
  const warmup = Math.min(frames / 4, 300 * 25);
  let heapAfterWarmup = 0;
  let rssPeak = 0;
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) {
    const p = packs[i % packs.length];
    p.pts90k = 90_000 + i * 3_600;
    stream.putVideoFrame(p);
    if (i === warmup) {
      fullGc();
      heapAfterWarmup = process.memoryUsage().heapUsed;
    }
    if (i % 2_500 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }
  const elapsedMs = performance.now() - t0;
  fullGc();
  const heapEnd = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage.rss();
  const s = stream.stats();
  stream.finalize();
  held?.release();
  return {
    rssBytes: rss,
    rssPeakBytes: Math.max(rssPeak, rss),
    heapAfterWarmupBytes: heapAfterWarmup,
    heapEndBytes: heapEnd,
    heapGrowthBytes: heapEnd - heapAfterWarmup,
    streamSeconds,
    elapsedMs,
    dropped: s.videoFramesDropped,
    segments,
  };
}

if (process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const path = process.argv[2];
  if (path === undefined || !hasGc()) {
    console.error('usage: node --expose-gc build/bench/one-camera.js <file.h264> [streamSeconds]');
    process.exit(2);
  }
  console.log(JSON.stringify(runOneCamera(path, Number(process.argv[3] ?? 3_600))));
}
