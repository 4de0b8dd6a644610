/**
 * VOD and EVENT playlists written page by page, so a month of 2-s segments (1.3 M entries, ~700 MB
 * with presigned URLs) never sits in memory and no page blocks the event loop for long.
 *
 * EXT-X-TARGETDURATION comes first in the text but must cover every segment (RFC 8216 §4.3.3.1), so
 * a long playlist takes two walks over the records: the first (no URLs, no text) finds the largest
 * duration and how many records there are, the second writes. Short playlists (up to
 * {@link SINGLE_PASS_RECORDS}) are kept from the first walk and written from memory.
 *
 * An EVENT playlist leaves out segments stored late (src/playlist/late-records.ts). Whether a
 * segment is late depends on the records after it, so the first walk of an EVENT list reads to the
 * end and decides the late ones while it counts as if none were. When one is, the count is redone
 * without them: from memory for a short list, on one more walk for a long one (three in all).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LateRecordFilter, LateRecordFinder, type LateVerdicts } from '../playlist/late-records.js';
import { DEFAULT_LIVE_GRACE_MS, isYoungHole, type SettleOptions } from '../playlist/live-window.js';
import { renderPlaylistEnd, renderPlaylistHead, renderSegmentLines, targetDurationSeconds } from '../playlist/m3u8-renderer.js';
import type { SegmentRecord } from '../playlist/segment-records.js';
import type { SegmentUrlResolver } from '../playlist/segment-urls.js';

/** Records kept from the first walk; beyond this the playlist is written on a second walk. */
export const SINGLE_PASS_RECORDS = 5000;

/**
 * Segments per written chunk, with an event-loop turn after each: ~25 KB of text, well under a
 * millisecond of CPU to render, so a month-long answer never holds the loop for long at a time.
 */
export const CHUNK_RECORDS = 250;

/** Input of {@link streamPlaylist}. */
export interface StreamPlaylistInput {
  /** `vod` (ENDLIST) or `event` (open, ends before a hole a late upload may still fill). */
  readonly kind: 'vod' | 'event';
  /** Starts a walk over the records (called one to three times). */
  readonly walk: () => AsyncIterable<readonly SegmentRecord[]>;
  readonly urls: SegmentUrlResolver;
  /** For `event`: the settle rule (see settledRecords). */
  readonly settle?: SettleOptions | undefined;
  readonly signal?: AbortSignal | undefined;
}

interface FirstWalk {
  /** Records to write. */
  count: number;
  /** The longest segment (TARGETDURATION is its rounded duration). */
  longest: SegmentRecord | undefined;
  /** The records themselves when there are few. */
  kept: SegmentRecord[] | undefined;
}

/** Counts what a playlist will hold, record by record (the first walk's work). */
class Counter {
  readonly out: FirstWalk = { count: 0, longest: undefined, kept: [] };
  #prev: SegmentRecord | undefined;
  #cut = false;

  constructor(private readonly input: StreamPlaylistInput) {}

  /** Takes the next record; false once the playlist has ended (the rest is not counted). */
  add(r: SegmentRecord): boolean {
    if (this.#cut) return false;
    // EVENT: segments are only ever appended (§4.3.3.5); stop before a young hole so a late
    // segment is never inserted mid-list.
    if (this.input.kind === 'event' && this.input.settle && isYoungHole(this.#prev, r, this.input.settle)) {
      this.#cut = true;
      return false;
    }
    this.#prev = r;
    const out = this.out;
    out.count++;
    // Rounding is monotonic: the longest segment gives the largest rounded duration, without an
    // array per record (1.3 M of them on a month).
    if (out.longest === undefined || r.durationMs > out.longest.durationMs) out.longest = r;
    if (out.kept) {
      out.kept.push(r);
      if (out.kept.length > SINGLE_PASS_RECORDS) out.kept = undefined;
    }
    return true;
  }
}

/** What the EVENT pre-walk found: the late verdicts, the records when there are few, and the count assuming none is late. */
interface LateWalk {
  verdicts: LateVerdicts;
  kept: SegmentRecord[] | undefined;
  /** The first walk's result, right when no record is late (the usual case: then no extra walk). */
  unfiltered: FirstWalk;
}

async function lateWalk(input: StreamPlaylistInput, settle: SettleOptions): Promise<LateWalk> {
  const finder = new LateRecordFinder(settle.graceMs ?? DEFAULT_LIVE_GRACE_MS);
  const counter = new Counter(input);
  let kept: SegmentRecord[] | undefined = [];
  for await (const page of input.walk()) {
    for (const r of page) {
      finder.add(r);
      counter.add(r);
      if (kept) {
        kept.push(r);
        if (kept.length > SINGLE_PASS_RECORDS) kept = undefined;
      }
    }
  }
  return { verdicts: finder.finish(), kept, unfiltered: counter.out };
}

/** The records of a walk, late ones left out (and the record after them re-linked) when `verdicts` is given. */
async function* filtered(
  pages: AsyncIterable<readonly SegmentRecord[]> | Iterable<readonly SegmentRecord[]>,
  verdicts: LateVerdicts | undefined,
): AsyncGenerator<readonly SegmentRecord[]> {
  if (!verdicts) {
    yield* pages;
    return;
  }
  const filter = new LateRecordFilter(verdicts);
  for await (const page of pages) {
    const out: SegmentRecord[] = [];
    for (const r of page) {
      const kept = filter.pass(r);
      if (kept) out.push(kept);
    }
    yield out;
  }
}

async function firstWalk(input: StreamPlaylistInput, late: LateWalk | undefined): Promise<FirstWalk> {
  // Nothing late: the pre-walk counted exactly what this walk would (every record passes as is).
  if (late && late.verdicts.lateKeys.size === 0) return late.unfiltered;
  const counter = new Counter(input);
  outer: for await (const page of filtered(late?.kept ? [late.kept] : input.walk(), late?.verdicts)) {
    for (const r of page) if (!counter.add(r)) break outer;
  }
  return counter.out;
}

/**
 * Writes a VOD or EVENT playlist as text chunks (at most {@link CHUNK_RECORDS} segments each, an
 * event-loop turn after each).
 *
 * @param input - see {@link StreamPlaylistInput}
 * @returns the playlist text in chunks
 * @throws the walk's or the URL resolver's error (S3 failures)
 */
export async function* streamPlaylist(input: StreamPlaylistInput): AsyncGenerator<string> {
  const late = input.kind === 'event' && input.settle ? await lateWalk(input, input.settle) : undefined;
  const first = await firstWalk(input, late);
  const target = first.longest ? targetDurationSeconds([first.longest]) : undefined;
  yield renderPlaylistHead({ kind: input.kind, records: [], uris: [], emptyTargetDurationSeconds: target, targetDurationSeconds: target });
  let index = 0;
  const write = async (records: readonly SegmentRecord[]): Promise<string> => {
    const text = renderSegmentLines(
      records,
      await input.urls.urls(
        records.map((r) => r.key),
        input.signal,
      ),
      index,
    );
    index += records.length;
    return text;
  };
  if (first.kept) {
    for (let i = 0; i < first.kept.length; i += CHUNK_RECORDS) {
      yield await write(first.kept.slice(i, i + CHUNK_RECORDS));
      await nextTurn();
    }
  } else {
    // The second walk may see segments stored since the first: write only as many as the first
    // counted, so TARGETDURATION (and the EVENT cut) still hold; one stored mid-list since is late.
    for await (const page of filtered(input.walk(), late?.verdicts)) {
      const left = first.count - index;
      if (left <= 0) break;
      if (page.length === 0) continue; // every record of the page was late
      const take = Math.min(left, page.length);
      for (let i = 0; i < take; i += CHUNK_RECORDS) {
        yield await write(page.slice(i, Math.min(take, i + CHUNK_RECORDS)));
        await nextTurn();
      }
    }
  }
  yield renderPlaylistEnd(input.kind);
}
