/**
 * `s3hls upload`: one input (`--input`) or many cameras (`--config cameras.json`) → HLS segments in
 * S3. The composition: a CameraManager runs one source per camera, each camera's stream and uploader
 * sink built by the composition root (CameraPipeline) on one shared Uploader (../upload-cameras.ts);
 * an UploadMonitor ends runs that cannot succeed; a ProgressReporter prints. A file input runs as fast
 * as uploads allow (paced by its pool, no drops); a live input runs until SIGINT/SIGTERM (or `signal`),
 * then every stream is finalized and the queue drained (../upload-finish.ts).
 */
import { redactingWriter } from '../../redact.js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { UsageError } from '../../server/cli-flags.js';
import { Uploader } from '../../upload/uploader.js';
import { CliExit, ExitCode } from '../exit-codes.js';
import { UPLOAD_HELP } from '../help.js';
import { ProgressReporter } from '../progress.js';
import { parseUploadArgs, type UploadPlan } from '../upload-options.js';
import { UploadMonitor } from '../upload-monitor.js';
import { planPool } from '../pool-plan.js';
import { setFatal, snapshot, type Run, type UploadIo } from '../upload-run.js';
import { createManager } from '../upload-cameras.js';
import { openSpools, closeSpools } from '../upload-spools.js';
import { conclude, drainQueue, noteCutShort } from '../upload-finish.js';

export type { UploadIo };

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
