/**
 * Where every segment of one camera ended: the ledger behind "every segment ends as stored, spooled
 * or failed(reason)" (issue 10 §4) and the frame accounting of the C-style API (§3).
 *
 * A segment enters as `pending` when the stream hands it out, and leaves exactly once:
 * - `stored`: the uploader's `'uploaded'` event (fired only after the PUT was acknowledged and
 *   verified, see upload/verify-put.ts);
 * - `spooled`: a disk spool took it (the spool hook calls {@link SegmentLedger.spooled}); a spooled
 *   segment later uploaded from the spool moves on to `stored`;
 * - `failed`: the uploader's sink refused it (`refused`: no valid key), the uploader discarded it
 *   after a permanent error (`discarded`), or it was still not stored when the run ended
 *   (`not-uploaded`, from {@link SegmentLedger.settlePending}).
 * Each transition out of `pending` is reported once through the `onOutcome` callback.
 */

/** The terminal states of a segment. */
export type SegmentState = 'stored' | 'spooled' | 'failed';

/** Why a segment failed. */
export type SegmentFailureReason = 'refused' | 'discarded' | 'not-uploaded';

/** One segment's terminal state, as reported by the pipeline's `'segment'` event and in reports. */
export interface SegmentOutcome {
  /** The camera (stream id). */
  readonly streamId: string;
  /** Its sequence number in the stream. */
  readonly sequence: number;
  /** Object key when known (stored, discarded, not-uploaded). */
  readonly key: string | undefined;
  /** Its terminal state: `stored`, `spooled` or `failed`. */
  readonly state: SegmentState;
  /** Set when `state` is `failed`. */
  readonly reason: SegmentFailureReason | undefined;
  /** The error code or S3 error name behind a failure, e.g. `UPLOAD_PERMANENT`, `NoSuchBucket`. */
  readonly code: string | undefined;
  /** One sentence naming the problem (failures only; never a secret). */
  readonly message: string | undefined;
  /** Video + audio frames in the segment. */
  readonly frames: number;
  /** The segment's length, bytes. */
  readonly bytes: number;
}

/** Segment and frame counts by state. */
export interface LedgerCounts {
  /** Segments stored (acknowledged and verified). */
  readonly storedSegments: number;
  /** Frames in stored segments. */
  readonly storedFrames: number;
  /** Segments kept in the disk spool. */
  readonly spooledSegments: number;
  /** Frames in segments kept in the disk spool. */
  readonly spooledFrames: number;
  /** Segments that failed (refused, discarded, not uploaded). */
  readonly failedSegments: number;
  /** Frames in failed segments. */
  readonly failedFrames: number;
  /** Segments handed out and not yet in a terminal state. */
  readonly pendingSegments: number;
  /** Frames in segments not settled yet. */
  readonly pendingFrames: number;
}

/** Failed segments kept for reports (the count goes on past it): a long outage must not grow memory. */
const MAX_FAILURES_KEPT = 1000;

interface Entry {
  state: SegmentState | 'pending';
  readonly frames: number;
  readonly bytes: number;
}

/** The ledger of one camera's segments. */
export class SegmentLedger {
  readonly #streamId: string;
  readonly #onOutcome: (o: SegmentOutcome) => void;
  // Only pending and spooled segments are kept: stored and failed ones are counted and forgotten, so
  // memory does not grow with the length of the run.
  readonly #open = new Map<number, Entry>();
  readonly #counts = { storedSegments: 0, storedFrames: 0, spooledSegments: 0, spooledFrames: 0, failedSegments: 0, failedFrames: 0 };
  #failures: SegmentOutcome[] = [];

  /**
   * @param streamId - the camera
   * @param onOutcome - called once per segment leaving `pending` (and once more if a spooled one is stored)
   */
  constructor(streamId: string, onOutcome: (o: SegmentOutcome) => void) {
    this.#streamId = streamId;
    this.#onOutcome = onOutcome;
  }

  /** A segment was handed out by the stream. */
  handedOut(sequence: number, frames: number, bytes: number): void {
    this.#open.set(sequence, { state: 'pending', frames, bytes });
  }

  /** The uploader stored it (acknowledged and verified). */
  stored(sequence: number, key: string): void {
    const e = this.#open.get(sequence);
    if (e === undefined) return; // not ours, or already settled
    if (e.state === 'spooled') {
      this.#counts.spooledSegments--;
      this.#counts.spooledFrames -= e.frames;
    }
    this.#open.delete(sequence);
    this.#counts.storedSegments++;
    this.#counts.storedFrames += e.frames;
    this.#emit(sequence, e, 'stored', key);
  }

  /** A disk spool took it: kept on disk, to be uploaded later. */
  spooled(sequence: number): void {
    const e = this.#open.get(sequence);
    if (e === undefined || e.state !== 'pending') return;
    e.state = 'spooled';
    this.#counts.spooledSegments++;
    this.#counts.spooledFrames += e.frames;
    this.#emit(sequence, e, 'spooled', undefined);
  }

  /** It failed: refused, discarded, or not uploaded when the run ended. */
  failed(sequence: number, reason: SegmentFailureReason, key: string | undefined, code: string | undefined, message: string): void {
    const e = this.#open.get(sequence);
    if (e === undefined || e.state !== 'pending') return;
    this.#open.delete(sequence);
    this.#counts.failedSegments++;
    this.#counts.failedFrames += e.frames;
    const o = this.#emit(sequence, e, 'failed', key, reason, code, message);
    if (this.#failures.length < MAX_FAILURES_KEPT) this.#failures.push(o);
  }

  /**
   * Ends the run: every segment still pending fails as `not-uploaded`.
   * @param pending - what the uploader still held (key and last error), by sequence
   */
  settlePending(pending: ReadonlyMap<number, { key: string; code: string | undefined; message: string }>): void {
    for (const [sequence, e] of [...this.#open]) {
      if (e.state !== 'pending') continue;
      const p = pending.get(sequence);
      this.failed(sequence, 'not-uploaded', p?.key, p?.code, p?.message ?? 'not stored when the run ended');
    }
  }

  /** Counts by state. */
  counts(): LedgerCounts {
    let pendingSegments = 0;
    let pendingFrames = 0;
    for (const e of this.#open.values()) {
      if (e.state !== 'pending') continue;
      pendingSegments++;
      pendingFrames += e.frames;
    }
    return { ...this.#counts, pendingSegments, pendingFrames };
  }

  /** Failed segments so far, oldest first (the first 1000; `counts().failedSegments` has them all). */
  failures(): readonly SegmentOutcome[] {
    return this.#failures;
  }

  #emit(sequence: number, e: Entry, state: SegmentState, key: string | undefined, reason?: SegmentFailureReason, code?: string, message?: string): SegmentOutcome {
    const o: SegmentOutcome = { streamId: this.#streamId, sequence, key, state, reason, code, message, frames: e.frames, bytes: e.bytes };
    this.#onOutcome(o);
    return o;
  }
}
