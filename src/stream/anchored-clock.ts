/**
 * The live wall clock of segment keys and times: a monotonic clock (performance.now) anchored to
 * the wall clock (Date.now), re-anchored only when the wall clock steps.
 *
 * Why: NTP (or a person, or a camera that booted without RTC) can step the wall clock by an hour.
 * Read directly, a step back squeezes the next hour of keys into milliseconds (start times must
 * increase) and a step forward leaves an unexplained gap. Here time advances with the monotonic
 * clock; each {@link AnchoredClock.check} compares it with the wall clock and, when they differ by
 * more than `stepThresholdMs`, adopts the wall clock (re-anchors), counts a new generation and
 * reports the step once. Streams that see a new generation start a new timeline (discontinuity
 * `clock-step`). Differences below the threshold are left alone: on Linux both clocks follow NTP's
 * frequency corrections, so they do not drift apart by themselves (docs/keys.md, "Clocks").
 */
import { performance } from 'node:perf_hooks';

/** One step of the wall clock, as reported by {@link AnchoredClock}. */
export interface ClockStep {
  /** Wall clock minus the anchored clock at detection, ms: negative = stepped back. */
  readonly stepMs: number;
  /** The wall clock at detection (the new anchor), ms since the epoch. */
  readonly wallMs: number;
  /** What the anchored clock said at that moment, ms since the epoch. */
  readonly anchoredMs: number;
  /** Re-anchors so far, this one included. */
  readonly generation: number;
}

/** Options of {@link AnchoredClock}. */
export interface AnchoredClockOptions {
  /** The wall clock, ms since the epoch (tests inject one that steps). @defaultValue Date.now */
  readonly wallNow?: (() => number) | undefined;
  /** A monotonic clock, ms (any origin). @defaultValue performance.now */
  readonly monotonicNow?: (() => number) | undefined;
  /** A difference larger than this (either way) is a step, ms. @defaultValue 2000 */
  readonly stepThresholdMs?: number | undefined;
  /** Called once per step (the CLI prints one line). @defaultValue none */
  readonly onStep?: ((step: ClockStep) => void) | undefined;
}

/** See the file comment. One per process (or per camera); shared by streams. */
export class AnchoredClock {
  readonly #wall: () => number;
  readonly #mono: () => number;
  readonly #threshold: number;
  readonly #listeners: ((step: ClockStep) => void)[] = [];
  #wallAt: number;
  #monoAt: number;
  #generation = 0;
  #last: ClockStep | undefined;

  /**
   * @param options - see {@link AnchoredClockOptions}
   * @throws RangeError for a threshold that is not a positive number
   */
  constructor(options: AnchoredClockOptions = {}) {
    const threshold = options.stepThresholdMs ?? 2_000;
    if (!Number.isFinite(threshold) || threshold <= 0) throw new RangeError(`stepThresholdMs must be a positive number of ms, got ${threshold}`);
    this.#wall = options.wallNow ?? Date.now;
    this.#mono = options.monotonicNow ?? (() => performance.now());
    this.#threshold = threshold;
    if (options.onStep) this.#listeners.push(options.onStep);
    this.#wallAt = this.#wall();
    this.#monoAt = this.#mono();
  }

  /** The anchored time, ms since the epoch: never goes back, never jumps (between re-anchors). */
  now(): number {
    return this.#wallAt + (this.#mono() - this.#monoAt);
  }

  /** The raw wall clock (the device's own time), ms since the epoch. */
  wallNow(): number {
    return this.#wall();
  }

  /** Re-anchors so far. */
  get generation(): number {
    return this.#generation;
  }

  /** The last step, if any. */
  get lastStep(): ClockStep | undefined {
    return this.#last;
  }

  /**
   * Compares the wall clock with the anchored time and re-anchors on a step (reported once).
   * @returns the generation after the check
   */
  check(): number {
    const wall = this.#wall();
    const mono = this.#mono();
    const anchored = this.#wallAt + (mono - this.#monoAt);
    const stepMs = wall - anchored;
    if (Math.abs(stepMs) > this.#threshold) {
      this.#wallAt = wall;
      this.#monoAt = mono;
      this.#generation++;
      const step: ClockStep = { stepMs, wallMs: wall, anchoredMs: anchored, generation: this.#generation };
      this.#last = step;
      for (const l of this.#listeners) {
        try {
          l(step);
        } catch {
          // a reporting callback must not break the clock
        }
      }
    }
    return this.#generation;
  }

  /**
   * Adds a step listener.
   * @param listener - called once per step
   * @returns a function removing it
   */
  onStep(listener: (step: ClockStep) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }
}
