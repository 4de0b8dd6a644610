/**
 * Bounds the garbage a long export leaves behind between V8 collections.
 *
 * The exporter's live set is small by construction (one stored segment in a reused buffer, one
 * segment's MP4 fragment in flight, writes awaited on 'drain'), but mux.js allocates several
 * segment-sized arrays per segment (PES payloads, the mdat, the coalesced moof+mdat) and V8 only
 * starts a full collection once ~64 MB of such external memory has piled up since the last one,
 * while the young generation grows to 16 MB semi-spaces: measured, a 10-min export's RSS climbed
 * to ~150-170 MB although less than 10 MB was live. A dedicated export process (the CLI) therefore
 * collects itself whenever the ArrayBuffer bytes pass a small budget: memory is bounded by the
 * budget, not by V8's heuristics, for a few ms of CPU per collection. A server process, where a
 * full collection pauses every other request, should not use this.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps V8's young generation at its initial size (two 1 MB semi-spaces) in this process.
 *
 * V8 grows the semi-spaces up to 16 MB each when many objects survive a scavenge (mux.js keeps a
 * whole segment's frame objects until it flushes), and never gives the pages back: ~30 MB of RSS
 * that holds ~3 MB of live objects. The growth factor is read each time V8 considers growing, so
 * setting it after start-up works; survivors are promoted sooner instead, which the pacer's full
 * collections clear.
 *
 * @returns true when V8 accepted the flag
 */
export function pinYoungGeneration(): boolean {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
    return true;
  } catch {
    return false;
  }
}

/** ArrayBuffer bytes (live + garbage) above which the pacer collects. @defaultValue 24 MB */
export const DEFAULT_GC_BUDGET_BYTES = 24 * 1024 * 1024;

/** A forced full collection (V8's `gc()`). */
export type FullGc = () => void;

/**
 * V8's `gc()`, exposed at run time when the process was not started with `--expose-gc`.
 *
 * `--expose-gc` set after start-up only installs `gc` in contexts created later, so a fresh `vm`
 * context hands it over (the approach of Jest's leak detector).
 *
 * @returns the function, or undefined when this runtime refuses (the export then runs unpaced)
 */
export function exposeGc(): FullGc | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as FullGc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as FullGc) : undefined;
  } catch {
    return undefined;
  }
}

/** Counts what a {@link GcPacer} did. */
export interface GcPacerStats {
  /** Collections forced. */
  readonly collections: number;
  /** Time spent in them, ms. */
  readonly collectMs: number;
}

/** Collects when the process's ArrayBuffer bytes pass a budget; call {@link GcPacer.check} once per segment. */
export class GcPacer {
  private n = 0;
  private ms = 0;

  /**
   * @param gc - the collector ({@link exposeGc})
   * @param budgetBytes - ArrayBuffer bytes tolerated before collecting @defaultValue {@link DEFAULT_GC_BUDGET_BYTES}
   * @throws RangeError when `budgetBytes` is not a positive number
   */
  constructor(
    private readonly gc: FullGc,
    private readonly budgetBytes = DEFAULT_GC_BUDGET_BYTES,
  ) {
    if (!(budgetBytes > 0)) throw new RangeError(`budgetBytes must be a positive number of bytes, got ${budgetBytes}`);
  }

  /** Collects if the ArrayBuffer bytes are over budget; cheap otherwise (one `process.memoryUsage()`). */
  check(): void {
    if (process.memoryUsage().arrayBuffers <= this.budgetBytes) return;
    const t0 = performance.now();
    this.gc();
    this.ms += performance.now() - t0;
    this.n++;
  }

  /** What the pacer did so far. */
  get stats(): GcPacerStats {
    return { collections: this.n, collectMs: Math.round(this.ms) };
  }
}
