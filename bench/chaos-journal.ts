/**
 * The chaos run's journal: one JSON line per event, appended by the camera process (one file per
 * run) and read back by the verifier. A `seg` line is written and fsynced *before* the segment is
 * handed on, so after a SIGKILL the journal lists every segment that ever left a stream; a `spooled`
 * line says its spool file was complete (from then on a kill cannot lose it). Other lines are plain
 * appends: a SIGKILL does not lose what `write` handed to the kernel, only a power cut would.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

/** A segment that left a stream (sha256 of its bytes as muxed, the key it must be stored under). */
export interface SegLine {
  readonly t: 'seg';
  readonly run: number;
  readonly camera: string;
  readonly seq: number;
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly videoFrames: number;
  /** Wall clock when it was handed on, ms since the epoch. */
  readonly atMs: number;
}

/** A segment's spool file is complete. */
export interface SpooledLine {
  readonly t: 'spooled';
  readonly run: number;
  readonly camera: string;
  readonly key: string;
}

/** Frames dropped by a stream (pool full, bad input), with the stream's reason code. */
export interface DropLine {
  readonly t: 'drop';
  readonly run: number;
  readonly camera: string;
  readonly code: string;
  readonly frames: number;
  readonly atMs: number;
}

/** Frames fed so far per camera (written at every feeding tick, ~20 ms): what the open segment held at a kill. */
export interface ProgressLine {
  readonly t: 'progress';
  readonly run: number;
  readonly framesFed: Readonly<Record<string, number>>;
  readonly atMs: number;
}

/** The end of a run that finished (not killed): final counters. */
export interface DoneLine {
  readonly t: 'done';
  readonly run: number;
  readonly spoolDropped: Readonly<Record<string, number>>;
  readonly spoolDamaged: number;
  readonly spoolRecovered: number;
  readonly spoolFilesLeft: number;
  readonly complete: boolean;
  readonly framesFed: Readonly<Record<string, number>>;
}

/** Any journal line. */
export type JournalLine = SegLine | SpooledLine | DropLine | ProgressLine | DoneLine;

/** An append-only journal file. */
export class Journal {
  readonly #fd: number;

  /**
   * Opens (creates) the file for appending.
   * @param path - the journal file
   */
  constructor(path: string) {
    this.#fd = openSync(path, 'a');
  }

  /**
   * Appends one line.
   * @param line - the record
   * @param durable - fsync before returning (segment records) @defaultValue false
   */
  append(line: JournalLine, durable = false): void {
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
    if (durable) fsyncSync(this.#fd);
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * Reads a journal; a torn last line (a kill during `write`) is skipped.
 * @param path - the journal file
 * @returns its records in order
 */
export function readJournal(path: string): JournalLine[] {
  const out: JournalLine[] = [];
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text === '') continue;
    try {
      out.push(JSON.parse(text) as JournalLine);
    } catch {
      // torn line
    }
  }
  return out;
}
