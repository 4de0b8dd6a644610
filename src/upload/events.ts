/**
 * The uploader's events and a small typed emitter. Not node:events: there an `error` event with no
 * listener throws, and an upload error must never crash a camera process.
 */
import type { ErrorCodeValue } from '../errors.js';

/** A segment S3 acknowledged (its pool space was released right after). */
export interface UploadedEvent {
  /** The camera (stream id) the segment belongs to. */
  readonly streamId: string;
  /** The object key it was stored under. */
  readonly key: string;
  /** The segment's media sequence number in its stream. */
  readonly sequence: number;
  /** Bytes stored (the segment's length). */
  readonly bytes: number;
  /** Attempts it took, 1 when the first PUT succeeded. */
  readonly attempts: number;
  /** From hand-over to acknowledgement, ms (includes queueing and backoff). */
  readonly latencyMs: number;
}

/** A failed attempt. The segment is kept unless `willRetry` is false (see `discarded`). */
export interface UploadErrorEvent {
  /** The camera (stream id) the segment belongs to. */
  readonly streamId: string;
  /** The object key of the failed PUT. */
  readonly key: string;
  /** The segment's media sequence number in its stream. */
  readonly sequence: number;
  /** `UPLOAD_TRANSIENT`, `CREDENTIALS_REFUSED` or `UPLOAD_PERMANENT`. */
  readonly code: ErrorCodeValue;
  /** S3 or network error name, e.g. `SlowDown`, `ECONNRESET`, `TimeoutError`. */
  readonly name: string;
  /** The HTTP status S3 answered, or undefined when no answer came (network error, timeout). */
  readonly httpStatus: number | undefined;
  /** One sentence, never a secret, token or signature. */
  readonly message: string;
  /** 1-based attempt number that failed. */
  readonly attempt: number;
  /** True when the segment stays queued (always, unless `permanentErrors: 'discard'`). */
  readonly willRetry: boolean;
  /** Delay before the next attempt, ms (undefined while held for credentials). */
  readonly retryInMs: number | undefined;
}

/** The server refused the credentials: every segment is held until new ones arrive. */
export interface CredentialsNeededEvent {
  /** The S3 error name, e.g. `ExpiredToken`, `SignatureDoesNotMatch`, `InvalidAccessKeyId`. */
  readonly reason: string;
  /** Segments waiting (queued, not in flight). */
  readonly heldSegments: number;
  /** When the uploader tries again on its own (a provider may have refreshed), ms from now. */
  readonly retryInMs: number;
}

/** Uploads resumed after a credentials hold. */
export interface ResumedEvent {
  /** `setCredential` or `retry-timer`. */
  readonly trigger: 'setCredential' | 'retry-timer';
  /** Segments that were waiting and are now sent again. */
  readonly heldSegments: number;
}

/** A segment given up on after a permanent error (only with `permanentErrors: 'discard'`). */
export interface DiscardedEvent {
  /** The camera (stream id) the segment belonged to. */
  readonly streamId: string;
  /** The object key it would have had. */
  readonly key: string;
  /** The segment's media sequence number in its stream. */
  readonly sequence: number;
  /** Bytes given up (the segment's length). */
  readonly bytes: number;
  /** The error code of the permanent failure (`UPLOAD_PERMANENT`). */
  readonly code: ErrorCodeValue;
  /** The S3 error name, e.g. `AccessDenied`, `NoSuchBucket`. */
  readonly name: string;
}

/** Event name → payload. */
export interface UploaderEvents {
  /** A segment S3 acknowledged (and the PUT was verified). */
  uploaded: UploadedEvent;
  /** A PUT attempt failed (the segment is kept unless discarded). */
  error: UploadErrorEvent;
  /** The credentials were refused or missing: segments are held. */
  'credentials-needed': CredentialsNeededEvent;
  /** Uploads resumed after a credentials hold. */
  resumed: ResumedEvent;
  /** A segment was given up on (only with `permanentErrors: 'discard'`). */
  discarded: DiscardedEvent;
}

/** One of the uploader's event names. */
export type UploaderEventName = keyof UploaderEvents;

/**
 * Rethrows a listener's exception on a fresh microtask: it surfaces as the process's
 * `uncaughtException`, as it would from a Node `EventEmitter` listener, but only after the emitter's
 * owner finished the bookkeeping it was doing when it emitted (a half-settled upload job would lose
 * or duplicate a segment).
 */
function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}

/**
 * Minimal typed emitter. A throwing listener never interrupts the others or the emitter's owner, and
 * is never swallowed: it goes to `onListenerError`, by default rethrown on a microtask.
 */
export class TypedEmitter<E extends object> {
  private readonly listeners = new Map<keyof E, Set<(payload: never) => void>>();

  /**
   * @param onListenerError - called when a listener throws @defaultValue rethrown on a microtask
   */
  constructor(private readonly onListenerError: (err: unknown) => void = rethrowLater) {}

  /**
   * Adds a listener.
   * @param event - event name
   * @param listener - called with the payload
   * @returns a function that removes the listener
   */
  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with `on`. */
  off<K extends keyof E>(event: K, listener: (payload: E[K]) => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Calls every listener of `event`. */
  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as (p: E[K]) => void)(payload);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
