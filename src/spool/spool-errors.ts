/**
 * Errors and counters of the disk spool: `S3HlsError`s with the spool's codes, a sentence naming the
 * file, the underlying error as `cause`.
 */

import { ErrorCode, S3HlsError } from '../errors.js';

/** Every code the spool reports (a subset of {@link ErrorCode}). */
export const SpoolErrorCode = {
  /** A spool file failed verification (bad magic, truncated, bad header, checksum mismatch); it was moved to `damaged/`. */
  Damaged: ErrorCode.SpoolDamaged,
  /** Writing a spool file failed (ENOSPC, EIO, ...); the segment stays where it was (in the pool). */
  WriteFailed: ErrorCode.SpoolWriteFailed,
  /** The entry is no longer in the spool (removed, dropped by the quota policy, or set aside as damaged). */
  Gone: ErrorCode.SpoolEntryGone,
} as const;

/** One of {@link SpoolErrorCode}'s values. */
export type SpoolErrorCodeValue = (typeof SpoolErrorCode)[keyof typeof SpoolErrorCode];

/** An error of the spool: an {@link S3HlsError} whose message names the file. */
export class SpoolError extends S3HlsError {
  /** Stable code; see {@link SpoolErrorCode}. */
  declare readonly code: SpoolErrorCodeValue;

  /**
   * @param code - the stable code
   * @param message - a sentence naming the file and what is wrong
   * @param options - `cause`, the underlying error
   */
  constructor(code: SpoolErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SpoolError';
  }
}

/**
 * Why a segment was not kept by the spool (the closed set of keys of `stats().dropped`).
 * - `quota-oldest`: an older spooled file was deleted to make room (policy `drop-oldest`).
 * - `quota-newest`: the segment being written was refused (policy `drop-newest`, or nothing older could be deleted).
 * - `larger-than-quota`: the segment alone is larger than the whole quota.
 */
export type SpoolDropReason = 'quota-oldest' | 'quota-newest' | 'larger-than-quota';

/**
 * Why a file was found damaged (the closed set of `DamagedReport.reason`). `not-regular-file`: a
 * FIFO, socket, device or symlink carries a spool file's name; it is skipped, never opened or moved.
 */
export type DamageReason = 'bad-magic' | 'truncated' | 'bad-header' | 'bad-checksum' | 'unreadable' | 'not-regular-file';

/** A spool file set aside as damaged. */
export interface DamagedReport {
  /** Where the file was (its name in the spool directory). */
  readonly file: string;
  /** Where it is now (`<directory>/damaged/<name>`), or undefined when moving it failed too. */
  readonly movedTo: string | undefined;
  /** Why the file was set aside (bad magic, CRC mismatch, truncated, unreadable). */
  readonly reason: DamageReason;
  /** One sentence with the details (expected and found values). */
  readonly message: string;
}
