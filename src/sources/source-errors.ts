/**
 * Errors of the sources (ffmpeg child, files, rings) with a stable `code`, in the style of
 * `S3HlsError` (src/errors.ts). Kept here until the lead folds these codes into `ErrorCode`.
 */

/** Every code a source reports. */
export const SourceErrorCode = {
  /** The ffmpeg executable was not found (spawn ENOENT). */
  FfmpegNotFound: 'FFMPEG_NOT_FOUND',
  /** The input could not be opened or read (missing file, refused connection, no device). */
  InputUnavailable: 'INPUT_UNAVAILABLE',
  /** The input was read but holds no H.264 the SDK can use (garbage, truncated, wrong codec). */
  BadInput: 'BAD_INPUT',
  /** The source was restarted too often and gave up. */
  TooManyRestarts: 'TOO_MANY_RESTARTS',
  /** The source produced no frame within the stall timeout. */
  Stalled: 'STALLED',
} as const;

/** One of {@link SourceErrorCode}'s values. */
export type SourceErrorCodeValue = (typeof SourceErrorCode)[keyof typeof SourceErrorCode];

/** An error of a source, with a stable machine-readable `code` and a message that suggests the fix. */
export class SourceError extends Error {
  /** Stable code; see {@link SourceErrorCode}. */
  readonly code: SourceErrorCodeValue;

  /**
   * @param code - the stable code
   * @param message - one human sentence (shown as-is by the CLI, so no stack trace is needed)
   * @param options - `cause`, the underlying error
   */
  constructor(code: SourceErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.code = code;
  }
}
