/**
 * `s3hls demo`: the whole pipeline on one machine with no AWS account. It starts an S3-compatible
 * server (s3rver) on loopback with a local data folder, runs one live camera — an ffmpeg test
 * pattern when ffmpeg is installed, else the bundled clip (assets/demo/clip.h264) looped in real
 * time — through `s3hls upload`, serves the playlist endpoint and player page, and prints the URL.
 *
 *     s3hls demo [--port 8080] [--s3-port 0] [--data DIR] [--source auto|clip|ffmpeg]
 */
import { redactingWriter } from '../../redact.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { baseUrlResolver } from '../../playlist/segment-urls.js';
import { startPlaylistServer, type PlaylistServer } from '../../server/playlist-server.js';
import { intFlag, UsageError } from '../../server/cli-flags.js';
import { ExitCode } from '../exit-codes.js';
import { runUpload } from './upload.js';

/** Output streams and hooks of {@link runDemo}. */
export interface DemoIo {
  readonly stdout?: { write(s: string): unknown; isTTY?: boolean } | undefined;
  readonly stderr?: { write(s: string): unknown; isTTY?: boolean } | undefined;
  /** Stops the demo (SIGINT/SIGTERM in the CLI). */
  readonly signal?: AbortSignal | undefined;
  /** Called once everything runs, with the player URL and the S3 endpoint. */
  readonly onReady?: ((info: { playerUrl: string; s3Endpoint: string; bucket: string; prefix: string }) => void) | undefined;
}

/** Usage text of `s3hls demo --help`. */
export const DEMO_HELP = `s3hls demo - see the whole thing work locally, no AWS account needed

Usage: s3hls demo [--port 8080] [--s3-port 0] [--data DIR] [--source auto|clip|ffmpeg]

Starts an S3-compatible server on 127.0.0.1 (data in DIR, kept; default a temporary folder,
removed when the demo ends), streams a
live camera into it (an ffmpeg test pattern when ffmpeg is installed, else the bundled clip looped),
serves the playlist endpoint and the player page, and prints the URL to open. Ctrl-C stops it.
`;

const BUCKET = 'demo';
const CAMERA = 'demo';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** The bundled clip: assets/ sits next to src/ and dist/ alike. */
export function demoClipPath(): string {
  return fileURLToPath(new URL('../../../assets/demo/clip.h264', import.meta.url));
}

/** What the flags ask for. */
interface DemoPlan {
  /** Port of the playlist endpoint and player page (a busy one falls back to a free one). */
  readonly port: number;
  readonly s3Port: number;
  /** The s3rver data folder. */
  readonly directory: string;
  /** `--data` was given: the folder is the user's and is kept. */
  readonly keepData: boolean;
  readonly useFfmpeg: boolean;
  readonly clip: string;
}

type Writer = { write(s: string): unknown; isTTY?: boolean };

/**
 * Parses and checks the flags.
 * @returns the plan, or the exit status of a run that ends here (help, a usage error, nothing to stream)
 */
function planDemo(argv: readonly string[], out: Writer, err: Writer): DemoPlan | number {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, 's3-port': { type: 'string' }, data: { type: 'string' }, source: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
    if (v.help) {
      out.write(DEMO_HELP);
      return ExitCode.Ok;
    }
    if (v.source !== undefined && !['auto', 'clip', 'ffmpeg'].includes(v.source)) throw new UsageError(`--source must be auto, clip or ffmpeg, got ${JSON.stringify(v.source)}`);
  } catch (e) {
    err.write(`s3hls demo: ${(e as Error).message.split('\n')[0]}\n`);
    return ExitCode.Usage;
  }
  const port = v.port !== undefined ? intFlag(v.port, 'port', 0, 65535) : 8080;
  const s3Port = v['s3-port'] !== undefined ? intFlag(v['s3-port'], 's3-port', 0, 65535) : 0;
  const directory = v.data ?? join(tmpdir(), `s3hls-demo-${process.pid}`);
  const haveFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
  const source = v.source ?? 'auto';
  if (source === 'ffmpeg' && !haveFfmpeg) {
    err.write('s3hls demo: --source ffmpeg: ffmpeg is not installed (apt-get install ffmpeg), or use --source clip\n');
    return ExitCode.BadInput;
  }
  const useFfmpeg = source === 'ffmpeg' || (source === 'auto' && haveFfmpeg);
  const clip = demoClipPath();
  if (!useFfmpeg && !existsSync(clip)) {
    err.write(`s3hls demo: the bundled clip is missing (${clip}) and ffmpeg is not installed\n`);
    return ExitCode.BadInput;
  }
  return { port, s3Port, directory, keepData: v.data !== undefined, useFfmpeg, clip };
}

/** The playlist endpoint and player page over the demo's bucket, on `port` or, when busy, a free one. */
async function startDemoServer(s3Endpoint: string, port: number, err: Writer): Promise<PlaylistServer> {
  const client = new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { ...CREDENTIALS } });
  const serverOptions = {
    client,
    bucket: BUCKET,
    rootPrefix: 'cameras',
    urls: baseUrlResolver(`${s3Endpoint}/${BUCKET}`),
    liveWindow: 6,
    onWarning: (m: string) => void err.write(`s3hls demo: ${m}\n`),
  };
  try {
    return await startPlaylistServer({ ...serverOptions, port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    err.write(`s3hls demo: port ${port} is busy, using a free one\n`);
    return await startPlaylistServer({ ...serverOptions, port: 0 });
  }
}

/** The `s3hls upload` arguments of the demo camera. */
function cameraArgs(plan: DemoPlan, s3Endpoint: string, err: Writer): string[] {
  const input = plan.useFfmpeg ? ['--input', 'lavfi:testsrc2=size=1280x720:rate=25', '--encoder', 'libx264', '--no-audio'] : ['--input', plan.clip, '--fps', '25', '--loop'];
  return [
    ...input,
    '--bucket',
    BUCKET,
    '--prefix',
    `cameras/${CAMERA}`,
    '--endpoint',
    s3Endpoint,
    '--path-style',
    '--segment-seconds',
    '2',
    '--progress',
    err.isTTY ? 'tty' : 'none',
    '--drain-timeout',
    '10',
  ];
}

/**
 * Runs the demo until `signal` aborts.
 *
 * @param argv - the arguments after `demo`
 * @param io - output streams, stop signal, readiness callback
 * @returns the exit status of the camera's upload (0 when every segment was stored)
 */
export async function runDemo(argv: readonly string[], io: DemoIo = {}): Promise<number> {
  // Every line goes through redaction: input URLs and ffmpeg's echo of them may hold a password.
  const out = redactingWriter(io.stdout ?? process.stdout);
  const err = redactingWriter(io.stderr ?? process.stderr);
  const plan = planDemo(argv, out, err);
  if (typeof plan === 'number') return plan;
  const { directory } = plan;
  // Loaded here, not at the top: every other command would pay for s3rver's start-up otherwise.
  // s3rver is an optionalDependency (a firmware install omits it): say what to install instead of a stack trace.
  let S3rver: typeof import('s3rver').default;
  try {
    ({ default: S3rver } = await import('s3rver'));
  } catch {
    err.write('s3hls demo: the optional package s3rver is not installed (installed with --omit=optional?); run `npm install s3rver@3.7.1`\n');
    return ExitCode.BadInput;
  }
  mkdirSync(directory, { recursive: true });
  const s3 = new S3rver({ address: '127.0.0.1', port: plan.s3Port, silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [CORS] }] });
  const { port: boundS3Port } = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${boundS3Port}`;
  let server: PlaylistServer | undefined;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted) stop.abort();
  try {
    server = await startDemoServer(s3Endpoint, plan.port, err);
    const playerUrl = `${server.url}/#camera=${CAMERA}&mode=live`;
    out.write(
      `s3hls demo: S3-compatible server at ${s3Endpoint} (bucket "${BUCKET}", data in ${directory})\n` +
        `s3hls demo: camera "${CAMERA}": ${plan.useFfmpeg ? 'ffmpeg test pattern (libx264)' : 'bundled clip, looped'} → cameras/${CAMERA}/\n` +
        `s3hls demo: open ${playerUrl}  (live playlist: ${server.url}/cameras/${CAMERA}/live.m3u8; Ctrl-C stops)\n`,
    );
    io.onReady?.({ playerUrl, s3Endpoint, bucket: BUCKET, prefix: `cameras/${CAMERA}` });
    return await runUpload(cameraArgs(plan, s3Endpoint, err), { stdout: out, stderr: err, signal: stop.signal, credentials: { ...CREDENTIALS } });
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    await server?.close();
    await s3.close();
    // The default data folder is the demo's scratch space (~80 MB per 3 minutes): removed on exit.
    // A folder the user named with --data is theirs and is kept.
    if (!plan.keepData) rmSync(directory, { recursive: true, force: true });
  }
}
