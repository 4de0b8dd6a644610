/**
 * `s3hls upload`: one input (`--input`) or many cameras (`--config cameras.json`) → HLS segments in
 * S3. The composition: a CameraManager runs one source per camera, each camera's stream and uploader
 * sink built by the composition root ({@link CameraPipeline}) on one shared Uploader; an UploadMonitor ends runs that cannot succeed; a ProgressReporter
 * prints. A file input runs as fast as uploads allow (paced by its pool, no drops); a live input
 * runs until SIGINT/SIGTERM (or `signal`), then every stream is finalized and the queue drained.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CameraManager, type CameraSpec, type ManagedSource } from '../../sources/camera-manager.js';
import { AnnexBSource } from '../../sources/annexb-source.js';
import { FfmpegSource } from '../../sources/ffmpeg-source.js';
import type { FrameTarget } from '../../sources/frame-target.js';
import { SourceError } from '../../sources/source-errors.js';
import { CameraPipeline } from '../../pipeline/camera-pipeline.js';
import { UsageError } from '../../server/cli-flags.js';
import type { CredentialsInput } from '../../upload/credential-source.js';
import { Uploader, type DrainReport } from '../../upload/uploader.js';
import { HourIndexWriter } from '../../recordings/hour-index-writer.js';
import { validatePrefix } from '../../keys/object-keys.js';
import { parseTags } from '../../upload/tags.js';
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

type Out = { write(s: string): unknown };
type Err = { write(s: string): unknown; isTTY?: boolean };

/** What one run holds; the helpers below share it instead of one long closure. */
interface Run {
  readonly plan: UploadPlan;
  readonly io: UploadIo;
  readonly started: number;
  readonly progress: ProgressReporter;
  readonly uploader: Uploader;
  /** Writes the hour index objects of the hours this run closes (docs/recordings.md). */
  readonly indexWriter: HourIndexWriter;
  /** Camera prefix → the camera's tags header: index objects get the tags of their segments (retention). */
  readonly indexTags: Map<string, string>;
  readonly pipelines: Map<string, CameraPipeline>;
  readonly failures: { id: string; error: Error }[];
  readonly stopRequested: Promise<void>;
  readonly wakeMain: () => void;
  /** Resolves when {@link setFatal} is first called: ends the drain at once, without polling. */
  readonly fatalSet: Promise<void>;
  readonly resolveFatal: () => void;
  fatal: CliExit | undefined;
  stopping: boolean;
  manager: CameraManager | undefined;
}

async function execute(plan: UploadPlan, io: UploadIo, out: Out, err: Err): Promise<number> {
  const mode = plan.progress === 'auto' ? (err.isTTY ? 'tty' : 'plain') : plan.progress;
  let wakeMain: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wakeMain = resolve));
  let resolveFatal: () => void = () => {};
  const fatalSet = new Promise<void>((resolve) => (resolveFatal = resolve));
  const uploader = createUploader(plan, io);
  const indexTags = new Map<string, string>();
  const indexWriter = new HourIndexWriter({ ...uploader.store, taggingFor: (p) => indexTags.get(p), onError: (m) => void err.write(`s3hls: warning: ${m}\n`) });
  indexWriter.attach(uploader);
  const run: Run = {
    fatalSet, resolveFatal: () => resolveFatal(), indexWriter, indexTags,
    plan, io, started: performance.now(), progress: new ProgressReporter(out, err, mode), uploader,
    pipelines: new Map(), failures: [], stopRequested, wakeMain: () => wakeMain(), fatal: undefined, stopping: false, manager: undefined,
  };
  void stopRequested.then(() => {
    run.stopping = true;
    for (const p of run.pipelines.values()) p.wakeWaiters(); // a file input waiting for pool room ends its wait
  });
  watchUploader(run);
  const manager = createManager(run);
  run.manager = manager;
  const onAbort = (): void => run.wakeMain();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted) run.wakeMain();
  const ticker = setInterval(() => run.progress.update(snapshot(run, manager)), io.progressIntervalMs ?? 500);
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
    if (run.fatal) {
      // Nothing more will be stored: do not wait for the queue.
      await run.uploader.close();
      throw run.fatal;
    }
    const drained = await drainQueue(run);
    return conclude(run, manager, drained);
  } finally {
    clearInterval(ticker);
    io.signal?.removeEventListener('abort', onAbort);
  }
}

function createUploader(plan: UploadPlan, io: UploadIo): Uploader {
  try {
    return new Uploader({
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
}

/** Uploader events → progress lines and the monitor that ends runs that cannot succeed. */
function watchUploader(run: Run): void {
  const { plan, uploader, progress } = run;
  const endpointLabel = plan.endpoint ?? `S3 (${plan.region ?? process.env['AWS_REGION'] ?? 'us-east-1'})`;
  const monitor = new UploadMonitor({
    live: plan.cameras.some((c) => c.live),
    endpointLabel,
    bucket: plan.bucket,
    onFatal: (exit) => setFatal(run, exit, true),
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
}

/** One CameraManager whose cameras are built by the composition root ({@link CameraPipeline}). */
function createManager(run: Run): CameraManager {
  const { plan, progress, pipelines } = run;
  const planned = new Map(plan.cameras.map((c) => [c.id, c]));
  const manager = new CameraManager({
    stallTimeoutMs: plan.stallTimeoutMs,
    // The pipeline builds the stream and its uploader sink together; createStream returns its stream.
    sinkFor: (spec, prefix) => {
      const cam = planned.get(spec.id) as PlannedCamera;
      if (cam.tags !== undefined) run.indexTags.set(validatePrefix(prefix), parseTags(cam.tags).header);
      const pipeline = new CameraPipeline({
        streamId: spec.id,
        prefix,
        uploader: run.uploader,
        tags: cam.tags,
        poolBytes: cam.poolBytes,
        targetSegmentSeconds: cam.segmentSeconds,
        // Files: segment times are --start-time + media time; live: the wall clock.
        mediaTimeOriginMs: cam.live ? undefined : plan.startTimeMs,
      });
      pipeline.stream.on('sink-error', (e) => progress.line(`camera ${spec.id}: segment not stored: ${e.message}`, true));
      pipeline.stream.on('drop', (d) => progress.line(`camera ${d.streamId}: dropped ${d.frames} ${d.kind} frame(s): ${d.code} ${d.message}`));
      pipelines.set(spec.id, pipeline);
      return pipeline.startUpload();
    },
    createStream: (spec) => (pipelines.get(spec.id) as CameraPipeline).stream,
    createSource: (spec, target) => createSource(planned.get(spec.id) as PlannedCamera, target, pipelines.get(spec.id) as CameraPipeline, progress, () => run.stopping),
  });
  manager.on('camera-failed', (id, e) => {
    run.failures.push({ id, error: e });
    // With one camera the closing line says it; with several, each failure gets its own line.
    if (plan.cameras.length > 1) progress.line(`camera ${id}: ${e.message}`, true);
    if (plan.cameras.length === 1) {
      const code = e instanceof SourceError ? ExitCode.BadInput : ExitCode.Incomplete;
      // A single camera that failed ends the run.
      setFatal(run, new CliExit(code, e.message), false);
    }
  });
  manager.on('camera-error', (id, e) => progress.line(`camera ${id}: ${e.message}`, true));
  manager.on('camera-stalled', (id, idleMs) => progress.line(`camera ${id}: no frame for ${idleMs} ms, restarting its source`, true));
  return manager;
}

function snapshot(run: Run, manager: CameraManager): ProgressSnapshot {
  const u = run.uploader.stats();
  let poolUsed = 0;
  let poolCap = 0;
  let dropped = 0;
  for (const p of run.pipelines.values()) {
    const st = p.stream.stats();
    poolUsed += st.pool.usedBytes;
    poolCap += st.pool.capacityBytes;
    dropped += st.videoFramesDropped + st.audioFramesDropped;
  }
  const cams = manager.list();
  return {
    segments: u.uploadedSegments,
    bytes: u.uploadedBytes,
    elapsedMs: performance.now() - run.started,
    queued: u.queued,
    inFlight: u.inFlight,
    poolUsedBytes: poolUsed,
    poolCapacityBytes: poolCap,
    dropped,
    camerasRunning: cams.filter((c) => c.state === 'running').length,
    cameras: cams.length,
    held: u.heldForCredentials,
  };
}

/** Records the condition that ends the run (the first one wins unless `replace`) and wakes the main wait. */
function setFatal(run: Run, exit: CliExit, replace: boolean): void {
  if (replace || run.fatal === undefined) run.fatal = exit;
  run.resolveFatal();
  run.wakeMain();
}

/** Drains the queue until done, the drain timeout, a second Ctrl-C, or a fatal condition. */
async function drainQueue(run: Run): Promise<DrainReport | undefined> {
  const force = new AbortController();
  const onForce = (): void => force.abort();
  run.io.forceSignal?.addEventListener('abort', onForce, { once: true });
  if (run.io.forceSignal?.aborted) force.abort();
  // A fatal condition while draining (credentials refused) ends it at once.
  const fatalOrForced = new Promise<undefined>((resolve) => {
    void run.fatalSet.then(() => resolve(undefined));
    force.signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  try {
    return await Promise.race([run.uploader.drain({ timeoutMs: run.plan.drainTimeoutMs, signal: force.signal }), fatalOrForced]);
  } finally {
    force.abort();
    run.io.forceSignal?.removeEventListener('abort', onForce);
    // Index the hours this run closed before the client goes away. Bounded: an index only makes
    // queries faster (readers LIST an hour without one), it must never hold up the exit.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run.indexWriter.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, INDEX_CLOSE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    await run.uploader.close();
  }
}

/** How long the end of a run waits for hour index writes, ms. */
const INDEX_CLOSE_TIMEOUT_MS = 10_000;

/** The closing line and the exit status: 0 only when every segment was stored. */
function conclude(run: Run, manager: CameraManager, drained: DrainReport | undefined): number {
  const { plan, io } = run;
  if (run.fatal) throw run.fatal;
  const notStored = drained?.pending.length ?? 0;
  run.progress.finish(formatSummary(snapshot(run, manager), notStored));
  if (io.forceSignal?.aborted && notStored > 0) throw new CliExit(ExitCode.Interrupted, `interrupted: ${notStored} segment(s) not stored`);
  if (drained && !drained.complete) {
    const last = drained.pending.find((p) => p.lastError)?.lastError;
    throw new CliExit(ExitCode.Incomplete, `${notStored} segment(s) not stored after waiting ${plan.drainTimeoutMs / 1000} s${last ? ` (last error ${last.name})` : ''}${last?.code === 'UNVERIFIED_PUT' && last.message ? `: ${last.message}` : ''}`);
  }
  const refused = [...run.pipelines.values()].filter((p) => p.failedSegments > 0);
  if (refused.length > 0) {
    const n = refused.reduce((sum, p) => sum + p.failedSegments, 0);
    throw new CliExit(ExitCode.Incomplete, `${n} segment(s) failed: ${refused[0].lastFailure?.message ?? 'refused by the uploader'}`);
  }
  if (run.failures.length > 0) {
    throw new CliExit(ExitCode.BadInput, `${run.failures.length} camera(s) failed: ${run.failures.map((f) => f.id).join(', ')}`);
  }
  const emptyFiles = plan.cameras.filter((c) => !c.live && (run.pipelines.get(c.id)?.stream.stats().segments ?? 0) === 0);
  if (emptyFiles.length > 0) {
    throw new CliExit(ExitCode.BadInput, `no segment could be made from ${emptyFiles.map((c) => c.input).join(', ')} (no decodable H.264 keyframe)`);
  }
  return ExitCode.Ok;
}

/** The camera's source: raw Annex B read in-process, anything else through ffmpeg. */
function createSource(cam: PlannedCamera, target: FrameTarget, pipeline: CameraPipeline, progress: ProgressReporter, stopping: () => boolean): ManagedSource {
  // A file input waits while its pool is half full (uploads catch up) instead of dropping frames.
  const backpressure = cam.live ? undefined : () => pipeline.whenPoolBelow(FILE_POOL_HIGH_WATER, stopping);
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
