/**
 * The segments an {@link Uploader} was handed and has not settled yet (uploaded or discarded), and the
 * callers waiting on them: `drain` (until a stream, or every stream, has none left) and `whenIdle`
 * (until the PUT attempt in flight of one segment stopped reading its bytes).
 */
import type { Segment } from '../types.js';
import type { Job } from './upload-job.js';
import { drainReport, type DrainReport } from './upload-report.js';

interface DrainWaiter {
  readonly streamId: string | undefined;
  readonly resolve: () => void;
}

/** Bookkeeping of unsettled jobs; the uploader decides when a job starts, fails or settles. */
export class OutstandingJobs {
  private readonly jobs = new Set<Job>();
  private readonly drainWaiters = new Set<DrainWaiter>();
  /** Callers of `whenIdle` waiting for the attempt in flight of a job to settle. */
  private readonly idleWaiters = new Map<Job, (() => void)[]>();

  /** Records a job handed in. */
  add(job: Job): void {
    this.jobs.add(job);
  }

  /** Forgets a settled job (call {@link wakeDrained} once the uploader's own cleanup is done). */
  delete(job: Job): void {
    this.jobs.delete(job);
  }

  /** Bytes of the jobs not yet settled. */
  pendingBytes(): number {
    let bytes = 0;
    for (const j of this.jobs) bytes += j.bytes;
    return bytes;
  }

  /** True while `streamId` (or, undefined, any stream) has a job not yet settled. */
  has(streamId: string | undefined): boolean {
    if (streamId === undefined) return this.jobs.size > 0;
    for (const j of this.jobs) if (j.streamId === streamId) return true;
    return false;
  }

  /** What is left of `streamId` (or of every stream), for `drain`. */
  report(streamId: string | undefined, held: boolean): DrainReport {
    return drainReport(this.jobs, streamId, held);
  }

  /**
   * Resolves when `streamId` (or every stream) has nothing outstanding, after `timeoutMs`, on
   * `signal`'s abort, or at {@link wakeAll}, whichever comes first.
   */
  async whenDrained(streamId: string | undefined, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let waiter: DrainWaiter | undefined;
    let onAbort: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      waiter = { streamId, resolve };
      this.drainWaiters.add(waiter);
      if (timeoutMs !== undefined) timer = setTimeout(resolve, timeoutMs);
      if (signal) {
        if (signal.aborted) resolve();
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    if (timer) clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    if (waiter) this.drainWaiters.delete(waiter);
  }

  /** Resolves the drain waits whose streams have nothing outstanding any more. */
  wakeDrained(): void {
    for (const w of this.drainWaiters) if (!this.has(w.streamId)) w.resolve();
  }

  /** Ends every drain wait (the uploader closed). */
  wakeAll(): void {
    for (const w of this.drainWaiters) w.resolve();
  }

  /** See `StreamUploadSink.whenIdle`: at once unless a PUT attempt of `segment` is in flight. */
  whenIdle(segment: Segment): Promise<void> {
    let job: Job | undefined;
    for (const j of this.jobs) {
      if (j.segment === segment) {
        job = j;
        break;
      }
    }
    if (job === undefined || !job.inFlight) return Promise.resolve();
    const inFlight = job;
    return new Promise<void>((resolve) => {
      const list = this.idleWaiters.get(inFlight);
      if (list) list.push(resolve);
      else this.idleWaiters.set(inFlight, [resolve]);
    });
  }

  /** The attempt in flight of `job` settled: it no longer reads the segment's bytes. */
  attemptSettled(job: Job): void {
    const idle = this.idleWaiters.get(job);
    if (idle) {
      this.idleWaiters.delete(job);
      for (const resolve of idle) resolve();
    }
  }
}
