/**
 * What `s3hls upload` prints while it runs: on a TTY one live line redrawn in place (segments and
 * bytes stored, rate, queue depth, pool use, drops); otherwise plain lines, one per stored segment,
 * that a log collector can keep. Formatting is pure and unit-tested.
 */

/** The numbers of one progress line. */
export interface ProgressSnapshot {
  /** Segments S3 acknowledged. */
  readonly segments: number;
  /** Bytes S3 acknowledged. */
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Segments waiting or in flight. */
  readonly queued: number;
  readonly inFlight: number;
  /** Pool bytes held, summed over cameras. */
  readonly poolUsedBytes: number;
  readonly poolCapacityBytes: number;
  /** Frames dropped (video + audio), all cameras. */
  readonly dropped: number;
  /** Cameras running / total. */
  readonly camerasRunning: number;
  readonly cameras: number;
  /** True while uploads are held for credentials. */
  readonly held: boolean;
  /** Spooled segments waiting to be uploaded (earlier runs and outages), all cameras; undefined without a spool. */
  readonly backlogSegments?: number | undefined;
  /** Their bytes on disk. */
  readonly backlogBytes?: number | undefined;
}

/**
 * Bytes for people: `812 B`, `1.5 KB`, `14.2 MB`, `3.10 GB` (decimal units, like transfer rates).
 *
 * @param bytes - a byte count (any size: arithmetic only)
 * @returns the text
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/**
 * A duration as `m:ss` or `h:mm:ss`.
 *
 * @param ms - milliseconds
 * @returns the text
 */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The live line: `12 segments · 14.2 MB stored · 2.8 MB/s · queue 2 (1 in flight) · pool 38% · 0 dropped · 0:05`.
 *
 * @param s - the numbers
 * @returns one line, no newline
 */
export function formatProgressLine(s: ProgressSnapshot): string {
  const rate = s.elapsedMs > 0 ? (s.bytes * 1000) / s.elapsedMs : 0;
  const pool = s.poolCapacityBytes > 0 ? Math.round((s.poolUsedBytes * 100) / s.poolCapacityBytes) : 0;
  const parts = [
    `${s.segments} segment${s.segments === 1 ? '' : 's'}`,
    `${formatBytes(s.bytes)} stored`,
    `${formatBytes(Math.round(rate))}/s`,
    `queue ${s.queued} (${s.inFlight} in flight)`,
    `pool ${pool}%`,
    `${s.dropped} dropped`,
  ];
  if (s.backlogSegments !== undefined) parts.push(`backlog ${s.backlogSegments} (${formatBytes(s.backlogBytes ?? 0)})`);
  if (s.cameras > 1) parts.push(`${s.camerasRunning}/${s.cameras} cameras`);
  if (s.held) parts.push('HELD: credentials refused');
  parts.push(formatDuration(s.elapsedMs));
  return parts.join(' · ');
}

/**
 * The closing summary.
 *
 * @param s - the final numbers
 * @param notStored - segments that were not stored
 * @returns one line
 */
export function formatSummary(s: ProgressSnapshot, notStored: number): string {
  const rate = s.elapsedMs > 0 ? (s.bytes * 1000) / s.elapsedMs : 0;
  const tail = notStored > 0 ? `; ${notStored} segment${notStored === 1 ? '' : 's'} NOT stored` : '';
  return `stored ${s.segments} segment${s.segments === 1 ? '' : 's'} (${formatBytes(s.bytes)}) in ${formatDuration(s.elapsedMs)}, ${formatBytes(Math.round(rate))}/s; ${s.dropped} frame${s.dropped === 1 ? '' : 's'} dropped${tail}`;
}

/** Where progress goes and in which form. */
export interface ProgressOutput {
  write(text: string): unknown;
}

/**
 * Draws the live line on a TTY (redrawn in place) or prints plain lines. Routine lines and the
 * summary go to `out` (stdout: a log keeps them), the live line and warnings to `err`.
 */
export class ProgressReporter {
  readonly #out: ProgressOutput;
  readonly #err: ProgressOutput;
  readonly #tty: boolean;
  readonly #quiet: boolean;
  #drawn = false;

  /**
   * @param out - where plain lines and the summary go (stdout)
   * @param err - where the live line and warnings go (stderr)
   * @param mode - `tty` redraws one line, `plain` prints lines, `none` prints warnings and the summary only
   */
  constructor(out: ProgressOutput, err: ProgressOutput, mode: 'tty' | 'plain' | 'none') {
    this.#out = out;
    this.#err = err;
    this.#tty = mode === 'tty';
    this.#quiet = mode === 'none';
  }

  /** Redraws the live line (TTY only). */
  update(s: ProgressSnapshot): void {
    if (!this.#tty) return;
    // \r + "erase to end of line" (ECMA-48 EL): the line shrinks cleanly.
    this.#err.write(`\r\x1b[K${formatProgressLine(s)}`);
    this.#drawn = true;
  }

  /**
   * A line of its own: routine (a stored segment: stdout, not on a TTY where the live line says it)
   * or `important` (a warning or error: stderr, always; above the live line on a TTY).
   */
  line(text: string, important = false): void {
    if (!important && (this.#quiet || this.#tty)) return;
    this.#clear();
    (important ? this.#err : this.#out).write(`${text}\n`);
  }

  /** Ends the live line and prints the summary. */
  finish(summary: string): void {
    this.#clear();
    this.#out.write(`${summary}\n`);
  }

  #clear(): void {
    if (this.#tty && this.#drawn) {
      this.#err.write('\r\x1b[K');
      this.#drawn = false;
    }
  }
}
