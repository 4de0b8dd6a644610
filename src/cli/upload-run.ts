/**
 * The state of one `s3hls upload` run, shared by the parts of the command (cameras, spools, the
 * drain and the closing line) instead of one long closure; and the progress snapshot read from it.
 */
import type { CameraManager } from '../sources/camera-manager.js';
import type { CameraPipeline } from '../pipeline/camera-pipeline.js';
import type { Uploader } from '../upload/uploader.js';
import type { DiskSpool } from '../spool/disk-spool.js';
import type { CliExit } from './exit-codes.js';
import type { ProgressReporter, ProgressSnapshot } from './progress.js';
import type { PlannedCamera, UploadPlan } from './upload-options.js';
import type { CredentialsInput } from '../upload/credential-source.js';

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

/** What one run holds. */
export interface Run {
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

/** Records the condition that ends the run (the first one wins unless `replace`) and wakes the main wait. */
export function setFatal(run: Run, exit: CliExit, replace: boolean): void {
  if (replace || run.fatal === undefined) run.fatal = exit;
  run.resolveFatal();
  run.wakeMain();
}

/** The numbers of the progress line, summed over the run's cameras. */
export function snapshot(run: Run, manager: CameraManager): ProgressSnapshot {
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
