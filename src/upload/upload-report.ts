/**
 * What `drain` and `stats` report: segments still held, and the upload counters.
 */
import { ErrorCode, S3HlsError } from '../errors.js';
import type { Job } from './upload-job.js';

/** A segment not uploaded when `drain` returned. */
export interface PendingSegment {
  /** The camera (stream id). */
  readonly streamId: string;
  /** The segment's media sequence number in its stream. */
  readonly sequence: number;
  /** The object key it is to be stored under. */
  readonly key: string;
  /** Its length, bytes. */
  readonly bytes: number;
  /** PUT attempts so far. */
  readonly attempts: number;
  /** True while a PUT of it is in flight. */
  readonly inFlight: boolean;
  /** Code and name of the last failure, if any. */
  readonly lastError: { readonly code: string; readonly name: string; readonly message?: string } | undefined;
}

/** What `drain` found. */
export interface DrainReport {
  /** True when every segment handed in (to the drained streams) was settled. */
  readonly complete: boolean;
  /** Segments still held (their pool space is not released), by stream then sequence. */
  readonly pending: readonly PendingSegment[];
  /** `FINALIZE_INCOMPLETE` when not complete (timeout or abort), naming how many are left. */
  readonly error: S3HlsError | undefined;
}

/** Counters since construction. */
export interface UploadStats {
  /** Segments waiting to be sent (including those in backoff or held). */
  readonly queued: number;
  /** PUTs in flight now. */
  readonly inFlight: number;
  /** True while held for credentials. */
  readonly heldForCredentials: boolean;
  /** Segments stored (acknowledged and verified). */
  readonly uploadedSegments: number;
  /** Bytes stored. */
  readonly uploadedBytes: number;
  /** PUT attempts started. */
  readonly attempts: number;
  /** Failed attempts that will be retried (5xx, throttling, network, unverified 2xx). */
  readonly transientErrors: number;
  /** Attempts refused for their credentials. */
  readonly credentialErrors: number;
  /** Attempts refused for good (4xx other than credentials). */
  readonly permanentErrors: number;
  /** Segments released without upload (`permanentErrors: 'discard'`). */
  readonly discardedSegments: number;
  /** Bytes of segments handed in and not yet settled. */
  readonly pendingBytes: number;
}

/**
 * Builds a drain report.
 * @param jobs - every unsettled job
 * @param streamId - only this stream's, or all when undefined
 * @param heldForCredentials - mentioned in the error message
 * @returns the report
 */
export function drainReport(jobs: Iterable<Job>, streamId: string | undefined, heldForCredentials: boolean): DrainReport {
  const pending: PendingSegment[] = [];
  for (const j of jobs) {
    if (streamId !== undefined && j.streamId !== streamId) continue;
    pending.push({
      streamId: j.streamId,
      sequence: j.sequence,
      key: j.key,
      bytes: j.bytes,
      attempts: j.attempts,
      inFlight: j.inFlight,
      lastError: j.lastError ? { code: j.lastError.code, name: j.lastError.name, message: j.lastError.message } : undefined,
    });
  }
  pending.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : a.sequence - b.sequence));
  const complete = pending.length === 0;
  const error = complete
    ? undefined
    : new S3HlsError(
        ErrorCode.FinalizeIncomplete,
        `${pending.length} segment(s) not uploaded yet${heldForCredentials ? ' (held: credentials refused)' : ''}; they stay in the pool`,
      );
  return { complete, pending, error };
}
