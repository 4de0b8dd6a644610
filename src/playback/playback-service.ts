/**
 * The playback service: one reader of what is stored (hour index objects for closed hours, LIST
 * otherwise; record-source.ts) and everything built from it: VOD/EVENT playlists streamed page by
 * page, the live window, recording spans, MP4 clips. `s3hls playlist`, `s3hls recordings`,
 * `s3hls serve` and the Lambda handler all go through it, so they agree on what a range holds.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { validatePrefix } from '../keys/object-keys.js';
import { exportClip, ExportRangeError, type SkippedGap } from '../export/clip-exporter.js';
import { withoutLateRecords } from '../playlist/late-records.js';
import { DEFAULT_LIVE_GRACE_MS, DEFAULT_LIVE_WINDOW, selectLiveWindow, settledRecords } from '../playlist/live-window.js';
import { renderMediaPlaylist, targetDurationSeconds } from '../playlist/m3u8-renderer.js';
import type { SegmentRecord } from '../playlist/segment-records.js';
import type { SegmentUrlResolver } from '../playlist/segment-urls.js';
import type { RecordingSpan } from '../recordings/merge-spans.js';
import { querySpans } from '../recordings/spans.js';
import { streamPlaylist } from './playlist-stream.js';
import { collectRecords, recordPages, type RecordSourceOptions, type RecordSourceStats } from './record-source.js';

/** Options of {@link PlaybackService}. */
export interface PlaybackServiceOptions {
  /** The S3 client that lists and reads. */
  readonly client: S3Client;
  /** The bucket holding the segments and hour indexes. */
  readonly bucket: string;
  /** Writes segment URIs (presigned or under a base URL). */
  readonly urls: SegmentUrlResolver;
  /** Read hour index objects (false: LIST only). @defaultValue true */
  readonly useIndex?: boolean | undefined;
  /** How long after its end an hour's index is trusted, ms. @defaultValue 60000 */
  readonly indexSettleMs?: number | undefined;
  /**
   * Grace period of a numbering hole in live/EVENT playlists, ms (see settledRecords); a segment
   * stored later than this after its end, after a later one, is left out of them (late-records.ts).
   * @defaultValue 30000
   */
  readonly liveGraceMs?: number | undefined;
  /** Clock. @defaultValue Date.now */
  readonly nowMs?: (() => number) | undefined;
}

/** A time window, ms since the epoch (`endMs` exclusive). */
export interface PlaybackWindow {
  /** Start of the window, ms since the epoch. */
  readonly startMs?: number | undefined;
  /** End of the window, ms since the epoch (exclusive); undefined for now. */
  readonly endMs?: number | undefined;
  /** Stops the listing. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link PlaybackService.clip}. */
export interface ClipRequest {
  /** Start of the range, ms since the epoch (the clip starts at the keyframe at or before it). */
  readonly startMs: number;
  /** End of the range, ms since the epoch (the clip ends at or after it). */
  readonly endMs: number;
  /** Longest range accepted, ms (ExportRangeError beyond). */
  readonly maxRangeMs: number;
  /** Called for each gap skipped (the timestamps stay continuous across it). */
  readonly onGap?: ((gap: SkippedGap) => void) | undefined;
  /** Called as segments are transmuxed: segments done, segments in all, bytes written so far. */
  readonly onProgress?: ((done: number, total: number, bytes: number) => void) | undefined;
  /** Stops the export. */
  readonly signal?: AbortSignal | undefined;
}

/** Reads a camera's stored segments and builds what players and people ask for. */
export class PlaybackService {
  readonly #o: PlaybackServiceOptions;
  readonly #now: () => number;

  /** @param options - see {@link PlaybackServiceOptions} */
  constructor(options: PlaybackServiceOptions) {
    this.#o = options;
    this.#now = options.nowMs ?? Date.now;
  }

  /** The segment URL resolver (its `validForSeconds` decides cache lifetimes). */
  get urls(): SegmentUrlResolver {
    return this.#o.urls;
  }

  #source(prefix: string, w: PlaybackWindow, stats?: RecordSourceStats): RecordSourceOptions {
    return {
      client: this.#o.client,
      bucket: this.#o.bucket,
      prefix,
      startMs: w.startMs,
      endMs: w.endMs,
      signal: w.signal,
      useIndex: this.#o.useIndex,
      settleMs: this.#o.indexSettleMs,
      nowMs: this.#now(),
      stats,
    };
  }

  /**
   * The records of a window, page by page (at most 1,000 per page).
   *
   * @param prefix - the camera prefix
   * @param w - the window
   * @param stats - filled with the requests made
   * @returns pages of records
   */
  records(prefix: string, w: PlaybackWindow, stats?: RecordSourceStats): AsyncGenerator<SegmentRecord[]> {
    return recordPages(this.#source(prefix, w, stats));
  }

  /**
   * The spans of footage overlapping a window (spans reaching into it reported whole as far as
   * read). Reads index objects for closed hours, LIST for the others.
   *
   * @param prefix - the camera prefix
   * @param w - the window
   * @returns the spans and what reading them cost
   */
  async spans(prefix: string, w: PlaybackWindow): Promise<{ spans: RecordingSpan[]; stats: RecordSourceStats }> {
    // querySpans reads day indexes for the closed days wholly inside the window (recordings/day-spans.ts).
    const { spans, stats } = await querySpans({ ...this.#source(prefix, w), useIndex: this.#o.useIndex });
    return { spans, stats };
  }

  /**
   * A VOD playlist of a window, streamed.
   *
   * @param prefix - the camera prefix
   * @param w - the window (start required by the routes, not here)
   * @returns the text in chunks
   */
  vodPlaylist(prefix: string, w: PlaybackWindow): AsyncGenerator<string> {
    return streamPlaylist({ kind: 'vod', walk: () => this.records(prefix, w), urls: this.#o.urls, signal: w.signal });
  }

  /**
   * An EVENT playlist from `startMs` to now, streamed; it ends before a numbering hole that a late
   * upload may still fill, and leaves out segments stored after it went past them (docs/playback.md,
   * "Late uploads").
   *
   * @param prefix - the camera prefix
   * @param startMs - the fixed start
   * @param signal - aborts the reads
   * @returns the text in chunks
   */
  eventPlaylist(prefix: string, startMs: number, signal?: AbortSignal): AsyncGenerator<string> {
    const settle = { nowMs: this.#now(), graceMs: this.#o.liveGraceMs ?? DEFAULT_LIVE_GRACE_MS, listedFromMs: startMs };
    return streamPlaylist({ kind: 'event', walk: () => this.records(prefix, { startMs, signal }), urls: this.#o.urls, settle, signal });
  }

  /**
   * The live sliding window (small: the newest `windowSize` segments of the look back).
   *
   * @param prefix - the camera prefix
   * @param lookbackMs - how far back to read
   * @param windowSize - segments in the playlist @defaultValue 6
   * @returns the playlist text and its TARGETDURATION
   */
  async livePlaylist(prefix: string, lookbackMs: number, windowSize = DEFAULT_LIVE_WINDOW): Promise<{ text: string; targetSeconds: number }> {
    const nowMs = this.#now();
    const from = Math.max(0, nowMs - lookbackMs);
    const graceMs = this.#o.liveGraceMs ?? DEFAULT_LIVE_GRACE_MS;
    // A segment stored after the window may have gone past its place stays out (late-records.ts):
    // it would move the window back once stored.
    const records = withoutLateRecords(await collectRecords(this.#source(prefix, { startMs: from })), graceMs);
    // Cut at a hole that may still be filled: otherwise the window would start after it now and
    // before it once the late segment is stored (MEDIA-SEQUENCE going back, RFC 8216 §6.2.1/§6.2.2).
    const settled = settledRecords(records, { nowMs, graceMs, runStartsSettle: true, listedFromMs: from });
    const w = selectLiveWindow(settled, windowSize);
    // §6.2.1: TARGETDURATION must not change between reloads: computed over the whole look back
    // (without late segments, which never enter the window).
    const targetSeconds = targetDurationSeconds(records);
    const text = renderMediaPlaylist({
      kind: 'live',
      records: w.records,
      uris: await this.#o.urls.urls(w.records.map((r) => r.key)),
      mediaSequence: w.mediaSequence,
      discontinuitySequence: w.discontinuitySequence,
      targetDurationSeconds: targetSeconds,
    });
    return { text, targetSeconds };
  }

  /**
   * An MP4 clip of a range (exportClip over the service's records). Errors about the range
   * (too long, empty, unplayable) are thrown by the first `next()`, before any byte.
   *
   * @param prefix - the camera prefix
   * @param r - see {@link ClipRequest}
   * @returns MP4 chunks
   * @throws ExportRangeError for a bad, too long or empty range
   */
  async *clip(prefix: string, r: ClipRequest): AsyncGenerator<Uint8Array> {
    if (!(r.endMs > r.startMs)) throw new ExportRangeError('end must be after start');
    if (r.endMs - r.startMs > r.maxRangeMs) throw new ExportRangeError(`range is ${Math.round((r.endMs - r.startMs) / 1000)} s; the longest export is ${r.maxRangeMs / 1000} s`);
    const records = await collectRecords(this.#source(prefix, { startMs: r.startMs, endMs: r.endMs, signal: r.signal }));
    yield* exportClip({
      client: this.#o.client,
      bucket: this.#o.bucket,
      prefix,
      startMs: r.startMs,
      endMs: r.endMs,
      maxRangeMs: r.maxRangeMs,
      records,
      onGap: r.onGap,
      onProgress: r.onProgress,
      signal: r.signal,
    });
  }

  /**
   * Whether anything at all is stored under a prefix (one LIST of one key).
   *
   * @param prefix - the camera prefix
   * @returns true when at least one object exists under `prefix/`
   */
  async hasObjects(prefix: string): Promise<boolean> {
    const r = await this.#o.client.send(new ListObjectsV2Command({ Bucket: this.#o.bucket, Prefix: `${validatePrefix(prefix)}/`, MaxKeys: 1 }));
    return (r.KeyCount ?? r.Contents?.length ?? 0) > 0;
  }
}
