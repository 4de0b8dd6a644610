/**
 * The clip-export memory/throughput run shared by the bench (`export` case) and the suite test
 * (test/export/export-memory.test.ts): one 2 s 1080p ~5 Mbit/s H.264 + AAC MPEG-TS segment is stored
 * under N consecutive segment keys in s3rver (hard links into its folder layout: no N × 1.3 MB of
 * disk, no N PUTs), then `s3hls export` runs as a **child process** over the whole range and its
 * peak RSS is read from `/proc/<pid>/status` (VmHWM, the kernel's own high-water mark, so a spike
 * between two samples is not missed). s3rver stays in this process: its buffers are not the
 * exporter's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import S3rver from 's3rver';
import { segmentKey } from '../src/keys/object-keys.js';

/** Wall-clock start of the seeded range (any fixed UTC time). */
export const EXPORT_RUN_T0_MS = Date.UTC(2026, 10, 22, 10, 0, 0);
const PREFIX = 'cams/bench';
const BUCKET = 'bench-export';
const SEGMENT_MS = 2000;

/** ffmpeg arguments (after `-y -v error`) of the one stored segment: 2 s, 1080p25, ~5 Mbit/s, GOP 2 s, AAC 48 kHz. */
const SEGMENT_RECIPE = [
  ...['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2'],
  ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '5M', '-maxrate', '5M', '-bufsize', '5M', '-g', '50', '-bf', '0', '-pix_fmt', 'yuv420p'],
  ...['-c:a', 'aac', '-f', 'mpegts'],
];

/** Options of {@link runExportChild}. */
export interface ExportRunOptions {
  /** Segments (2 s each) in the exported range. */
  readonly segments: number;
  /** The built `s3hls` entry point the child runs (dist/cli/main.js or build/src/cli/main.js). */
  readonly cli: string;
  /** Scratch folder: the cached segment, s3rver's store and the output MP4 (removed after the run). */
  readonly dir: string;
  /** Extra node flags for the child (e.g. `--max-old-space-size=64`). @defaultValue none */
  readonly nodeArgs?: readonly string[] | undefined;
  /** Extra environment for the child (e.g. `S3HLS_EXPORT_MEMORY_LOG=1`). @defaultValue none */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Kill the child after this long (a run must never wait without a bound). @defaultValue 30 minutes */
  readonly timeoutMs?: number | undefined;
}

/** What one run measured. */
export interface ExportRunFigures {
  readonly segments: number;
  /** Stored TS bytes read, MB (10^6). */
  readonly inputMB: number;
  /** MP4 bytes written, MB. */
  readonly outputMB: number;
  readonly seconds: number;
  /** Input MB per second of the child's whole run (start-up and listing included). */
  readonly MBps: number;
  /** The exporting process's VmHWM, MB (10^6). */
  readonly peakRssMB: number;
  readonly exitCode: number | null;
  /** The child's stderr (errors, or its memory log when asked). */
  readonly stderr: string;
}

/** Makes (once per folder) the stored segment with ffmpeg. */
export function exportRunSegment(dir: string): string {
  const path = join(dir, 'seg-1080p-5M.ts');
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  execFileSync('ffmpeg', ['-y', '-v', 'error', ...SEGMENT_RECIPE, tmp]);
  renameSync(tmp, path);
  return path;
}

/** Stores `segment` under `count` consecutive keys in s3rver's folder layout (hard links). */
function seed(store: string, segment: string, count: number): void {
  const md5 = createHash('md5').update(readFileSync(segment)).digest('hex');
  for (let i = 0; i < count; i++) {
    const key = segmentKey(PREFIX, { startTimeMs: EXPORT_RUN_T0_MS + i * SEGMENT_MS, sequence: i, durationMs: SEGMENT_MS, discontinuity: i === 0 });
    const object = join(store, BUCKET, `${key}._S3rver_object`);
    mkdirSync(dirname(object), { recursive: true });
    linkSync(segment, object);
    writeFileSync(`${object}.md5`, md5);
  }
}

/** VmHWM of a live process in bytes, or undefined once it has exited. */
async function vmHwm(pid: number): Promise<number | undefined> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface ChildResult {
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly peakBytes: number;
}

/** Runs the child, sampling its VmHWM every 10 ms until it exits (the last sample is the peak: VmHWM never falls). */
async function runSampled(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildResult> {
  // Through `env -u NODE_OPTIONS` (which execs node in place: same pid): under tap, a patched spawn puts
  // NODE_OPTIONS back into every child's environment, preloading tap's process-info hooks into the
  // exporter (+20-30 MB measured), whatever `env` says.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  let exited = false;
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => ((exited = true), resolve(code))));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let peakBytes = 0;
  while (!exited && child.pid !== undefined) {
    peakBytes = Math.max(peakBytes, (await vmHwm(child.pid)) ?? 0);
    await new Promise((r) => setTimeout(r, 10));
  }
  const exitCode = await done;
  clearTimeout(killer);
  return { exitCode, stderr, peakBytes };
}

/**
 * Seeds s3rver with `segments` copies of the 1080p segment and runs `s3hls export` over them in a child.
 *
 * @param o - see {@link ExportRunOptions}
 * @returns the figures (the caller asserts on them)
 * @throws Error when ffmpeg is missing or s3rver cannot start
 */
export async function runExportChild(o: ExportRunOptions): Promise<ExportRunFigures> {
  const segment = exportRunSegment(o.dir);
  const store = join(o.dir, `s3rver-${process.pid}-${Date.now()}`);
  const output = join(o.dir, `clip-${process.pid}.mp4`);
  mkdirSync(store, { recursive: true });
  seed(store, segment, o.segments);
  const server = new (S3rver as unknown as new (opts: object) => { run(): Promise<{ port: number }>; close(): Promise<void> })({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: store,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  try {
    const end = new Date(EXPORT_RUN_T0_MS + o.segments * SEGMENT_MS).toISOString();
    const args = [...(o.nodeArgs ?? []), o.cli, 'export', '--bucket', BUCKET, '--endpoint', `http://127.0.0.1:${port}`, '--path-style', '--region', 'us-east-1'];
    args.push('--prefix', PREFIX, '--start', new Date(EXPORT_RUN_T0_MS).toISOString(), '--end', end, '--max-range', String(o.segments * 2 + 1), '--output', output);
    // The child runs as a user runs `s3hls`: no NODE_OPTIONS (see runSampled).
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true', ...o.env };
    const t0 = performance.now();
    const r = await runSampled(args, env, o.timeoutMs ?? 30 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    const inputMB = (statSync(segment).size * o.segments) / 1e6;
    const outputMB = existsSync(output) ? statSync(output).size / 1e6 : 0;
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    return {
      segments: o.segments,
      inputMB: r1(inputMB),
      outputMB: r1(outputMB),
      seconds: r1(seconds),
      MBps: r1(inputMB / seconds),
      peakRssMB: r1(r.peakBytes / 1e6),
      exitCode: r.exitCode,
      stderr: r.stderr,
    };
  } finally {
    await server.close();
    rmSync(store, { recursive: true, force: true });
    rmSync(output, { force: true });
  }
}
