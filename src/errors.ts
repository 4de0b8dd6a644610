/**
 * Typed errors with a stable `code`. Callers branch on `code`, never on messages.
 *
 * Programmer errors (bad options, use after finalize) are thrown as `TypeError`/`RangeError` naming
 * the option and the value; bad media mid-stream is an {@link S3HlsError} reported through events and
 * counters while the stream goes on.
 */

/** Every error code the SDK reports. */
export const ErrorCode = {
  /** A pack had no items, or only empty parts. */
  EmptyPack: 'EMPTY_PACK',
  /** An item had a `part2` but an empty or missing `part1`. */
  SecondPartWithoutFirst: 'SECOND_PART_WITHOUT_FIRST',
  /** No Annex B start code was found in an item. */
  NoStartCode: 'NO_START_CODE',
  /** Bytes that are not H.264 (forbidden_zero_bit set, unknown structure). */
  BadNalUnit: 'BAD_NAL_UNIT',
  /** An SPS that could not be parsed. */
  BadSps: 'BAD_SPS',
  /** An ADTS frame with a bad sync word or length. */
  BadAdts: 'BAD_ADTS',
  /** A frame that cannot fit in the pool even when it is empty. */
  FrameTooLarge: 'FRAME_TOO_LARGE',
  /** Audio arrived before the first video IDR: it cannot start a segment. */
  AudioBeforeVideo: 'AUDIO_BEFORE_VIDEO',
  /** Video frames before the first IDR with SPS/PPS: nothing can be decoded from them. */
  NoKeyframeYet: 'NO_KEYFRAME_YET',
  /** The pool is full: frames are dropped until the next IDR. */
  PoolFull: 'POOL_FULL',
  /** PTS went back a little with no DTS: a stream with B-frames must give dts90k / decodeTimestampUs. */
  MissingDts: 'MISSING_DTS',
  /** A timestamp that is not a finite non-negative number. */
  BadTimestamp: 'BAD_TIMESTAMP',
  /** Frames dropped to the end of a GOP whose start was dropped. */
  GopIncomplete: 'GOP_INCOMPLETE',
  /** Timestamps reset or jumped in the middle of a GOP: the rest of the GOP is dropped, the next IDR starts a new timeline. */
  TimestampDiscontinuity: 'TIMESTAMP_DISCONTINUITY',
  /** Upload: credentials expired or refused (ExpiredToken, InvalidAccessKeyId, SignatureDoesNotMatch). */
  CredentialsRefused: 'CREDENTIALS_REFUSED',
  /** Upload: an error retrying cannot fix (NoSuchBucket, AccessDenied). */
  UploadPermanent: 'UPLOAD_PERMANENT',
  /** Upload: a transient error (5xx, SlowDown, reset, timeout); the segment stays queued. */
  UploadTransient: 'UPLOAD_TRANSIENT',
  /** Invalid S3 object tags. */
  BadTags: 'BAD_TAGS',
  /** Spool: a spooled file failed verification (checksum, truncation, header); it was set aside, never uploaded. */
  SpoolDamaged: 'SPOOL_DAMAGED',
  /** Spool: writing a segment to disk failed (disk full, permissions). */
  SpoolWriteFailed: 'SPOOL_WRITE_FAILED',
  /** Spool: the entry was removed (uploaded or dropped by quota) before it was read. */
  SpoolEntryGone: 'SPOOL_ENTRY_GONE',
  /** Spool: another live process holds the spool directory's lock. */
  SpoolLocked: 'SPOOL_LOCKED',
  /** Source: the ffmpeg executable was not found (spawn ENOENT). */
  FfmpegNotFound: 'FFMPEG_NOT_FOUND',
  /** Source: the input could not be opened or read (missing file, refused connection, no device). */
  InputUnavailable: 'INPUT_UNAVAILABLE',
  /** Source: the input holds no H.264 the SDK can use (garbage, truncated, wrong codec). */
  BadInput: 'BAD_INPUT',
  /** Source: restarted too often, gave up. */
  TooManyRestarts: 'TOO_MANY_RESTARTS',
  /** Source: no frame within the stall timeout. */
  Stalled: 'STALLED',
  /** A bounded wait for pool room (`whenWritable`, `putVideoFrameAsync`) ran out: uploads are not freeing the pool. */
  WaitTimeout: 'WAIT_TIMEOUT',
  /** finalize() timed out or was aborted with segments still not uploaded. */
  FinalizeIncomplete: 'FINALIZE_INCOMPLETE',
  /** A PUT answered 2xx but neither the echoed checksum nor the ETag proved the bytes were stored. */
  UnverifiedPut: 'UNVERIFIED_PUT',
} as const;

/** One of {@link ErrorCode}'s values. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error of the SDK, with a stable machine-readable `code`. */
export class S3HlsError extends Error {
  /** Stable code; see {@link ErrorCode}. */
  readonly code: ErrorCodeValue;

  /**
   * @param code - the stable code
   * @param message - a human sentence naming the problem (never a secret)
   * @param options - `cause`, the underlying error
   */
  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'S3HlsError';
    this.code = code;
  }
}
