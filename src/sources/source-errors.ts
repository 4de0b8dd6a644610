/**
 * Errors of the sources (ffmpeg child, files, rings): `S3HlsError`s with the sources' codes.
 */

import { ErrorCode, S3HlsError } from '../errors.js';

/** Every code a source reports (a subset of {@link ErrorCode}). */
export const SourceErrorCode = {
  /** The ffmpeg executable was not found (spawn ENOENT). */
  FfmpegNotFound: ErrorCode.FfmpegNotFound,
  /** The input could not be opened or read (missing file, refused connection, no device). */
  InputUnavailable: ErrorCode.InputUnavailable,
  /** The input was read but holds no H.264 the SDK can use (garbage, truncated, wrong codec). */
  BadInput: ErrorCode.BadInput,
  /** The source was restarted too often and gave up. */
  TooManyRestarts: ErrorCode.TooManyRestarts,
  /** The source produced no frame within the stall timeout. */
  Stalled: ErrorCode.Stalled,
} as const;

/** One of {@link SourceErrorCode}'s values. */
export type SourceErrorCodeValue = (typeof SourceErrorCode)[keyof typeof SourceErrorCode];

/** An error of a source: an {@link S3HlsError} whose message suggests the fix. */
export class SourceError extends S3HlsError {
  /** Stable code; see {@link SourceErrorCode}. */
  declare readonly code: SourceErrorCodeValue;

  /**
   * @param code - the stable code
   * @param message - one human sentence (shown as-is by the CLI, so no stack trace is needed)
   * @param options - `cause`, the underlying error
   */
  constructor(code: SourceErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SourceError';
  }
}
