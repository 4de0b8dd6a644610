/**
 * The end of an `s3hls upload` run: the queue drained (bounded; a second Ctrl-C or a fatal condition
 * ends the wait), the hour index closed, then the closing line and the exit status.
 */
import type { CameraManager } from '../sources/camera-manager.js';
import type { DrainReport } from '../upload/uploader.js';
import { CliExit, ExitCode } from './exit-codes.js';
import { formatSummary } from './progress.js';
import { closeIndexWriter } from '../recordings/shared-index-writer.js';
import { closeSpools } from './upload-spools.js';
import { snapshot, type Run } from './upload-run.js';

/** How long the end of a run waits for hour index writes, ms. */
const INDEX_CLOSE_TIMEOUT_MS = 10_000;

/** File inputs still being read when the run was asked to stop: the rest of each was never uploaded. */
export function noteCutShort(run: Run, manager: CameraManager): void {
  if (!run.stopping) return;
  const running = new Set(
    manager
      .list()
      .filter((c) => c.state === 'running')
      .map((c) => c.id),
  );
  for (const cam of run.plan.cameras) if (!cam.live && running.has(cam.id)) run.cutShort.push(cam);
}

/** Drains the queue until done, the drain timeout, a second Ctrl-C, or a fatal condition. */
export async function drainQueue(run: Run): Promise<DrainReport | undefined> {
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

/** The closing line and the exit status: 0 only when every segment was stored. */
export function conclude(run: Run, manager: CameraManager, drained: DrainReport | undefined): number {
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
