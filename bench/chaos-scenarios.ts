/**
 * The chaos scenarios (`npm run chaos`, its `--short` form for the test) and the seeded picker of the
 * fault each PUT gets.
 */
import type { Fault } from './fault-proxy.js';

/** Probabilities of each fault per PUT (the rest pass). */
export interface FaultRates {
  readonly error500: number;
  readonly slowdown503: number;
  readonly resetMidBody: number;
  readonly resetAfterStore: number;
  readonly stall: number;
  /** `200` with a made-up ETag, nothing stored. */
  readonly fake200: number;
}

/** A chaos scenario. Times are ms after the first camera process is ready. */
export interface ChaosScenario {
  readonly name: string;
  readonly cameras: number;
  /** Media seconds per wall-clock second. */
  readonly speed: number;
  /** Media seconds the first camera process streams (it is killed before the end when `killAtMs` is set). */
  readonly run1MediaSeconds: number;
  /** SIGKILL of the first process; undefined: no kill, one process. */
  readonly killAtMs: number | undefined;
  /** Media seconds the second process streams after recovering the spool. */
  readonly run2MediaSeconds: number;
  readonly outage: { readonly atMs: number; readonly durationMs: number };
  /** The session token expires at `atMs`; setCredential with a new one `renewAfterMs` later. */
  readonly expiry: { readonly atMs: number; readonly renewAfterMs: number };
  readonly faults: FaultRates;
  /** Besides the random ones, every Nth PUT is answered `200` without storing, so even a short run has some. */
  readonly fake200EveryNthPut: number;
  /** Stream pool, bytes. */
  readonly poolBytes: number;
  readonly spoolQuotaBytes: number;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  /** Per process: how long to wait for uploads and backlog after the last frame, ms. */
  readonly finishTimeoutMs: number;
}

const RANDOM_FAULTS: FaultRates = { error500: 0.04, slowdown503: 0.04, resetMidBody: 0.03, resetAfterStore: 0.02, stall: 0.015, fake200: 0.03 };
const MiB = 1024 * 1024;

/** The `npm run chaos` scenario (about 1.5 minutes here). */
export const FULL_SCENARIO: ChaosScenario = {
  name: 'full',
  cameras: 4,
  speed: 4,
  run1MediaSeconds: 120,
  killAtMs: 22_000,
  run2MediaSeconds: 32,
  outage: { atMs: 3_000, durationMs: 9_000 },
  expiry: { atMs: 14_000, renewAfterMs: 3_000 },
  faults: RANDOM_FAULTS,
  fake200EveryNthPut: 15,
  poolBytes: 4 * MiB,
  spoolQuotaBytes: 4 * 1024 * MiB,
  concurrency: 4,
  requestTimeoutMs: 2_000,
  finishTimeoutMs: 90_000,
};

/** A short scenario for the test: no SIGKILL (test/spool/sigkill.test.ts kills for real). */
export const SHORT_SCENARIO: ChaosScenario = {
  name: 'short',
  cameras: 2,
  speed: 4,
  run1MediaSeconds: 28,
  killAtMs: undefined,
  run2MediaSeconds: 0,
  outage: { atMs: 1_500, durationMs: 3_000 },
  expiry: { atMs: 4_500, renewAfterMs: 2_500 },
  faults: RANDOM_FAULTS,
  fake200EveryNthPut: 15,
  poolBytes: 4 * MiB,
  spoolQuotaBytes: 1024 * MiB,
  concurrency: 4,
  requestTimeoutMs: 2_000,
  finishTimeoutMs: 40_000,
};

/**
 * The fault of each request: PUTs get the scenario's random faults (seeded: the same seed gives the
 * same sequence) and every `fake200EveryNthPut`-th a `200` that stores nothing; other requests pass.
 * @param scenario - the rates
 * @param rnd - a seeded random source in [0, 1)
 * @returns the picker for the fault proxy
 */
export function faultPicker(scenario: ChaosScenario, rnd: () => number): (method: string) => Fault {
  const f = scenario.faults;
  let puts = 0;
  return (method: string): Fault => {
    if (method !== 'PUT') return 'pass';
    let r = rnd();
    if (++puts % scenario.fake200EveryNthPut === 0) return 'fake-200';
    if ((r -= f.error500) < 0) return 'error500';
    if ((r -= f.slowdown503) < 0) return 'slowdown503';
    if ((r -= f.resetMidBody) < 0) return 'reset-mid-body';
    if ((r -= f.resetAfterStore) < 0) return 'reset-after-store';
    if ((r -= f.stall) < 0) return 'stall';
    if (r - f.fake200 < 0) return 'fake-200';
    return 'pass';
  };
}
