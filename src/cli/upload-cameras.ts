/**
 * The cameras of an `s3hls upload` run: one CameraManager whose cameras are built by the composition
 * root ({@link CameraPipeline}) on the run's shared Uploader, and each camera's source (Annex B read
 * in-process, anything else through ffmpeg) with the file inputs' bounded pool backpressure.
 */
import { CameraManager, type ManagedSource } from '../sources/camera-manager.js';
import { AnnexBSource } from '../sources/annexb-source.js';
import { FfmpegSource } from '../sources/ffmpeg-source.js';
import type { FrameTarget } from '../sources/frame-target.js';
import { SourceError } from '../sources/source-errors.js';
import { CameraPipeline } from '../pipeline/camera-pipeline.js';
import type { DiskSpool } from '../spool/disk-spool.js';
import { AnchoredClock } from '../stream/anchored-clock.js';
import { CliExit, ExitCode } from './exit-codes.js';
import type { PlannedCamera } from './upload-options.js';
import { boundedPoolWait } from './pool-wait.js';
import { setFatal, type Run } from './upload-run.js';

/** Pool use above which a file input waits for uploads (half: room for the next GOPs). */
const FILE_POOL_HIGH_WATER = 0.5;

/** One CameraManager whose cameras are built by the composition root ({@link CameraPipeline}). */
export function createManager(run: Run): CameraManager {
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
