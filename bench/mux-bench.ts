/**
 * mux and mux_av: our muxer next to `ffmpeg -c copy -f mpegts` on the same bytes, measured
 * alternately (ours, ffmpeg, ours, ffmpeg, ...) so both see the same machine load; medians.
 *
 * Ours: the access units (and ADTS frames) are split and wrapped in packs in memory beforehand, then
 * timed: putVideoFrame/putAudioFrame of all of them into one long-lived stream (4 MiB pool, created
 * once as a camera's is, timestamps running on from pass to pass) with a sink that releases each
 * segment at once. ffmpeg: `-c copy -f mpegts` to /dev/null. Throughput is input bytes (H.264 + ADTS)
 * per second of CPU time for both, because the machine is shared and wall time would count other
 * processes' turns. Ours: process.cpuUsage around the pass. ffmpeg, two figures: its remux loop
 * (the utime + stime its `-benchmark` prints: getrusage taken when transcoding starts and ends, so
 * start-up and input probing — which decodes frames to find the stream's parameters — are *not*
 * included; this is the like-for-like one, `ratio`), and its whole process (the CPU its parent
 * shell reaps, start-up and probing included: what the bench's wall-clock figure measured before
 * 2026-12-02, and what running ffmpeg per file costs).
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { HlsStream } from '../src/stream/hls-stream.js';
import { cpuNowMs, fullGc, median, round } from './figures.js';
import type { BenchUnit } from './media-units.js';

/** One throughput comparison. */
export interface MuxFigures {
  readonly s3hls_MBps: number;
  readonly ffmpeg_MBps: number;
  readonly ratio: number;
  /** ffmpeg's whole process (start-up and probing included), MB of input per CPU second. */
  readonly ffmpegProcess_MBps: number;
  /** Ours / ffmpeg's whole process. */
  readonly ratioToProcess: number;
  /** A plain JS packetising loop over the same bytes (see {@link plainPacketise}), MB/s, same rounds. */
  readonly plain_MBps: number;
  /** Ours / the plain loop (issue 15 §4: ≥ 0.7). */
  readonly ratioToPlain: number;
  readonly plainRounds: readonly number[];
  /** TS bytes written beyond 188/184 of the input, per frame (PES headers, adaptation fields, stuffing, PSI). */
  readonly tsOverheadBytesPerFrame: number;
  /** Per-round samples, MB/s. */
  readonly oursRounds: readonly number[];
  readonly ffmpegRounds: readonly number[];
  /** Heap used after N steady-state frames minus before (after gc), bytes per frame, 2 s segments (includes the per-segment objects). */
  readonly heapBytesPerFrame: number;
  /** The same with 60 s segments, so per-segment objects are amortized away: what each frame itself allocates. */
  readonly heapBytesPerFrameLongSegments: number;
  /** GC events (PerformanceObserver 'gc') during `rounds` further passes of ours alone, on the long-lived stream. */
  readonly gcEvents: number;
  readonly frames: number;
  readonly inputMB: number;
  readonly segments: number;
}

type Op = { video: true; pack: { items: { part1: Uint8Array }[]; pts90k: number } } | { video: false; pack: { items: { part1: Uint8Array }[]; pts90k: number } };

/** Packs in PTS order, made once (25 fps video, 1024-sample AAC frames at 48 kHz). */
function buildOps(units: readonly BenchUnit[], adts: readonly Uint8Array[] | undefined): Op[] {
  const ops: Op[] = [];
  let a = 0;
  for (let i = 0; i < units.length; i++) {
    const pts = 90_000 + i * 3_600;
    ops.push({ video: true, pack: { items: [{ part1: units[i].bytes }], pts90k: pts } });
    while (adts && a < adts.length && a * 1_920 <= (i + 1) * 3_600) {
      ops.push({ video: false, pack: { items: [{ part1: adts[a] }], pts90k: 90_000 + a * 1_920 } });
      a++;
    }
  }
  return ops;
}

/**
 * One long-lived stream fed the input pass after pass with timestamps running on, as a camera's
 * stream lives for the whole session (its pool allocated once). Creating a stream per pass would time
 * the 4 MiB pool's first-touch page faults and the GCs its external memory triggers (~20-40 % here),
 * which a camera pays once, not per frame.
 */
class LongLivedMuxer {
  readonly #stream: HlsStream;
  readonly #basePts: number[];
  readonly #passTicks: number;
  #pass = 0;
  segments = 0;
  tsBytes = 0;

  constructor(
    readonly ops: readonly Op[],
    targetSegmentSeconds = 2,
  ) {
    // 60 s of 5 Mbit/s needs a pool of more than the default 4 MiB.
    const poolBytes = targetSegmentSeconds > 2 ? 64 * 1024 * 1024 : undefined;
    this.#stream = new HlsStream({
      streamId: 'bench',
      targetSegmentSeconds,
      poolBytes,
      mediaTimeOriginMs: 1_700_000_000_000,
      sink: {
        onSegment: (seg) => {
          this.segments++;
          this.tsBytes += seg.byteLength;
          seg.release();
        },
      },
    });
    this.#basePts = ops.map((op) => op.pack.pts90k);
    this.#passTicks = this.#basePts[this.#basePts.length - 1] - this.#basePts[0] + 3_600;
  }

  /** Muxes every op once; returns the milliseconds it took. */
  pass(): number {
    const { ops } = this;
    const shift = this.#pass++ * this.#passTicks;
    for (let i = 0; i < ops.length; i++) ops[i].pack.pts90k = this.#basePts[i] + shift;
    const stream = this.#stream;
    const t0 = cpuNowMs();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.video) stream.putVideoFrame(op.pack);
      else stream.putAudioFrame(op.pack);
    }
    const ms = cpuNowMs() - t0;
    const s = stream.stats();
    if (s.videoFramesDropped + s.audioFramesDropped > 0) throw new Error(`bench stream dropped frames: ${JSON.stringify(s.droppedByReason)}`);
    return ms;
  }

  /** Ends the stream and gives the ops their original timestamps back. */
  close(): void {
    this.#stream.finalize();
    for (let i = 0; i < this.ops.length; i++) this.ops[i].pack.pts90k = this.#basePts[i];
  }
}

/**
 * The practical ceiling of TS packetising in JS (issue 15 §4): every frame's bytes cut into 184-byte
 * slices, each copied with Buffer#copy behind a 4-byte header into 188-byte slots of a 4 MiB ring.
 * No PES headers, adaptation fields, timestamps or segmenting: what is left when a muxer does nothing
 * but move the payload.
 * @param ops - the packs (their first item is a Buffer view of the input file)
 * @param ring - the destination ring (a multiple of 188 bytes)
 * @returns milliseconds
 */
function plainPacketise(ops: readonly Op[], ring: Buffer): number {
  const slots = Math.floor(ring.length / 188);
  let slot = 0;
  let cc = 0;
  const t0 = cpuNowMs();
  for (let i = 0; i < ops.length; i++) {
    const src = ops[i].pack.items[0].part1 as Buffer;
    const n = src.length;
    for (let o = 0; o < n; o += 184) {
      const d = slot * 188;
      ring[d] = 0x47;
      ring[d + 1] = o === 0 ? 0x41 : 0x01;
      ring[d + 2] = 0x00;
      ring[d + 3] = 0x10 | cc;
      cc = (cc + 1) & 0x0f;
      src.copy(ring, d + 4, o, o + 184 < n ? o + 184 : n);
      slot = slot + 1 === slots ? 0 : slot + 1;
    }
  }
  return cpuNowMs() - t0;
}

/** Clock ticks per second of /proc's times (USER_HZ). */
function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const hz = Number(r.stdout);
  return r.status === 0 && hz > 0 ? hz : 100;
}

/** CPU ms of one ffmpeg run: its remux loop (`-benchmark`) and its whole process. */
interface FfmpegCpu {
  readonly loopMs: number;
  readonly processMs: number;
}

/**
 * Runs ffmpeg under `sh`, which prints its own /proc stat after waiting for it: cutime + cstime
 * there is the whole ffmpeg process's CPU (Node has no rusage of a child).
 */
function runFfmpeg(args: readonly string[], ticksPerSecond: number): FfmpegCpu {
  const script = '"$@" </dev/null >/dev/null; rc=$?; cat /proc/$$/stat; exit $rc';
  const r = spawnSync('sh', ['-c', script, 'sh', 'ffmpeg', '-hide_banner', '-nostdin', '-nostats', '-benchmark', '-v', 'info', ...args, '-f', 'mpegts', '-y', '/dev/null'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const err = r.stderr.toString();
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${err.slice(0, 500)}`);
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(err);
  if (!m) throw new Error(`ffmpeg -benchmark printed no "bench: utime=" line: ${err.slice(-500)}`);
  // Fields after "(comm)": state is field 3, cutime field 16, cstime field 17 (proc(5)).
  const stat = r.stdout.toString();
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const processMs = ((Number(fields[13]) + Number(fields[14])) / ticksPerSecond) * 1000;
  return { loopMs: (Number(m[1]) + Number(m[2])) * 1000, processMs };
}

/**
 * Heap bytes per frame in steady state: one long-lived stream (as a camera has), fed the input again
 * and again with timestamps running on; after warm-up, gc, one whole pass, heapUsed without a gc;
 * the least of three passes. (A new stream per pass costs ~1 MB of one-time heap, which divided by
 * one pass's frames would read as ~450 B/frame: a per-stream cost, not a per-frame one.)
 */
function heapPerFrame(ops: readonly Op[], targetSegmentSeconds = 2): number {
  const muxer = new LongLivedMuxer(ops, targetSegmentSeconds);
  for (let i = 0; i < 4; i++) muxer.pass();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    fullGc();
    const before = process.memoryUsage().heapUsed;
    muxer.pass();
    best = Math.min(best, process.memoryUsage().heapUsed - before);
  }
  muxer.close();
  return best / ops.length;
}

/**
 * Measures one comparison.
 *
 * @param units - the video access units (views of `videoPath`'s bytes)
 * @param adts - ADTS frames to interleave (mux_av), or undefined (mux)
 * @param ffmpegInputs - ffmpeg input arguments for the same files
 * @param rounds - alternating rounds @defaultValue 5
 * @returns the figures
 * @throws Error when ffmpeg fails or our stream drops a frame
 */
export async function muxBench(units: readonly BenchUnit[], adts: readonly Uint8Array[] | undefined, ffmpegInputs: readonly string[] | undefined, rounds = 5): Promise<MuxFigures> {
  const ops = buildOps(units, adts);
  let inputBytes = 0;
  for (const op of ops) inputBytes += op.pack.items[0].part1.byteLength;
  const inputMB = inputBytes / 1e6;
  // Warm-up: let the optimizing compiler finish before anything is timed.
  const muxer = new LongLivedMuxer(ops);
  for (let i = 0; i < 3; i++) muxer.pass();
  const ring = Buffer.alloc(22_310 * 188); // ~4 MiB, as the pool
  for (let i = 0; i < 3; i++) plainPacketise(ops, ring);
  const ours: number[] = [];
  const theirs: number[] = [];
  const plain: number[] = [];
  const theirsProcess: number[] = [];
  const hz = clockTicks();
  let segments = 0;
  let tsBytes = 0;
  for (let r = 0; r < rounds; r++) {
    fullGc();
    const before = muxer.segments;
    const bytesBefore = muxer.tsBytes;
    const ms = muxer.pass();
    segments = muxer.segments - before;
    tsBytes = muxer.tsBytes - bytesBefore;
    ours.push(inputMB / (ms / 1000));
    plain.push(inputMB / (plainPacketise(ops, ring) / 1000));
    if (ffmpegInputs) {
      const ff = runFfmpeg(ffmpegInputs, hz);
      theirs.push(inputMB / (ff.loopMs / 1000));
      theirsProcess.push(inputMB / (ff.processMs / 1000));
    }
  }
  // Heap figures after the timed rounds: their extra streams (one with a 64 MiB pool) must not
  // change what the rounds measure.
  const heapBytesPerFrame = heapPerFrame(ops);
  const heapBytesPerFrameLongSegments = heapPerFrame(ops, 60);
  // GC events while only our muxer runs (entries are delivered asynchronously: wait a turn before disconnecting).
  let gcEvents = 0;
  const obs = new PerformanceObserver((list) => {
    gcEvents += list.getEntries().length;
  });
  fullGc();
  await new Promise((r) => setImmediate(r));
  obs.observe({ entryTypes: ['gc'] });
  for (let r = 0; r < rounds; r++) muxer.pass();
  muxer.close();
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  const s3hls = median(ours);
  const ff = ffmpegInputs ? median(theirs) : Number.NaN;
  const ffProcess = ffmpegInputs ? median(theirsProcess) : Number.NaN;
  const pl = median(plain);
  return {
    s3hls_MBps: round(s3hls, 1),
    ffmpeg_MBps: round(ff, 1),
    ratio: round(s3hls / ff, 2),
    ffmpegProcess_MBps: round(ffProcess, 1),
    ratioToProcess: round(s3hls / ffProcess, 2),
    plain_MBps: round(pl, 1),
    ratioToPlain: round(s3hls / pl, 2),
    plainRounds: plain.map((x) => round(x, 1)),
    // The pass's segment bytes include the segment still open at the previous pass's end and leave out this pass's last one: equal in steady state.
    tsOverheadBytesPerFrame: round((tsBytes - (inputBytes * 188) / 184) / ops.length, 1),
    oursRounds: ours.map((x) => round(x, 1)),
    ffmpegRounds: theirs.map((x) => round(x, 1)),
    heapBytesPerFrame: round(heapBytesPerFrame, 1),
    heapBytesPerFrameLongSegments: round(heapBytesPerFrameLongSegments, 1),
    gcEvents,
    frames: units.length,
    inputMB: round(inputMB, 1),
    segments,
  };
}
