/**
 * The contract of a DiskSpool (disk-spool.ts): its options, its entries, its counters and the
 * options of a write.
 */
import type { SpooledSegmentInfo } from './spool-file.js';
import type { DamagedReport, SpoolDropReason } from './spool-errors.js';
import type { SpoolLock } from './spool-lock.js';

/** What to do when a new segment does not fit in the quota. */
export type SpoolPolicy = 'drop-oldest' | 'drop-newest';

/** Options of `DiskSpool.open`. */
export interface SpoolOptions {
  /** The spool directory; created (with `damaged/`) when missing. Use one directory per process. */
  readonly directory: string;
  /** Most bytes of spool files kept on disk (headers and trailers included). Integer ≥ 1. */
  readonly quotaBytes: number;
  /**
   * When a segment does not fit: `drop-oldest` deletes the oldest spooled files that are not checked
   * out until it fits (keeps the most recent footage); `drop-newest` refuses the new segment (keeps
   * the oldest). Both are counted in `stats().dropped`. @defaultValue 'drop-oldest'
   */
  readonly policy?: SpoolPolicy;
  /**
   * fsync each file before the rename and the directory after it. Without it a power cut (not a
   * process kill) may leave a renamed file with missing bytes, which the CRC then detects.
   * @defaultValue true
   */
  readonly fsync?: boolean;
  /** Called for every file set aside as damaged (on open and on read). @defaultValue none */
  readonly onDamaged?: (report: DamagedReport) => void;
  /** Wall clock, ms since the epoch (tests inject one). @defaultValue Date.now */
  readonly now?: () => number;
  /**
   * The directory's lock, already taken with `acquireSpoolLock` (a synchronous caller such as
   * `S3HLS.initialize` takes it first so a conflict throws at once). Released by `DiskSpool.close`.
   * @defaultValue taken by `open`
   */
  readonly lock?: SpoolLock;
}

/** One segment in the spool. */
export interface SpoolEntry {
  /** Unique within the directory, increasing in write order (also across runs). */
  readonly id: number;
  /** File name in the spool directory. */
  readonly name: string;
  /** Size of the file: prefix + header + payload + CRC. */
  readonly fileBytes: number;
  /** The object key it is to be stored under. */
  readonly key: string;
  /** The caller's metadata, as written. */
  readonly meta: Readonly<Record<string, string>>;
  /** When it was written, ms since the epoch. */
  readonly writtenAtMs: number;
  /** The segment's fields (its bytes come from `DiskSpool.read`). */
  readonly segment: SpooledSegmentInfo;
}

/** Counters of a spool. */
export interface SpoolStats {
  /** Spool files on disk (complete, verified). */
  readonly files: number;
  /** Their bytes. */
  readonly bytes: number;
  /** The quota, bytes. */
  readonly quotaBytes: number;
  /** Entries checked out (being uploaded or still held in memory): never dropped by the policy. */
  readonly checkedOut: number;
  /** Files found and verified when the spool was opened. */
  readonly recovered: number;
  /** Interrupted writes (`.tmp`) deleted when the spool was opened. */
  readonly tempFilesRemoved: number;
  /** Files written. */
  readonly written: number;
  /** Files removed after their upload was acknowledged. */
  readonly removed: number;
  /** Writes that failed (the segment stayed in the pool or was counted dropped). */
  readonly writeErrors: number;
  /** Segments not kept, by reason. */
  readonly dropped: Readonly<Record<SpoolDropReason, number>>;
  /** Bytes of the segments in `dropped`. */
  readonly droppedBytes: number;
  /** Files set aside as damaged. */
  readonly damaged: number;
  /** Names that look like spool files but are not regular files (FIFO, socket, symlink...): skipped, never opened. */
  readonly skippedNotRegular: number;
}

/** Options of `DiskSpool.write`. */
export interface SpoolWriteOptions {
  /**
   * Add the entry checked out (see `DiskSpool.checkout`): the caller still holds the segment
   * in memory or is uploading it, so the drop policy must not delete its file. @defaultValue false
   */
  readonly checkedOut?: boolean;
}
