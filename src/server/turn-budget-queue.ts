/**
 * Cheap work that arrives in floods (static answers: a browser swarm, or a script hammering
 * `/hls.min.js`) done a few milliseconds per event-loop turn, so other requests are not queued
 * behind the whole flood.
 *
 * Why: node:http runs a request's handler as soon as its bytes are read, and reads every ready
 * socket of one poll in a row. 200 static requests read in one poll were 200 answers of ~0.5 ms of
 * CPU each (a 150 KB write into a socket) in one go: the loop was held ~100-180 ms, and `/cameras`,
 * whose S3 LIST answer arrives in a later poll, waited for all of them at every step. Queued here,
 * each turn writes at most {@link DEFAULT_TURN_BUDGET_MS} of answers and then lets the loop poll
 * again, so a request in between waits for one slice per step, not for the flood. The total work
 * is the same; only who waits changes.
 */
import { setImmediate } from 'node:timers';

/** CPU per event-loop turn spent on queued jobs, ms. */
export const DEFAULT_TURN_BUDGET_MS = 2;

/** Runs queued jobs in order, at most a time budget per event-loop turn (at least one job per turn). */
export class TurnBudgetQueue {
  readonly #budgetMs: number;
  readonly #jobs: (() => void)[] = [];
  /** Index of the next job (shifting a long array per job would cost O(n) each). */
  #head = 0;
  #scheduled = false;
  readonly #onError: (e: unknown) => void;

  /**
   * @param onError - gets what a job threw (the queue goes on with the next job)
   * @param budgetMs - time per turn, ms, > 0 @defaultValue {@link DEFAULT_TURN_BUDGET_MS}
   * @throws RangeError for a budget that is not a positive finite number
   */
  constructor(onError: (e: unknown) => void, budgetMs: number = DEFAULT_TURN_BUDGET_MS) {
    if (!Number.isFinite(budgetMs) || budgetMs <= 0) throw new RangeError(`budgetMs must be a positive number of ms, got ${budgetMs}`);
    this.#budgetMs = budgetMs;
    this.#onError = onError;
  }

  /** Jobs waiting. */
  get size(): number {
    return this.#jobs.length - this.#head;
  }

  /**
   * Queues a job; it runs in the check phase of this turn or a later one.
   *
   * @param job - synchronous work
   */
  push(job: () => void): void {
    this.#jobs.push(job);
    if (!this.#scheduled) {
      this.#scheduled = true;
      // setImmediate, not a microtask: it runs after this poll's other sockets were read, and a
      // turn that ends with jobs left lets the next poll (an S3 answer, a new request) in first.
      setImmediate(this.#drain);
    }
  }

  readonly #drain = (): void => {
    const t0 = performance.now();
    do {
      const job = this.#jobs[this.#head];
      this.#jobs[this.#head++] = noop;
      try {
        job();
      } catch (e) {
        this.#onError(e);
      }
    } while (this.#head < this.#jobs.length && performance.now() - t0 < this.#budgetMs);
    if (this.#head < this.#jobs.length) {
      // A flood that never ends must not grow the array for ever: drop the done part now and then.
      if (this.#head > 1024) {
        this.#jobs.splice(0, this.#head);
        this.#head = 0;
      }
      setImmediate(this.#drain);
      return;
    }
    this.#jobs.length = 0;
    this.#head = 0;
    this.#scheduled = false;
  };
}

function noop(): void {}
