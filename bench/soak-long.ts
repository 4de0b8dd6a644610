/**
 * The real-time soak (issue 6 item 4): cameras streaming the bench's 1080p 5 Mbit/s input (+ AAC) at
 * real time for 10 minutes (default) into a sink that holds each segment ~1 s before releasing it
 * (as an upload would). Every 30 s it prints heap used after gc, RSS, ArrayBuffer memory, active
 * timers and pool high-water mark; at the end it checks heap flat (± 2 MB after a 1-minute warm-up),
 * RSS bounded, no timer or listener growth, no drop, and exits 1 when one does not hold.
 *
 * Usage: `node --expose-gc build/bench/soak-long.js [--minutes 10] [--cameras 1]`
 */
import { readFileSync } from 'node:fs';
import { HlsStream } from '../src/stream/hls-stream.js';
import { fullGc, hasGc, mib, round } from './figures.js';
import { benchInputs } from './inputs.js';
import { splitAccessUnits, splitAdtsFrames } from './media-units.js';

function opt(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<number> {
  if (!hasGc()) {
    console.error('run with --expose-gc');
    return 2;
  }
  const minutes = opt('minutes', 10);
  const cameras = opt('cameras', 1);
  const { videoPath, audioPath } = benchInputs();
  const units = splitAccessUnits(readFileSync(videoPath))
    .slice(0, 500)
    .map((u) => Uint8Array.from(u.bytes));
  const aac = splitAdtsFrames(readFileSync(audioPath))
    .slice(0, 1000)
    .map((f) => Uint8Array.from(f));
  const packs = units.map((u) => ({ items: [{ part1: u }], pts90k: 0 }));
  const apacks = aac.map((f) => ({ items: [{ part1: f }], pts90k: 0 }));
  const streams = Array.from({ length: cameras }, (_, i) => {
    const stream = new HlsStream({
      streamId: `soak${i}`,
      sink: { onSegment: (s) => void setTimeout(() => s.release(), 1_000) },
    });
    return { stream, frame: 0, audio: 0 };
  });
  let drops = 0;
  for (const s of streams) s.stream.on('drop', (e) => (drops += e.frames));
  const timersAt = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const samples: { t: number; heap: number; rss: number; ab: number; timers: number }[] = [];
  const t0 = performance.now();
  const endMs = minutes * 60_000;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - t0;
      const due = Math.floor(elapsed / 40);
      for (const c of streams) {
        while (c.frame < due) {
          const p = packs[c.frame % packs.length];
          p.pts90k = 90_000 + c.frame * 3_600;
          c.stream.putVideoFrame(p);
          c.frame++;
          while (c.audio * 1_920 <= c.frame * 3_600) {
            const a = apacks[c.audio % apacks.length];
            a.pts90k = 90_000 + c.audio * 1_920;
            c.stream.putAudioFrame(a);
            c.audio++;
          }
        }
      }
      if (elapsed >= endMs) {
        clearInterval(tick);
        clearInterval(sampler);
        resolve();
      }
    }, 20);
    const sampler = setInterval(() => {
      fullGc();
      const m = process.memoryUsage();
      const s = { t: round((performance.now() - t0) / 1000, 0), heap: m.heapUsed, rss: m.rss, ab: m.arrayBuffers, timers: timersAt() };
      samples.push(s);
      console.log(
        `t=${s.t}s heap ${round(mib(s.heap), 2)} MiB, rss ${round(mib(s.rss), 1)} MiB, arrayBuffers ${round(mib(s.ab), 1)} MiB, timers ${s.timers}, drops ${drops}, pool high-water ${round(mib(streams[0].stream.stats().pool.highWaterBytes), 2)} MiB`,
      );
    }, 30_000);
  });
  for (const c of streams) c.stream.finalize();
  const after = samples.filter((s) => s.t >= 60);
  const heaps = after.map((s) => s.heap);
  const spread = heaps.length > 0 ? Math.max(...heaps) - Math.min(...heaps) : 0;
  const rssGrowth = after.length > 1 ? after[after.length - 1].rss - after[0].rss : 0;
  const timerGrowth = after.length > 1 ? after[after.length - 1].timers - after[0].timers : 0;
  const ok = spread <= 2 * 1_048_576 && rssGrowth <= 16 * 1_048_576 && timerGrowth <= 2 && drops === 0;
  console.log(JSON.stringify({ minutes, cameras, heapSpreadMiB: round(mib(spread), 3), rssGrowthMiB: round(mib(rssGrowth), 1), timerGrowth, drops, ok }));
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
