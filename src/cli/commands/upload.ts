/**
 * `s3hls upload`: one input (`--input`) or many cameras (`--config cameras.json`) → HLS segments in
 * S3. The composition: a CameraManager runs one source per camera, each camera's stream and uploader
 * sink built by the composition root ({@link CameraPipeline}) on one shared Uploader; an UploadMonitor ends runs that cannot succeed; a ProgressReporter
 * prints. A file input runs as fast as uploads allow (paced by its pool, no drops); a live input
 * runs until SIGINT/SIGTERM (or `signal`), then every stream is finalized and the queue drained.
 */
import { redactingWriter } from '../../redact.js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CameraManager, type ManagedSource } from '../../sources/camera-manager.js';
import { AnnexBSource } from '../../sources/annexb-source.js';
import { FfmpegSource } from '../../sources/ffmpeg-source.js';
import type { FrameTarget } from '../../sources/frame-target.js';
import { SourceError } from '../../sources/source-errors.js';
import { CameraPipeline } from '../../pipeline/camera-pipeline.js';
import { UsageError } from '../../server/cli-flags.js';
import type { CredentialsInput } from '../../upload/credential-source.js';
import { Uploader, type DrainReport } from '../../upload/uploader.js';
import { closeIndexWriter } from '../../recordings/shared-index-writer.js';
import { CliExit, ExitCode } from '../exit-codes.js';
import { UPLOAD_HELP } from '../help.js';
import { formatBytes, formatSummary, ProgressReporter, type ProgressSnapshot } from '../progress.js';
import { parseUploadArgs, type PlannedCamera, type UploadPlan } from '../upload-options.js';
import { UploadMonitor } from '../upload-monitor.js';
import { planPool } from '../pool-plan.js';
import { boundedPoolWait } from '../pool-wait.js';
import type { DiskSpool } from '../../spool/disk-spool.js';
import { openSpoolLocked } from '../../spool/spool-config.js';
import { SpoolLockedError } from '../../spool/spool-lock.js';
import { AnchoredClock } from '../../stream/anchored-clock.js';

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
  // Every line goes through redaction: input URLs and ffmpeg's echo of them may hold a password.
  const out = redactingWriter(io.stdout ?? process.stdout);
  const err = redactingWriter(io.stderr ?? process.stderr);
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
  /** Each camera's pool size (src/cli/pool-plan.ts). */
  readonly poolBytes: ReadonlyMap<string, number>;
  /** File inputs still being read when a stop was requested: their rest was never uploaded. */
  readonly cutShort: PlannedCamera[];
  /** Open disk spools by directory (`--spool`, cameras.json `spool`); shared by their cameras. */
  readonly spools: Map<string, DiskSpool>;
}

async function execute(plan: UploadPlan, io: UploadIo, out: Out, err: Err): Promise<number> {
  const mode = plan.progress === 'auto' ? (err.isTTY ? 'tty' : 'plain') : plan.progress;
  // Before anything runs: a file whose GOP cannot fit in any pool ends here (exit 3), naming the size.
  const pools = plan.cameras.map((c) => [c, planPool(c)] as const);
  let wakeMain: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wakeMain = resolve));
  let resolveFatal: () => void = () => {};
  const fatalSet = new Promise<void>((resolve) => (resolveFatal = resolve));
  const uploader = createUploader(plan, io);
  const run: Run = {
    fatalSet,
    resolveFatal: () => resolveFatal(),
    plan,
    io,
    started: performance.now(),
    progress: new ProgressReporter(out, err, mode),
    uploader,
    pipelines: new Map(),
    failures: [],
    stopRequested,
    wakeMain: () => wakeMain(),
    fatal: undefined,
    stopping: false,
    manager: undefined,
    poolBytes: new Map(pools.map(([c, p]) => [c.id, p.poolBytes])),
    cutShort: [],
    spools: new Map(),
  };
  for (const [, p] of pools) if (p.note !== undefined) run.progress.line(p.note);
  await openSpools(run);
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
        void manager.add(cam);
      } catch (e) {
        throw new CliExit(ExitCode.Usage, `camera ${cam.id}: ${(e as Error).message}`);
      }
    }
    // Until every input ended (files), a stop request, or a fatal condition.
    await Promise.race([manager.settled(), stopRequested]);
    noteCutShort(run, manager);
    await manager.stopAll(); // stops sources; finalize emits each open segment
    if (run.fatal) {
      // Nothing more will be stored: do not wait for the queue.
      await run.uploader.close();
      await closeSpools(run);
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
    // A live camera that starts during an outage spools instead of stopping (docs/spool.md).
    outageTolerant: plan.cameras.every((c) => c.live && c.spool !== undefined),
    onNotice: (m) => progress.line(m, true),
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
  // One live clock for all cameras: a wall-clock step is one line, and every live camera starts a
  // new timeline at its next segment (docs/keys.md, "Clocks").
  const clock = new AnchoredClock({
    onStep: (s) =>
      progress.line(
        `wall clock stepped ${s.stepMs < 0 ? 'back' : 'forward'} by ${(Math.abs(s.stepMs) / 1000).toFixed(1)} s: live segment times follow it from the next segment (discontinuity clock-step)`,
        true,
      ),
  });
  const manager = new CameraManager({
    stallTimeoutMs: plan.stallTimeoutMs,
    // The pipeline builds the stream and its uploader sink together; createStream returns its stream.
    sinkFor: (spec, prefix) => {
      const cam = planned.get(spec.id) as PlannedCamera;
      pipelines.get(spec.id)?.dispose(); // a camera added again: its old pipeline stops listening
      const pipeline = new CameraPipeline({
        streamId: spec.id,
        prefix,
        uploader: run.uploader,
        tags: cam.tags,
        poolBytes: run.poolBytes.get(spec.id) ?? cam.poolBytes,
        targetSegmentSeconds: cam.segmentSeconds,
        // Files: segment times are --start-time + media time; live: the wall clock.
        mediaTimeOriginMs: cam.live ? undefined : plan.startTimeMs,
        clock,
        spool:
          cam.spool === undefined
            ? undefined
            : {
                spool: run.spools.get(cam.spool.dir) as DiskSpool,
                order: plan.spoolOrder,
                onError: (e) => progress.line(`camera ${spec.id}: spool: ${e.message}`, true),
              },
      });
      pipeline.stream.on('sink-error', (e) => progress.line(`camera ${spec.id}: segment not stored: ${e.message}`, true));
      pipeline.stream.on('drop', (d) => progress.line(`camera ${d.streamId}: dropped ${d.frames} ${d.kind} frame(s): ${d.code} ${d.message}`));
      pipeline.on('pool-too-small', (e) => onPoolTooSmall(run, cam, e.message));
      pipeline.on('index-error', (m) => progress.line(`s3hls: warning: ${m}`, true)); // the pipeline writes hour/day indexes
      pipelines.set(spec.id, pipeline);
      return pipeline.startUpload();
    },
    createStream: (spec) => (pipelines.get(spec.id) as CameraPipeline).stream,
    createSource: (spec, target) => createSource(run, planned.get(spec.id) as PlannedCamera, target, pipelines.get(spec.id) as CameraPipeline),
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
    ...spoolSnapshot(run),
  };
}

/**
 * The pool cannot hold one segment of this camera's stream: every GOP would be dropped. One camera:
 * the run stops with exit 3 naming the size; several: this camera is reported and the run ends with
 * exit 3 once the others are done.
 */
function onPoolTooSmall(run: Run, cam: PlannedCamera, message: string): void {
  const text = `camera ${cam.id}: ${message.replace('use a pool of', 'use --pool-size')} (pool ${Math.round((run.poolBytes.get(cam.id) ?? cam.poolBytes) / 1048576)} MiB; see docs/failure-behaviour.md)`;
  if (run.plan.cameras.length === 1) {
    setFatal(run, new CliExit(ExitCode.BadInput, text), false);
    return;
  }
  run.progress.line(text, true);
  run.failures.push({ id: cam.id, error: new Error(text) });
  // Not from inside the muxer's call stack (this runs in its drop event): stop the camera next turn.
  setImmediate(() => void run.manager?.remove(cam.id).catch(() => {}));
}

/** File inputs still being read when the run was asked to stop: the rest of each was never uploaded. */
function noteCutShort(run: Run, manager: CameraManager): void {
  if (!run.stopping) return;
  const running = new Set(
    manager
      .list()
      .filter((c) => c.state === 'running')
      .map((c) => c.id),
  );
  for (const cam of run.plan.cameras) if (!cam.live && running.has(cam.id)) run.cutShort.push(cam);
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
    const started = performance.now();
    // With a spool, segments reach the uploader through it (live, then this camera's backlog).
    if (run.spools.size > 0) await Promise.race([Promise.all([...run.pipelines.values()].map((p) => p.whenSpoolDone(run.plan.drainTimeoutMs))), fatalOrForced]);
    const left = Math.max(0, run.plan.drainTimeoutMs - (performance.now() - started));
    return await Promise.race([run.uploader.drain({ timeoutMs: left, signal: force.signal }), fatalOrForced]);
  } finally {
    force.abort();
    run.io.forceSignal?.removeEventListener('abort', onForce);
    // Index the hours this run closed before the client goes away. Bounded: an index only makes
    // queries faster (readers LIST an hour without one), it must never hold up the exit.
    await closeIndexWriter(run.uploader, INDEX_CLOSE_TIMEOUT_MS);
    await run.uploader.close();
    await closeSpools(run);
  }
}

// ---- disk spool (docs/spool.md) ------------------------------------------------------------------

/** Opens (and locks) every spool directory of the plan before any camera starts. */
async function openSpools(run: Run): Promise<void> {
  for (const cam of run.plan.cameras) {
    if (cam.spool === undefined || run.spools.has(cam.spool.dir)) continue;
    const dir = cam.spool.dir;
    let spool: DiskSpool;
    try {
      spool = await openSpoolLocked({ dir, maxBytes: cam.spool.maxBytes }, { onDamaged: (r) => run.progress.line(r.message, true) });
    } catch (e) {
      // Spools opened already are released (their locks), then the run ends with one line.
      await closeSpools(run);
      if (e instanceof SpoolLockedError) throw new CliExit(ExitCode.Usage, e.message);
      throw new CliExit(ExitCode.Usage, `--spool ${dir}: ${(e as Error).message}`);
    }
    run.spools.set(dir, spool);
    const st = spool.stats();
    if (st.files > 0) run.progress.line(`spool ${dir}: ${st.files} segment(s) (${formatBytes(st.bytes)}) from an earlier run to upload`, true);
  }
}

/** Writes what is not yet stored to the spools (the next run uploads it) and releases their locks. */
async function closeSpools(run: Run): Promise<void> {
  for (const p of run.pipelines.values()) await p.closeSpool();
  for (const [dir, spool] of run.spools) {
    await spool.close();
    const st = spool.stats();
    if (st.files > 0)
      run.progress.line(`spool ${dir}: ${st.files} segment(s) (${formatBytes(st.bytes)}) not yet stored stay on disk; the next run with --spool ${dir} uploads them`, true);
  }
}

/** The backlog numbers of the progress line. */
function spoolSnapshot(run: Run): Partial<ProgressSnapshot> {
  if (run.spools.size === 0) return {};
  let backlogSegments = 0;
  let backlogBytes = 0;
  for (const p of run.pipelines.values()) {
    const s = p.spoolStats();
    backlogSegments += s?.backlogSegments ?? 0;
    backlogBytes += s?.backlogBytes ?? 0;
  }
  return { backlogSegments, backlogBytes };
}
/** How long the end of a run waits for hour index writes, ms. */
const INDEX_CLOSE_TIMEOUT_MS = 10_000;

/** The closing line and the exit status: 0 only when every segment was stored. */
function conclude(run: Run, manager: CameraManager, drained: DrainReport | undefined): number {
  const { plan, io } = run;
  if (run.fatal) throw run.fatal;
  const notStored = drained?.pending.length ?? 0;
  // A run stopped before the end of a file must not read as complete ("0 frames dropped" and nothing else).
  run.progress.finish(formatSummary(snapshot(run, manager), notStored) + (run.cutShort.length > 0 ? '; stopped before the end of the input' : ''));
  if (io.forceSignal?.aborted && notStored > 0) throw new CliExit(ExitCode.Interrupted, `interrupted: ${notStored} segment(s) not stored`);
  if (run.cutShort.length > 0) {
    // Frames never read are footage not stored: never exit 0 (or say nothing was lost) for them.
    const list = run.cutShort.map((c) => `${c.input} (${run.pipelines.get(c.id)?.stream.stats().videoFramesIn ?? 0} frames read)`).join(', ');
    throw new CliExit(ExitCode.Interrupted, `interrupted before the end of the input: ${list}; the rest was not uploaded`);
  }
  if (drained && !drained.complete) {
    const last = drained.pending.find((p) => p.lastError)?.lastError;
    throw new CliExit(
      ExitCode.Incomplete,
      `${notStored} segment(s) not stored after waiting ${plan.drainTimeoutMs / 1000} s${last ? ` (last error ${last.name})` : ''}${last?.code === 'UNVERIFIED_PUT' && last.message ? `: ${last.message}` : ''}`,
    );
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

/** What a file input is waiting for, for the notice and the limit message. */
function describeWait(run: Run, cam: PlannedCamera, pipeline: CameraPipeline): string {
  const pool = pipeline.stream.stats().pool;
  const u = run.uploader.stats();
  return `camera ${cam.id}: waiting for uploads to free the pool (${pool.heldSegments} segment(s), ${(pool.usedBytes / 1e6).toFixed(1)} MB of ${(pool.capacityBytes / 1e6).toFixed(1)} MB held; ${u.queued} queued, ${u.inFlight} in flight)`;
}

/** The camera's source: raw Annex B read in-process, anything else through ffmpeg. */
function createSource(run: Run, cam: PlannedCamera, target: FrameTarget, pipeline: CameraPipeline): ManagedSource {
  const { progress } = run;
  const stopping = (): boolean => run.stopping;
  // A file input waits while its pool is half full (uploads catch up) instead of dropping frames;
  // each wait says so after a while and is bounded (see pool-wait.ts).
  const limitMs = run.plan.drainTimeoutMs > 0 ? run.plan.drainTimeoutMs : 60_000;
  const backpressure = cam.live
    ? undefined
    : () =>
        boundedPoolWait(pipeline.whenPoolBelow(FILE_POOL_HIGH_WATER, stopping), {
          limitMs,
          describe: () => describeWait(run, cam, pipeline),
          onNotice: (text) => progress.line(text, true),
          onLimit: (text) => {
            setFatal(run, new CliExit(ExitCode.Incomplete, text), false);
            pipeline.wakeWaiters();
          },
        });
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
  src.on('audio', (a) => progress.line(`camera ${cam.id}: ${a.description}`));
  src.on('exit', (e) => {
    if (e.restartInMs !== undefined) progress.line(`camera ${cam.id}: ffmpeg exited (${e.signal ?? `code ${e.code}`}), restarting in ${e.restartInMs} ms`, true);
  });
  return src;
}
