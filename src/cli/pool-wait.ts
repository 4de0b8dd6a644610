/**
 * A file input's wait for pool room, with a bound and a message (issue 10 §2: "never a silent
 * wait"). After `noticeMs` it says what it is waiting for, again every `noticeMs`; after `limitMs`
 * without room it gives up through `onLimit` (the CLI ends the run with exit 1 naming the state).
 * The wait it wraps is event-driven (released segments wake it); the timers only speak and bound.
 */

/** Options of {@link boundedPoolWait}. */
export interface PoolWaitOptions {
  /** Give up after this long without room, ms. */
  readonly limitMs: number;
  /** First notice after this long, then again at this period, ms. @defaultValue 10000 */
  readonly noticeMs?: number;
  /** What is being waited for (held segments, queue), for both messages. */
  readonly describe: () => string;
  /** Prints a notice. */
  readonly onNotice: (text: string) => void;
  /** Called once when the limit is reached; it must end the wait (e.g. stop the run and wake waiters). */
  readonly onLimit: (text: string) => void;
}

/**
 * Bounds a pool wait.
 * @param wait - the wait (undefined when there is room already)
 * @param options - bound, notice period, messages
 * @returns undefined when there is nothing to wait for, else a promise settling with `wait`
 */
export function boundedPoolWait(wait: Promise<void> | undefined, options: PoolWaitOptions): Promise<void> | undefined {
  if (wait === undefined) return undefined;
  const noticeMs = options.noticeMs ?? 10_000;
  const started = performance.now();
  const notice = setInterval(() => options.onNotice(`${options.describe()} for ${Math.round((performance.now() - started) / 1000)} s`), noticeMs);
  const limit = setTimeout(() => {
    options.onLimit(`${options.describe()}: no room after ${Math.round(options.limitMs / 1000)} s, giving up (uploads are not progressing; see the upload errors above)`);
  }, options.limitMs);
  return wait.finally(() => {
    clearInterval(notice);
    clearTimeout(limit);
  });
}
