/**
 * export: an hour of one camera (1800 stored 2 s 1080p ~5 Mbit/s H.264 + AAC segments) exported to MP4
 * by `s3hls export` as a child process against s3rver on 127.0.0.1 (in this process); throughput and
 * the exporter's peak RSS (VmHWM). Target (issue 12 §2): RSS < 150 MB. See bench/export-run.ts.
 *
 *     npm run build:bench && node --openssl-legacy-provider build/bench/export-bench.js [segments]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Type-only, but it puts src/cli/main.ts in the bench's program, so `npm run build:bench` emits
// build/src/cli/main.js: the `s3hls` the child runs, built from the same sources as the bench.
import type { MainIo } from '../src/cli/main.js';
import { BENCH_DIR } from './inputs.js';
import { runExportChild } from './export-run.js';

/** The JSON figures (`export` in bench/main.ts's line). */
export interface ExportFigures {
  readonly segments: number;
  readonly input_mb: number;
  readonly MBps: number;
  readonly peak_rss_mb: number;
  /** True when the peak is under the 150 MB target. */
  readonly rss_ok: boolean;
}

/** The exporter's RSS target of issue 12 §2, MB (10^6). */
export const EXPORT_RSS_TARGET_MB = 150;

/** Unused: keeps the type import above from being flagged. */
export type ExportBenchIo = MainIo;

/**
 * Runs the export of `segments` stored segments once.
 *
 * @param segments - 2 s segments in the range @defaultValue 1800 (one hour)
 * @returns the figures
 * @throws Error when the export fails (exit status and stderr in the message)
 */
export async function exportBench(segments = 1800): Promise<ExportFigures> {
  const dir = join(BENCH_DIR, 'export');
  mkdirSync(dir, { recursive: true });
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const f = await runExportChild({ segments, cli, dir, nodeArgs: ['--openssl-legacy-provider'] });
  if (f.exitCode !== 0) throw new Error(`s3hls export exited ${f.exitCode}: ${f.stderr.slice(0, 500)}`);
  return { segments, input_mb: f.inputMB, MBps: f.MBps, peak_rss_mb: f.peakRssMB, rss_ok: f.peakRssMB < EXPORT_RSS_TARGET_MB };
}

/** One log line for the figures. */
export function exportLine(f: ExportFigures): string {
  const status = f.rss_ok ? 'under' : 'OVER';
  return `export: ${f.segments} × 2 s 1080p segments (${f.input_mb} MB of TS) to MP4 by \`s3hls export\` in a child process: ${f.MBps} MB/s, peak RSS ${f.peak_rss_mb} MB (${status} the ${EXPORT_RSS_TARGET_MB} MB target)`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  exportBench(Number(process.argv[2] ?? 1800)).then(
    (f) => {
      console.log(exportLine(f));
      console.log(JSON.stringify(f));
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
