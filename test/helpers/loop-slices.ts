/**
 * How long the event loop is held, measured in CPU time of the main thread so the figure holds on a
 * loaded machine. Wall-clock event-loop delay (perf_hooks monitorEventLoopDelay) also counts the
 * time the OS did not run the process at all: at load 20 on 2 cores that is most of it. Here a 1 ms
 * timer reads the main thread's on-CPU nanoseconds (Linux /proc/self/task/<pid>/schedstat, field 1)
 * on every turn it gets: the CPU used between two turns is the longest the loop was held by our
 * own work (a request's synchronous slice, a GC pause on the main thread), however long the OS
 * made it wait. GC pauses are counted apart with a PerformanceObserver('gc').
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/** What {@link watchLoopSlices} saw. */
export interface LoopSliceReport {
  /** Longest main-thread CPU time between two timer turns, ms. */
  readonly maxSliceCpuMs: number;
  /** Of that slice, the wall time GC pauses took, ms (0 when no GC fell in it). */
  readonly maxSliceGcMs: number;
  /** Longest slice once the GC pauses inside each are taken out: the code's own work, ms. */
  readonly maxSliceWithoutGcMs: number;
  /** Longest wall-clock time between two timer turns, ms (includes time not scheduled). */
  readonly maxSliceWallMs: number;
  /** Timer turns observed. */
  readonly turns: number;
  /** GC pauses observed, and the longest (wall clock, ms). */
  readonly gcCount: number;
  readonly gcMaxMs: number;
}

/** A running watch. */
export interface LoopSliceWatch {
  /** Stops watching and returns the figures. */
  stop(): LoopSliceReport;
}

/**
 * Starts watching this process's event loop.
 *
 * @returns the watch; call `stop()` to get the report
 * @throws Error when the main thread's schedstat cannot be read (not Linux, or no CONFIG_SCHED_INFO)
 */
export function watchLoopSlices(): LoopSliceWatch {
  const fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  const buf = Buffer.alloc(128);
  const cpuNs = (): number => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return Number(buf.toString('latin1', 0, n).split(' ')[0]);
  };
  let lastCpu = cpuNs();
  let lastWall = performance.now();
  let maxCpu = 0;
  let maxWall = 0;
  let turns = 0;
  // Slices long enough to matter, kept to be matched with the GC pauses at the end.
  const long: { startMs: number; endMs: number; cpuMs: number }[] = [];
  const timer = setInterval(() => {
    const c = cpuNs();
    const w = performance.now();
    maxCpu = Math.max(maxCpu, c - lastCpu);
    if (c - lastCpu > 5e6) long.push({ startMs: lastWall, endMs: w, cpuMs: (c - lastCpu) / 1e6 });
    maxWall = Math.max(maxWall, w - lastWall);
    turns++;
    // Read again after our own bookkeeping so it is not billed to the next slice.
    lastCpu = cpuNs();
    lastWall = performance.now();
  }, 1);
  let gcCount = 0;
  let gcMax = 0;
  const pauses: { startMs: number; endMs: number }[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      gcMax = Math.max(gcMax, e.duration);
      if (e.duration > 1) pauses.push({ startMs: e.startTime, endMs: e.startTime + e.duration });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      clearInterval(timer);
      gc.disconnect();
      closeSync(fd);
      const gcIn = (s: { startMs: number; endMs: number }): number => pauses.reduce((sum, p) => sum + Math.max(0, Math.min(s.endMs, p.endMs) - Math.max(s.startMs, p.startMs)), 0);
      const worst = long.reduce<{ startMs: number; endMs: number; cpuMs: number } | undefined>((a, b) => (a === undefined || b.cpuMs > a.cpuMs ? b : a), undefined);
      // A pause's wall time may include time the OS did not run us: never take out more than the slice.
      const withoutGc = long.reduce((m, s) => Math.max(m, s.cpuMs - Math.min(s.cpuMs, gcIn(s))), long.length === 0 ? maxCpu / 1e6 : 0);
      return {
        maxSliceCpuMs: maxCpu / 1e6,
        maxSliceGcMs: worst ? gcIn(worst) : 0,
        maxSliceWithoutGcMs: withoutGc,
        maxSliceWallMs: maxWall,
        turns,
        gcCount,
        gcMaxMs: gcMax,
      };
    },
  };
}
