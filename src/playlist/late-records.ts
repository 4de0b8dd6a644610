/**
 * Late segments: a segment stored so long after it was recorded that a live or EVENT playlist may
 * already have gone past its place (issue 10 §7, docs/playback.md "Late uploads").
 *
 * A live or EVENT playlist stops at a numbering hole for the grace period (live-window.ts,
 * isYoungHole) and then goes on past it, treating the missing segment as lost. If the segment is
 * stored after that, listing it would insert it mid-list (RFC 8216 §4.3.3.5) or move the live
 * window back (§6.2.1). The server keeps no state, so the decision comes from the listing alone:
 *
 * A record is **late** when both hold:
 * 1. it was stored more than the grace period after its own end (`storedMs > startTimeMs +
 *    durationMs + graceMs`: store time by the store's clock against key time by the camera's), and
 * 2. a record after it in key order was stored before it (store order inverted).
 *
 * Rule 1 is the one the grace period implies: a hole is published past no earlier than `graceMs`
 * after the end of the record following it, which ends after the missing one. Rule 2 keeps footage
 * uploaded in order out of it whatever the clocks say: a file uploaded today with yesterday's start
 * time, or a camera whose clock runs behind, stores every segment "late" by rule 1, yet nothing
 * after such a segment was visible before it, so no playlist can have gone past it. Both rules
 * look only at objects already stored before the record itself, so a record's verdict never changes
 * once it is visible: EVENT lists stay prefix-preserving.
 *
 * Live and EVENT lists leave late records out; the record after one becomes a discontinuity (the
 * hole stays a hole, as for a lost segment). VOD ranges, recordings spans and clips list them.
 */
import type { SegmentRecord } from './segment-records.js';

/**
 * Whether a record passes rule 1 alone (stored more than `graceMs` after its end). Records without
 * a store time never do.
 *
 * @param r - the record
 * @param graceMs - the grace period, ms
 * @returns true when `r` may be late (rule 2 decides)
 */
export function isLateCandidate(r: SegmentRecord, graceMs: number): boolean {
  return r.storedMs !== undefined && r.storedMs > r.startTimeMs + r.durationMs + graceMs;
}

/**
 * Decides rule 2 while records go by in key order: a candidate is late as soon as a record after it
 * was stored before it. Memory is the candidates not yet decided (rare: one per long retry).
 */
export class LateRecordFinder {
  readonly #graceMs: number;
  /** Undecided candidates, ascending by store time. */
  readonly #open: { key: string; storedMs: number }[] = [];
  readonly #late = new Set<string>();
  readonly #onTime = new Set<string>();
  #finished = false;

  /**
   * @param graceMs - the grace period, ms
   * @throws RangeError when `graceMs` is negative or not finite
   */
  constructor(graceMs: number) {
    if (!(graceMs >= 0) || !Number.isFinite(graceMs)) throw new RangeError(`graceMs must be a non-negative number of ms, got ${graceMs}`);
    this.#graceMs = graceMs;
  }

  /**
   * Takes the next record in key order.
   *
   * @param r - the record
   * @throws Error after {@link finish}
   */
  add(r: SegmentRecord): void {
    if (this.#finished) throw new Error('LateRecordFinder: add() after finish()');
    const open = this.#open;
    // Every open candidate stored after `r` is late; they are the tail of the sorted list. Most
    // records find none (the newest open one is older): no search, no allocation.
    if (r.storedMs !== undefined && open.length > 0 && open[open.length - 1].storedMs > r.storedMs) {
      for (const c of open.splice(this.#firstAbove(r.storedMs))) this.#late.add(c.key);
    }
    if (isLateCandidate(r, this.#graceMs)) this.#open.splice(this.#firstAbove(r.storedMs!), 0, { key: r.key, storedMs: r.storedMs! });
  }

  /**
   * Ends the walk: candidates still open had nothing after them stored earlier, so they are on time.
   *
   * @returns the verdicts
   */
  finish(): LateVerdicts {
    if (!this.#finished) {
      this.#finished = true;
      for (const c of this.#open.splice(0)) this.#onTime.add(c.key);
    }
    return new LateVerdicts(this.#graceMs, this.#late, this.#onTime);
  }

  /** Index of the first open candidate stored strictly after `storedMs`. */
  #firstAbove(storedMs: number): number {
    let lo = 0;
    let hi = this.#open.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#open[mid].storedMs > storedMs) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** The outcome of one {@link LateRecordFinder} walk. */
export class LateVerdicts {
  readonly #graceMs: number;
  readonly #late: ReadonlySet<string>;
  readonly #onTime: ReadonlySet<string>;

  /**
   * @param graceMs - the grace period the walk used
   * @param late - keys found late
   * @param onTime - candidates found on time
   */
  constructor(graceMs: number, late: ReadonlySet<string>, onTime: ReadonlySet<string>) {
    this.#graceMs = graceMs;
    this.#late = late;
    this.#onTime = onTime;
  }

  /** Keys found late. */
  get lateKeys(): ReadonlySet<string> {
    return this.#late;
  }

  /**
   * Whether a record is late. A candidate (rule 1) the walk did not see was stored after the walk
   * began, after every record the walk saw: late unless it comes after all of them, and a caller
   * walking again (the second walk of a long playlist) only writes as many records as the first
   * counted, so calling it late is right wherever it lands.
   *
   * @param r - the record
   * @returns true when `r` must be left out of live and EVENT lists
   */
  isLate(r: SegmentRecord): boolean {
    if (this.#late.has(r.key)) return true;
    return isLateCandidate(r, this.#graceMs) && !this.#onTime.has(r.key);
  }
}

/**
 * Leaves late records out of a stream of records (in key order) and marks the record after each
 * left-out run as a discontinuity. One instance per walk.
 */
export class LateRecordFilter {
  readonly #verdicts: LateVerdicts;
  #skipped = false;
  #dropped = 0;

  /** @param verdicts - from a {@link LateRecordFinder} over the same listing */
  constructor(verdicts: LateVerdicts) {
    this.#verdicts = verdicts;
  }

  /** Records left out so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * The record to publish in place of `r`.
   *
   * @param r - the next record
   * @returns undefined when `r` is late; else `r`, re-linked as a discontinuity when records were left out just before it
   */
  pass(r: SegmentRecord): SegmentRecord | undefined {
    if (this.#verdicts.isLate(r)) {
      this.#skipped = true;
      this.#dropped += 1;
      return undefined;
    }
    if (!this.#skipped) return r;
    this.#skipped = false;
    // The left-out segment's media is missing here whatever its length: a new timeline, exactly as
    // the gap rule marks a lost one (segment-records.ts). Its number stays skipped, so the live
    // window and the EVENT cut treat it as the hole it is.
    return r.discontinuity ? r : { ...r, discontinuity: true };
  }
}

/**
 * A listing without its late records (the records after each re-linked as a discontinuity).
 *
 * @param records - the listing, in key order
 * @param graceMs - the grace period, ms
 * @returns the records to publish (the same array when none is late)
 * @throws RangeError when `graceMs` is negative or not finite
 */
export function withoutLateRecords(records: readonly SegmentRecord[], graceMs: number): readonly SegmentRecord[] {
  const finder = new LateRecordFinder(graceMs);
  for (const r of records) finder.add(r);
  const verdicts = finder.finish();
  if (verdicts.lateKeys.size === 0) return records;
  const filter = new LateRecordFilter(verdicts);
  const out: SegmentRecord[] = [];
  for (const r of records) {
    const kept = filter.pass(r);
    if (kept) out.push(kept);
  }
  return out;
}
