/**
 * `npm run bench`: every performance figure of s3hls, measured side by side in one run where a peer
 * exists (our muxer next to ffmpeg on the same bytes, alternating rounds, medians). See
 * docs/benchmarks.md for what each figure means and how to reproduce it with public tools.
 *
 * Usage: `node --openssl-legacy-provider --expose-gc build/bench/main.js [--json] [--only mux,mux_av,memory,put,pipeline,playlist,export,cost]`
 * With `--json` the last line of stdout is one JSON object: the fields of issue 6 item 5, plus the
 * plain-loop comparison, the pipeline's CPU by stage and the cost per camera-month of issue 15.
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
import { costLines, costTable, type CostFigures } from './cost-model.js';
import { exportBench, exportLine, type ExportFigures } from './export-bench.js';
import { putCost } from './put-cost.js';
import { stageLine, stagesPerCameraSecond, type StagesByEndpoint } from './stages.js';

/** The mux figures of the JSON line. */
interface MuxJson {
  s3hls_MBps: number;
  ffmpeg_MBps: number;
  ratio: number;
  /** ffmpeg's whole process (start-up and input probing included), MB/s of CPU, and ours / it. */
  ffmpeg_process_MBps: number;
  ratio_to_ffmpeg_process: number;
  plain_loop_MBps: number;
  ratio_to_plain_loop: number;
}

/** The JSON line of issue 6 item 5 and issue 15 (numbers, medians; 0 when a figure was skipped). */
export interface BenchJson {
  mux: MuxJson;
  mux_av: MuxJson;
  pipeline: {
    cameras: number;
    cpu_ms_per_camera_second: number;
    dropped_frames: number;
    ack_p99_ms: number;
    /** ms CPU per camera-second by stage at 5 Mbit/s with 2 s segments, for an HTTPS (S3) and a plain-HTTP endpoint. */
    by_stage: StagesByEndpoint | undefined;
  };
  memory: { rss_mb_one_camera: number; heap_growth_mb_1h: number };
  playlist: { list_43200_ms: number };
  /** Clip export of one hour by the CLI in a child process (bench/export-bench.ts); undefined when skipped. */
  export: ExportFigures | undefined;
  /** Per camera-month, keyed by case (`2mbps_2s`): see bench/cost-model.ts. */
  cost: Record<string, CostFigures>;
}

/** TS overhead per frame used by the cost model when the mux bench did not run (measured 2026-12-02). */
const DEFAULT_TS_OVERHEAD_PER_FRAME = 130;

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg === undefined ? undefined : new Set((onlyArg.includes('=') ? onlyArg.split('=')[1] : (args[args.indexOf(onlyArg) + 1] ?? '')).split(','));
const want = (name: string): boolean => only === undefined || only.has(name);
const log = (line: string): void => console.log(line);

function machine(): string {
  const c = cpus();
  const ff = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
  const ffVersion = ff.status === 0 ? ff.stdout.split('\n')[0].replace(/ Copyright.*/, '') : 'ffmpeg missing';
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${round(totalmem() / 1e9, 1)} GB RAM, Node ${process.version}, ${process.platform}/${process.arch}, ${ffVersion}`;
}

function muxLine(name: string, f: MuxFigures): void {
  log(
    `${name}: s3hls ${f.s3hls_MBps} MB/s vs ffmpeg's remux loop ${f.ffmpeg_MBps} MB/s → ratio ${f.ratio}; vs ffmpeg's whole process (start-up and probing included) ${f.ffmpegProcess_MBps} MB/s → ${f.ratioToProcess} (all MB of input per CPU second; input ${f.inputMB} MB, ${f.frames} frames, ${f.segments} segments; rounds ours ${f.oursRounds.join('/')} ffmpeg ${f.ffmpegRounds.join('/')})`,
  );
  log(
    `  vs a plain JS packetising loop (Buffer#copy of 184-byte slices into 188-byte slots) ${f.plain_MBps} MB/s → ${Math.round(f.ratioToPlain * 100)} % of it (rounds ${f.plainRounds.join('/')}); TS overhead ${f.tsOverheadBytesPerFrame} B/frame beyond 188/184`,
  );
  log(
    `  heap (one long-lived stream, heapUsed over a whole pass after gc): ${f.heapBytesPerFrame} B/frame with 2 s segments (includes each segment's objects), ${f.heapBytesPerFrameLongSegments} B/frame with 60 s segments (what a frame itself costs); ${f.gcEvents} GC events in 5 further passes`,
  );
}

/** The JSON line with every figure 0 (a figure that does not run stays 0). */
function emptyJson(): BenchJson {
  const mux = (): MuxJson => ({ s3hls_MBps: 0, ffmpeg_MBps: 0, ratio: 0, ffmpeg_process_MBps: 0, ratio_to_ffmpeg_process: 0, plain_loop_MBps: 0, ratio_to_plain_loop: 0 });
  return {
    mux: mux(),
    mux_av: mux(),
    pipeline: { cameras: 0, cpu_ms_per_camera_second: 0, dropped_frames: 0, ack_p99_ms: 0, by_stage: undefined },
    memory: { rss_mb_one_camera: 0, heap_growth_mb_1h: 0 },
    playlist: { list_43200_ms: 0 },
    export: undefined,
    cost: {},
  };
}

/** The JSON fields of one mux comparison. */
function muxJson(f: MuxFigures): MuxJson {
  return {
    s3hls_MBps: f.s3hls_MBps,
    ffmpeg_MBps: f.ffmpeg_MBps,
    ratio: f.ratio,
    ffmpeg_process_MBps: f.ffmpegProcess_MBps,
    ratio_to_ffmpeg_process: f.ratioToProcess,
    plain_loop_MBps: f.plain_MBps,
    ratio_to_plain_loop: f.ratioToPlain,
  };
}

/** The `memory` case: one camera, an hour of stream time, in a child process with --expose-gc. */
async function memoryFigures(videoPath: string): Promise<BenchJson['memory']> {
  const { child, first } = await startChild<OneCameraFigures>('one-camera.js', [videoPath, '3600'], ['--expose-gc']);
  child.stdin.end();
  log(
    `memory: one camera, 1 h of stream time in ${Math.round(first.elapsedMs)} ms: RSS ${round(mib(first.rssBytes), 1)} MiB (peak ${round(mib(first.rssPeakBytes), 1)}), heap after gc ${round(mib(first.heapAfterWarmupBytes), 2)} → ${round(mib(first.heapEndBytes), 2)} MiB (growth ${round(mib(first.heapGrowthBytes), 3)} MiB), ${first.segments} segments, ${first.dropped} dropped`,
  );
  return { rss_mb_one_camera: round(mib(first.rssBytes), 1), heap_growth_mb_1h: round(mib(first.heapGrowthBytes), 3) };
}

/** The `put` case: CPU per PUT by part, and the per-stage split of a camera-second once the mux figure ran. */
async function putFigures(video: Buffer, out: BenchJson): Promise<void> {
  const body = video.subarray(0, 1_250_000);
  const c = await putCost(body);
  log(
    `put cost (${c.bodyBytes} B body, CRC32 header, CPU ms per PUT): whole PutObject over HTTP with the payload hash signed ${c.putHttpSignedMs}, over HTTP UNSIGNED-PAYLOAD ${c.putHttpUnsignedMs}, over HTTPS UNSIGNED-PAYLOAD (the default against S3) ${c.putHttpsUnsignedMs}; a bare node:http PUT (no SDK) ${c.bareHttpPutMs}; parts: payload SHA-256 ${c.sha256Ms}, SigV4 signing with the hash given ${c.signFixedMs}, CRC32 ${c.crc32Ms}; verification: echoed checksum compare (S3) ${c.echoVerifyMs}, ETag = MD5 (servers echoing no checksum, e.g. s3rver) ${c.md5VerifyMs}`,
  );
  if (out.mux.s3hls_MBps > 0) {
    out.pipeline.by_stage = stagesPerCameraSecond(out.mux.s3hls_MBps, c);
    log(`  ${stageLine('by stage, 5 Mbit/s, 2 s segments, HTTPS endpoint (S3)', out.pipeline.by_stage.https)}`);
    log(`  ${stageLine('by stage, 5 Mbit/s, 2 s segments, plain-HTTP endpoint', out.pipeline.by_stage.http)}`);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const out = emptyJson();
  let tsOverheadPerFrame = DEFAULT_TS_OVERHEAD_PER_FRAME;
  log(`s3hls bench — ${new Date().toISOString()}`);
  log(`machine: ${machine()}`);
  if (!hasGc()) log('note: run with --expose-gc for the heap figures (npm run bench does)');

  const ffmpeg = hasFfmpeg();
  let inputs: { videoPath: string; audioPath: string } | undefined;
  if (!ffmpeg) {
    log(
      'ffmpeg is missing: the ffmpeg-side figures are skipped, and so are those needing its 1080p input (mux, mux_av, memory, put, pipeline). Install it: apt-get install -y ffmpeg',
    );
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
      out.mux = muxJson(f);
      tsOverheadPerFrame = f.tsOverheadBytesPerFrame;
    }
    if (want('mux_av')) {
      const f = await muxBench(units, adts, ['-f', 'h264', '-i', inputs.videoPath, '-f', 'aac', '-i', inputs.audioPath, '-map', '0:v', '-map', '1:a', '-c', 'copy']);
      muxLine('mux_av (same + AAC 128 kbit/s interleaved)', f);
      out.mux_av = muxJson(f);
    }
    if (want('memory')) out.memory = await memoryFigures(inputs.videoPath);
    if (want('put')) await putFigures(video, out);
    if (want('pipeline')) {
      const counts = (process.env['BENCH_CAMERAS'] ?? '50,100,200,300,400').split(',').map(Number);
      const p: PipelineFigures = await pipelineBench(units, counts, { warmupSeconds: 4, measureSeconds: 8 }, log);
      log(`pipeline: ${p.cameras} cameras held with zero drops; ${p.cpu_ms_per_camera_second} ms CPU per camera-second; ack p50 ${p.ack_p50_ms} ms, p99 ${p.ack_p99_ms} ms`);
      out.pipeline = { ...out.pipeline, cameras: p.cameras, cpu_ms_per_camera_second: p.cpu_ms_per_camera_second, dropped_frames: p.dropped_frames, ack_p99_ms: p.ack_p99_ms };
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
  if (want('export') && ffmpeg) {
    out.export = await exportBench(Number(process.env['BENCH_EXPORT_SEGMENTS'] ?? 1800));
    log(exportLine(out.export));
  }
  if (want('cost')) {
    out.cost = costTable(tsOverheadPerFrame);
    for (const line of costLines(out.cost)) log(line);
    if (tsOverheadPerFrame === DEFAULT_TS_OVERHEAD_PER_FRAME) log(`  (TS overhead ${DEFAULT_TS_OVERHEAD_PER_FRAME} B/frame assumed: the mux figure did not run)`);
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
