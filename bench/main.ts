/**
 * `npm run bench`: every performance figure of s3hls, measured side by side in one run where a peer
 * exists (our muxer next to ffmpeg on the same bytes, alternating rounds, medians). See
 * docs/benchmarks.md for what each figure means and how to reproduce it with public tools.
 *
 * Usage: `node --openssl-legacy-provider --expose-gc build/bench/main.js [--json] [--only mux,mux_av,memory,put,pipeline,playlist]`
 * With `--json` the last line of stdout is one JSON object with exactly the fields of issue 6 item 5.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { startChild } from './child.js';
import { hasGc, mib, round } from './figures.js';
import { benchInputs, hasFfmpeg, INPUT_SECONDS } from './inputs.js';
import { splitAccessUnits, splitAdtsFrames } from './media-units.js';
import { muxBench, type MuxFigures } from './mux-bench.js';
import type { OneCameraFigures } from './one-camera.js';
import { pipelineBench, type PipelineFigures } from './pipeline-bench.js';
import { playlistBench } from './playlist-bench.js';
import { putCost } from './put-cost.js';

/** The JSON line of issue 6 item 5 (numbers, medians; 0 when a figure was skipped). */
export interface BenchJson {
  mux: { s3hls_MBps: number; ffmpeg_MBps: number; ratio: number };
  mux_av: { s3hls_MBps: number; ffmpeg_MBps: number; ratio: number };
  pipeline: { cameras: number; cpu_ms_per_camera_second: number; dropped_frames: number; ack_p99_ms: number };
  memory: { rss_mb_one_camera: number; heap_growth_mb_1h: number };
  playlist: { list_43200_ms: number };
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg === undefined ? undefined : new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1] ?? '').split(','));
const want = (name: string): boolean => only === undefined || only.has(name);
const log = (line: string): void => console.log(line);

function machine(): string {
  const c = cpus();
  const ff = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
  const ffVersion = ff.status === 0 ? ff.stdout.split('\n')[0].replace(/ Copyright.*/, '') : 'ffmpeg missing';
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${round(totalmem() / 1e9, 1)} GB RAM, Node ${process.version}, ${process.platform}/${process.arch}, ${ffVersion}`;
}

function muxLine(name: string, f: MuxFigures): void {
  log(`${name}: s3hls ${f.s3hls_MBps} MB/s vs ffmpeg ${f.ffmpeg_MBps} MB/s → ratio ${f.ratio} (input ${f.inputMB} MB, ${f.frames} frames, ${f.segments} segments; rounds ours ${f.oursRounds.join('/')} ffmpeg ${f.ffmpegRounds.join('/')})`);
  log(`  heap (one long-lived stream, heapUsed over a whole pass after gc): ${f.heapBytesPerFrame} B/frame with 2 s segments (includes each segment's objects), ${f.heapBytesPerFrameLongSegments} B/frame with 60 s segments (what a frame itself costs); ${f.gcEvents} GC events in 5 further passes`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const out: BenchJson = {
    mux: { s3hls_MBps: 0, ffmpeg_MBps: 0, ratio: 0 },
    mux_av: { s3hls_MBps: 0, ffmpeg_MBps: 0, ratio: 0 },
    pipeline: { cameras: 0, cpu_ms_per_camera_second: 0, dropped_frames: 0, ack_p99_ms: 0 },
    memory: { rss_mb_one_camera: 0, heap_growth_mb_1h: 0 },
    playlist: { list_43200_ms: 0 },
  };
  log(`s3hls bench — ${new Date().toISOString()}`);
  log(`machine: ${machine()}`);
  if (!hasGc()) log('note: run with --expose-gc for the heap figures (npm run bench does)');

  const ffmpeg = hasFfmpeg();
  let inputs: { videoPath: string; audioPath: string } | undefined;
  if (!ffmpeg) {
    log('ffmpeg is missing: the ffmpeg-side figures are skipped, and so are those needing its 1080p input (mux, mux_av, memory, put, pipeline). Install it: apt-get install -y ffmpeg');
  } else {
    const t = performance.now();
    inputs = benchInputs();
    log(`inputs: ${inputs.videoPath}, ${inputs.audioPath} (${INPUT_SECONDS} s each; ready in ${Math.round(performance.now() - t)} ms)`);
  }

  if (inputs) {
    const video = readFileSync(inputs.videoPath);
    const units = splitAccessUnits(video);
    const adts = splitAdtsFrames(readFileSync(inputs.audioPath));
    if (want('mux')) {
      const f = await muxBench(units, undefined, ['-f', 'h264', '-i', inputs.videoPath, '-c', 'copy']);
      muxLine('mux (1080p 5 Mbit/s H.264 → MPEG-TS)', f);
      out.mux = { s3hls_MBps: f.s3hls_MBps, ffmpeg_MBps: f.ffmpeg_MBps, ratio: f.ratio };
    }
    if (want('mux_av')) {
      const f = await muxBench(units, adts, ['-f', 'h264', '-i', inputs.videoPath, '-f', 'aac', '-i', inputs.audioPath, '-map', '0:v', '-map', '1:a', '-c', 'copy']);
      muxLine('mux_av (same + AAC 128 kbit/s interleaved)', f);
      out.mux_av = { s3hls_MBps: f.s3hls_MBps, ffmpeg_MBps: f.ffmpeg_MBps, ratio: f.ratio };
    }
    if (want('memory')) {
      const { child, first } = await startChild<OneCameraFigures>('one-camera.js', [inputs.videoPath, '3600'], ['--expose-gc']);
      child.stdin.end();
      log(`memory: one camera, 1 h of stream time in ${Math.round(first.elapsedMs)} ms: RSS ${round(mib(first.rssBytes), 1)} MiB (peak ${round(mib(first.rssPeakBytes), 1)}), heap after gc ${round(mib(first.heapAfterWarmupBytes), 2)} → ${round(mib(first.heapEndBytes), 2)} MiB (growth ${round(mib(first.heapGrowthBytes), 3)} MiB), ${first.segments} segments, ${first.dropped} dropped`);
      out.memory = { rss_mb_one_camera: round(mib(first.rssBytes), 1), heap_growth_mb_1h: round(mib(first.heapGrowthBytes), 3) };
    }
    if (want('put')) {
      const body = video.subarray(0, 1_250_000);
      const c = await putCost(body);
      log(`put cost (${c.bodyBytes} B body, CPU ms): whole PutObject without checksum ${c.putCpuMs}; of which payload SHA-256 (SigV4 x-amz-content-sha256) ${c.sha256Ms}; SigV4 signing with the hash given ${c.signFixedMs}; CRC32 checksum (added by the uploader) ${c.crc32Ms}; a SHA-256 checksum instead would cost another ${c.sha256Ms}`);
    }
    if (want('pipeline')) {
      const counts = (process.env['BENCH_CAMERAS'] ?? '50,100,200,300,400').split(',').map(Number);
      const p: PipelineFigures = await pipelineBench(units, counts, { warmupSeconds: 4, measureSeconds: 8 }, log);
      log(`pipeline: ${p.cameras} cameras held with zero drops; ${p.cpu_ms_per_camera_second} ms CPU per camera-second; ack p50 ${p.ack_p50_ms} ms, p99 ${p.ack_p99_ms} ms`);
      out.pipeline = { cameras: p.cameras, cpu_ms_per_camera_second: p.cpu_ms_per_camera_second, dropped_frames: p.dropped_frames, ack_p99_ms: p.ack_p99_ms };
    }
  }
  if (want('playlist')) {
    try {
      const p = await playlistBench();
      log(`playlist: listing 24 h (${p.records} segments, ${p.pages} ListObjectsV2 pages) from s3rver on loopback: ${p.list_43200_ms} ms (rounds ${p.rounds.join('/')})`);
      out.playlist = { list_43200_ms: p.list_43200_ms };
    } catch (e) {
      log(`playlist: skipped (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  log(`total ${round((performance.now() - started) / 1000, 1)} s`);
  if (json) console.log(JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
