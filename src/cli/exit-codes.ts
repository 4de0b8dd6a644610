/**
 * Exit statuses of the `s3hls` CLI (documented in `s3hls --help` and docs/cli.md). Scripts branch
 * on these, so they never change meaning.
 */
export const ExitCode = {
  /** Every segment was stored. */
  Ok: 0,
  /** Some segments were not stored (drain timed out, uploads kept failing), or an unexpected error. */
  Incomplete: 1,
  /** A usage mistake: unknown flag, missing or bad value, invalid cameras.json. */
  Usage: 2,
  /** The input could not be read or held no usable H.264 (missing file, garbage, truncated, ffmpeg missing). */
  BadInput: 3,
  /** The store refused the credentials or the permission (SignatureDoesNotMatch, AccessDenied, NoSuchBucket). */
  Refused: 4,
  /** The endpoint could not be reached (connection refused, DNS failure, timeouts) before anything was stored. */
  Unreachable: 5,
  /** Stopped by a second SIGINT/SIGTERM before the upload queue drained. */
  Interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI ends with: one line, an exit status, no stack trace. */
export class CliExit extends Error {
  override name = 'CliExit';
  /**
   * @param code - the exit status
   * @param message - the one line printed after `s3hls: `
   */
  constructor(
    readonly code: ExitCodeValue,
    message: string,
  ) {
    super(message);
  }
}
