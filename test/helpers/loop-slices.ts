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
  const timer = setInterval(() => {
    const c = cpuNs();
    const w = performance.now();
    maxCpu = Math.max(maxCpu, c - lastCpu);
    maxWall = Math.max(maxWall, w - lastWall);
    turns++;
    // Read again after our own bookkeeping so it is not billed to the next slice.
    lastCpu = cpuNs();
    lastWall = performance.now();
  }, 1);
  let gcCount = 0;
  let gcMax = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      gcMax = Math.max(gcMax, e.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      clearInterval(timer);
      gc.disconnect();
      closeSync(fd);
      return { maxSliceCpuMs: maxCpu / 1e6, maxSliceWallMs: maxWall, turns, gcCount, gcMaxMs: gcMax };
    },
  };
}
