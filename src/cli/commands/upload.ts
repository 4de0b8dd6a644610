/**
 * `s3hls upload`: one input (`--input`) or many cameras (`--config cameras.json`) → HLS segments in
 * S3. The composition: a CameraManager runs one source + HlsStream per camera, every stream's sink
 * comes from one Uploader; an UploadMonitor ends runs that cannot succeed; a ProgressReporter
 * prints. A file input runs as fast as uploads allow (paced by its pool, no drops); a live input
 * runs until SIGINT/SIGTERM (or `signal`), then every stream is finalized and the queue drained.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CameraManager, type CameraSpec, type ManagedSource } from '../../sources/camera-manager.js';
import { AnnexBSource } from '../../sources/annexb-source.js';
import { FfmpegSource } from '../../sources/ffmpeg-source.js';
import type { FrameTarget } from '../../sources/frame-target.js';
import { SourceError } from '../../sources/source-errors.js';
import { HlsStream } from '../../stream/hls-stream.js';
import { UsageError } from '../../server/cli-flags.js';
import type { CredentialsInput } from '../../upload/credential-source.js';
import { Uploader } from '../../upload/uploader.js';
import { CliExit, ExitCode } from '../exit-codes.js';
import { UPLOAD_HELP } from '../help.js';
import { formatSummary, ProgressReporter, type ProgressSnapshot } from '../progress.js';
import { parseUploadArgs, type PlannedCamera, type UploadPlan } from '../upload-options.js';
import { UploadMonitor } from '../upload-monitor.js';

/** Output streams and hooks of {@link runUpload} (tests pass their own). */
export interface UploadIo {
  readonly stdout?: { write(s: string): unknown } | undefined;
  readonly stderr?: { write(s: string): unknown; isTTY?: boolean } | undefined;
  /** First abort: stop inputs, finalize, drain. A second abort (`forceSignal`) gives up draining. */
  readonly signal?: AbortSignal | undefined;
  /** Abandons the drain (second Ctrl-C). */
  readonly forceSignal?: AbortSignal | undefined;
  /** Credentials instead of the AWS default chain (environment, profile, SSO, instance role). */
  readonly credentials?: CredentialsInput | undefined;
  /** Wall clock for `--start-time`'s default. */
  readonly now?: (() => number) | undefined;
  /** Progress redraw period, ms. @defaultValue 500 */
  readonly progressIntervalMs?: number | undefined;
}

/** Pool use above which a file input waits for uploads (half: room for the next GOPs). */
const FILE_POOL_HIGH_WATER = 0.5;

/**
 * Runs `s3hls upload`.
 *
 * @param argv - the arguments after `upload`
 * @param io - output streams, abort signals, injected credentials
 * @returns the exit status (see exit-codes.ts): 0 only when every segment was stored
 */
export async function runUpload(argv: readonly string[], io: UploadIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let plan: UploadPlan;
  try {
    plan = parseUploadArgs(argv, { now: io.now });
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`s3hls upload: ${e.message}\n(see s3hls upload --help)\n`);
      return ExitCode.Usage;
    }
    throw e;
  }
  if (plan.help) {
    out.write(UPLOAD_HELP);
    return ExitCode.Ok;
  }
  try {
    return await execute(plan, io, out, err);
  } catch (e) {
    if (e instanceof CliExit) {
      err.write(`s3hls upload: ${e.message}\n`);
      return e.code;
    }
    // Not a user error: the stack helps the bug report.
    err.write(`s3hls upload: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return ExitCode.Incomplete;
  }
}

async function execute(plan: UploadPlan, io: UploadIo, out: { write(s: string): unknown }, err: { write(s: string): unknown; isTTY?: boolean }): Promise<number> {
  const started = performance.now();
  const anyLive = plan.cameras.some((c) => c.live);
  const mode = plan.progress === 'auto' ? (err.isTTY ? 'tty' : 'plain') : plan.progress;
  const progress = new ProgressReporter(out, err, mode);
  const endpointLabel = plan.endpoint ?? `S3 (${plan.region ?? process.env['AWS_REGION'] ?? 'us-east-1'})`;

  let uploader: Uploader;
  try {
    uploader = new Uploader({
      bucket: plan.bucket,
      ...(plan.region !== undefined ? { region: plan.region } : {}),
      ...(plan.endpoint !== undefined ? { endpoint: plan.endpoint } : {}),
      forcePathStyle: plan.pathStyle,
      credentials: io.credentials ?? fromNodeProviderChain(plan.profile !== undefined ? { profile: plan.profile } : {}),
      concurrency: plan.concurrency,
      verify: plan.verify,
    });
  } catch (e) {
    throw new CliExit(ExitCode.Usage, (e as Error).message);
  }

  let fatal: CliExit | undefined;
  let wakeMain: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wakeMain = resolve));
  const monitor = new UploadMonitor({
    live: anyLive,
    endpointLabel,
    bucket: plan.bucket,
    onFatal: (exit) => {
      fatal = exit;
      wakeMain();
    },
  });
  uploader.on('uploaded', (e) => {
    monitor.uploaded();
    progress.line(`stored ${e.key} (${e.bytes} bytes, ${Math.round(e.latencyMs)} ms)`);
  });
  uploader.on('error', (e) => {
    monitor.error(e);
    progress.line(`upload error: ${e.code} ${e.name} ${e.key}${e.retryInMs !== undefined ? ` (retry in ${e.retryInMs} ms)` : ''}`, true);
  });
  uploader.on('credentials-needed', (e) => monitor.credentialsNeeded(e));

  const streams = new Map<string, HlsStream>();
  const planned = new Map(plan.cameras.map((c) => [c.id, c]));
  const failures: { id: string; error: Error }[] = [];
  const manager = new CameraManager({
    stallTimeoutMs: plan.stallTimeoutMs,
    sinkFor: (spec, prefix) => uploader.sinkFor(spec.id, { prefix, ...(planned.get(spec.id)?.tags !== undefined ? { tags: planned.get(spec.id)!.tags } : {}) }),
    createStream: (spec, sink) => {
      const cam = planned.get(spec.id) as PlannedCamera;
      const stream = new HlsStream({
        streamId: spec.id,
        sink,
        poolBytes: cam.poolBytes,
        targetSegmentSeconds: cam.segmentSeconds,
        // Files: segment times are --start-time + media time; live: the wall clock.
        mediaTimeOriginMs: cam.live ? undefined : plan.startTimeMs,
      });
      stream.on('drop', (d) => progress.line(`camera ${d.streamId}: dropped ${d.frames} ${d.kind} frame(s): ${d.code} ${d.message}`));
      streams.set(spec.id, stream);
      return stream;
    },
    createSource: (spec, target) => createSource(planned.get(spec.id) as PlannedCamera, target, streams.get(spec.id) as HlsStream, progress, () => stopping),
  });
  manager.on('camera-failed', (id, e) => {
    failures.push({ id, error: e });
    // With one camera the closing line says it; with several, each failure gets its own line.
    if (plan.cameras.length > 1) progress.line(`camera ${id}: ${e.message}`, true);
    if (plan.cameras.length === 1) {
      const code = e instanceof SourceError ? ExitCode.BadInput : ExitCode.Incomplete;
      // A single camera that failed ends the run.
      fatal ??= new CliExit(code, e.message);
      wakeMain();
    }
  });
  manager.on('camera-error', (id, e) => progress.line(`camera ${id}: ${e.message}`, true));
  manager.on('camera-stalled', (id, idleMs) => progress.line(`camera ${id}: no frame for ${idleMs} ms, restarting its source`, true));

  let stopping = false;
  void stopRequested.then(() => (stopping = true));
  const onAbort = (): void => wakeMain();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted) wakeMain();

  const snapshot = (): ProgressSnapshot => {
    const u = uploader.stats();
    let poolUsed = 0;
    let poolCap = 0;
    let dropped = 0;
    for (const s of streams.values()) {
      const st = s.stats();
      poolUsed += st.pool.usedBytes;
      poolCap += st.pool.capacityBytes;
      dropped += st.videoFramesDropped + st.audioFramesDropped;
    }
    const cams = manager.list();
    return {
      segments: u.uploadedSegments,
      bytes: u.uploadedBytes,
      elapsedMs: performance.now() - started,
      queued: u.queued,
      inFlight: u.inFlight,
      poolUsedBytes: poolUsed,
      poolCapacityBytes: poolCap,
      dropped,
      camerasRunning: cams.filter((c) => c.state === 'running').length,
      cameras: cams.length,
      held: u.heldForCredentials,
    };
  };
  const ticker = setInterval(() => progress.update(snapshot()), io.progressIntervalMs ?? 500);

  try {
    for (const cam of plan.cameras) {
      try {
        void manager.add(cam as CameraSpec);
      } catch (e) {
        throw new CliExit(ExitCode.Usage, `camera ${cam.id}: ${(e as Error).message}`);
      }
    }
    // Until every input ended (files), a stop request, or a fatal condition.
    await Promise.race([manager.settled(), stopRequested]);
    await manager.stopAll(); // stops sources; finalize emits each open segment
    if (fatal) {
      // Nothing more will be stored: do not wait for the queue.
      await uploader.close();
      throw fatal;
    }
    const force = new AbortController();
    const onForce = (): void => force.abort();
    io.forceSignal?.addEventListener('abort', onForce, { once: true });
    const drained = await Promise.race([
      uploader.drain({ timeoutMs: plan.drainTimeoutMs, signal: force.signal }),
      stopRequested.then(async () => {
        // A fatal condition while draining (credentials refused) ends it at once.
        while (!fatal && !force.signal.aborted) await new Promise((r) => setTimeout(r, 50));
        return undefined;
      }),
    ]);
    force.abort();
    io.forceSignal?.removeEventListener('abort', onForce);
    await uploader.close();
    if (fatal) throw fatal;
    const notStored = drained?.pending.length ?? 0;
    progress.finish(formatSummary(snapshot(), notStored));
    if (io.forceSignal?.aborted && notStored > 0) throw new CliExit(ExitCode.Interrupted, `interrupted: ${notStored} segment(s) not stored`);
    if (drained && !drained.complete) {
      const last = drained.pending.find((p) => p.lastError)?.lastError;
      throw new CliExit(ExitCode.Incomplete, `${notStored} segment(s) not stored after waiting ${plan.drainTimeoutMs / 1000} s${last ? ` (last error ${last.name})` : ''}${last?.code === 'UNVERIFIED_PUT' && last.message ? `: ${last.message}` : ''}`);
    }
    if (failures.length > 0) {
      throw new CliExit(ExitCode.BadInput, `${failures.length} camera(s) failed: ${failures.map((f) => f.id).join(', ')}`);
    }
    const emptyFiles = plan.cameras.filter((c) => !c.live && (streams.get(c.id)?.stats().segments ?? 0) === 0);
    if (emptyFiles.length > 0) {
      throw new CliExit(ExitCode.BadInput, `no segment could be made from ${emptyFiles.map((c) => c.input).join(', ')} (no decodable H.264 keyframe)`);
    }
    return ExitCode.Ok;
  } finally {
    clearInterval(ticker);
    io.signal?.removeEventListener('abort', onAbort);
  }
}

/** The camera's source: raw Annex B read in-process, anything else through ffmpeg. */
function createSource(cam: PlannedCamera, target: FrameTarget, stream: HlsStream, progress: ProgressReporter, stopping: () => boolean): ManagedSource {
  // A file input waits while its pool is half full (uploads catch up) instead of dropping frames.
  const backpressure = cam.live ? undefined : () => waitForPool(stream, stopping);
  if (cam.kind === 'annexb') {
    return new AnnexBSource(target, {
      input: cam.input,
      ...(cam.fpsRate ? { fps: cam.fpsRate } : {}),
      realtime: cam.realtime ?? false,
      loop: cam.loop ?? false,
      ...(backpressure ? { backpressure } : {}),
      onError: (e) => progress.line(`camera ${cam.id}: ${e.code} ${e.message}`),
    });
  }
  const src = new FfmpegSource(target, { ...cam, ...(backpressure ? { backpressure } : {}) });
  src.on('stderr', (line) => progress.line(`camera ${cam.id}: ffmpeg: ${line}`));
  src.on('exit', (e) => {
    if (e.restartInMs !== undefined) progress.line(`camera ${cam.id}: ffmpeg exited (${e.signal ?? `code ${e.code}`}), restarting in ${e.restartInMs} ms`, true);
  });
  return src;
}

/** Resolves when the stream's pool is below the high-water mark, or the run is stopping. */
function waitForPool(stream: HlsStream, stopping: () => boolean): Promise<void> | undefined {
  const full = (): boolean => {
    if (stopping()) return false;
    const p = stream.stats().pool;
    return p.usedBytes > p.capacityBytes * FILE_POOL_HIGH_WATER;
  };
  if (!full()) return undefined;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!full()) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}
