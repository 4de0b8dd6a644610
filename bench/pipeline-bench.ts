/**
 * pipeline: N simulated 1080p 5 Mbit/s cameras at real time (25 fps, 2 s segments), each an
 * HlsStream whose sink is the shared Uploader, PUTting to a bare node:http sink in a child process
 * (so its CPU is not ours), signed as an HTTPS endpoint is (UNSIGNED-PAYLOAD + CRC32). Reported: CPU ms of this process per camera-second (process.cpuUsage over
 * a measurement window after warm-up), frames dropped, segment ack latency p50/p99 (hand-over to S3
 * acknowledgement, from the uploader's 'uploaded' events). Camera counts are stepped up; the figure
 * is the largest count held with zero drops and a CPU load the event loop can carry.
 */
import { HlsStream } from '../src/stream/hls-stream.js';
import { Uploader } from '../src/upload/uploader.js';
import { startChild } from './child.js';
import { percentile, round } from './figures.js';
import type { BenchUnit } from './media-units.js';

/** One step's figures. */
export interface PipelineStep {
  readonly cameras: number;
  readonly cpuMsPerCameraSecond: number;
  /** CPU time / wall time of this process during the window (1 = one core busy). */
  readonly cpuLoad: number;
  readonly droppedFrames: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly segmentsUploaded: number;
  readonly uploadErrors: number;
  /** The first upload error of the step (name and message), '' when none: a failed step says why. */
  readonly firstError: string;
  /** Largest lateness of the frame timer seen in the window, ms (event-loop saturation shows here). */
  readonly maxTickLagMs: number;
}

/** The pipeline figures. */
export interface PipelineFigures {
  readonly steps: readonly PipelineStep[];
  /** Largest camera count with zero drops and zero upload errors. */
  readonly cameras: number;
  /** At that count. */
  readonly cpu_ms_per_camera_second: number;
  readonly dropped_frames: number;
  readonly ack_p50_ms: number;
  readonly ack_p99_ms: number;
}

/** Timing of a step, in seconds. */
export interface PipelineTiming {
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
}

const FRAME_MS = 40;

/** The shared uploader of a step: S3's defaults for an HTTPS endpoint, many cameras' worth of concurrency. */
function benchUploader(endpoint: string): Uploader {
  return new Uploader({
    bucket: 'bench',
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret' },
    // Many cameras share one uploader: 64 PUTs in flight (the default of 2 suits one camera).
    concurrency: Number(process.env['BENCH_UPLOAD_CONCURRENCY'] ?? 64),
    checksum: 'CRC32',
    requestTimeoutMs: 10_000,
    // What an HTTPS endpoint (S3) gets by default: UNSIGNED-PAYLOAD with the CRC32. The sink is plain
    // HTTP (TLS is measured in the put cost); BENCH_SIGN_PAYLOAD=1 measures the plain-HTTP default.
    signPayload: process.env['BENCH_SIGN_PAYLOAD'] === '1',
    ...(process.env['BENCH_MAX_SOCKETS'] !== undefined ? { maxSockets: Number(process.env['BENCH_MAX_SOCKETS']) } : {}),
  });
}

async function step(cameras: number, units: readonly BenchUnit[], endpoint: string, timing: PipelineTiming): Promise<PipelineStep> {
  const uploader = benchUploader(endpoint);
  const idr = units.findIndex((u) => u.idr);
  const packs = units.map((u) => ({ items: [{ part1: u.bytes }], pts90k: 0 }));
  const streams: { stream: HlsStream; frame: number; delayTicks: number }[] = [];
  for (let i = 0; i < cameras; i++) {
    const stream = new HlsStream({ streamId: `cam${i}`, sink: uploader.sinkFor(`cam${i}`, { prefix: `bench/cam${i}` }) });
    // Cameras join at different ticks so their IDRs (and PUTs) spread over the 2-s GOP.
    streams.push({ stream, frame: 0, delayTicks: i % 50 });
  }
  let measuring = false;
  const acks: number[] = [];
  let errors = 0;
  let firstError = '';
  uploader.on('uploaded', (e) => {
    if (measuring) acks.push(e.latencyMs);
  });
  uploader.on('error', (e) => {
    if (errors++ === 0) firstError = `${e.name}: ${e.message}`;
  });

  const t0 = performance.now();
  let ticks = 0;
  let maxLag = 0;
  const pushDue = (): void => {
    const now = performance.now();
    const due = Math.floor((now - t0) / FRAME_MS);
    // How late the oldest frame due is pushed (the timer fires every 20 ms: 0-20 ms is on time).
    const lag = due > ticks ? now - (t0 + (ticks + 1) * FRAME_MS) : 0;
    if (measuring && lag > maxLag) maxLag = lag;
    while (ticks < due) {
      ticks++;
      for (const c of streams) {
        if (ticks <= c.delayTicks) continue;
        const p = packs[(idr + c.frame) % packs.length];
        p.pts90k = 90_000 + c.frame * 3_600;
        c.frame++;
        c.stream.putVideoFrame(p);
      }
    }
  };
  const timer = setInterval(pushDue, FRAME_MS / 2);
  await new Promise((r) => setTimeout(r, timing.warmupSeconds * 1000));
  measuring = true;
  maxLag = 0;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, timing.measureSeconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - w0;
  measuring = false;
  clearInterval(timer);
  let dropped = 0;
  for (const c of streams) {
    c.stream.finalize();
    dropped += c.stream.stats().videoFramesDropped;
  }
  await uploader.drain({ timeoutMs: 15_000 });
  const uploaded = uploader.stats().uploadedSegments;
  await uploader.close();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    cameras,
    cpuMsPerCameraSecond: round(cpuMs / (cameras * (wallMs / 1000)), 3),
    cpuLoad: round(cpuMs / wallMs, 2),
    droppedFrames: dropped,
    ackP50Ms: round(percentile(acks, 50), 1),
    ackP99Ms: round(percentile(acks, 99), 1),
    segmentsUploaded: uploaded,
    uploadErrors: errors,
    firstError,
    maxTickLagMs: round(maxLag, 1),
  };
}

/**
 * Steps the camera count up until a step drops frames or sees an upload error.
 *
 * @param units - the 1080p access units (a GOP-aligned loop of them is replayed per camera)
 * @param counts - camera counts to try, ascending
 * @param timing - warm-up and measurement seconds per step
 * @param log - progress lines
 * @returns every step and the figures at the largest count held
 */
export async function pipelineBench(units: readonly BenchUnit[], counts: readonly number[], timing: PipelineTiming, log: (line: string) => void): Promise<PipelineFigures> {
  const { child, first } = await startChild<{ port: number }>('null-sink.js', []);
  const endpoint = `http://127.0.0.1:${first.port}`;
  const steps: PipelineStep[] = [];
  let held: PipelineStep | undefined;
  try {
    for (const n of counts) {
      const s = await step(n, units, endpoint, timing);
      steps.push(s);
      log(
        `  pipeline ${n} cameras: ${s.cpuMsPerCameraSecond} ms CPU per camera-second (load ${s.cpuLoad}), dropped ${s.droppedFrames}, ack p50 ${s.ackP50Ms} ms p99 ${s.ackP99Ms} ms, tick lag ≤ ${s.maxTickLagMs} ms, ${s.segmentsUploaded} segments, ${s.uploadErrors} upload errors${s.firstError === '' ? '' : ` (first: ${s.firstError})`}`,
      );
      // Held = no frame dropped and no upload error; tick lag is reported (the machine is shared, a stall of another process shows there too).
      if (s.droppedFrames > 0 || s.uploadErrors > 0) break;
      held = s;
    }
  } finally {
    child.stdin.end();
  }
  const h = held ?? steps[0];
  return {
    steps,
    cameras: held?.cameras ?? 0,
    cpu_ms_per_camera_second: h?.cpuMsPerCameraSecond ?? 0,
    dropped_frames: h?.droppedFrames ?? 0,
    ack_p50_ms: h?.ackP50Ms ?? 0,
    ack_p99_ms: h?.ackP99Ms ?? 0,
  };
}
