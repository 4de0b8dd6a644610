/**
 * Clip export: streams the stored MPEG-TS segments of a time range as one fragmented MP4
 * (ftyp+moov once, then moof+mdat per segment), segment by segment so memory stays constant.
 *
 * Transmuxing is mux.js's `mp4.Transmuxer` (one per segment, keepOriginalTimestamps) — it already
 * writes avcC/esds and handles B-frame composition offsets; this module only keeps the first init
 * segment and rewrites each fragment's `tfdt` so the clip's timeline is continuous across gaps.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import muxjs from 'mux.js';
import { listSegments } from '../playlist/segment-index.js';
import type { SegmentRecord } from '../playlist/segment-records.js';
import { clearInitDurations, rewriteDecodeTimes, trackEnds, trackTimescales } from './fmp4-boxes.js';
import { SegmentPrefetcher } from './segment-prefetch.js';

/** A gap skipped in the clip. */
export interface SkippedGap {
  /** Wall-clock end of the segment before the gap, ms since the epoch. */
  readonly fromMs: number;
  /** Wall-clock start of the segment after it. */
  readonly toMs: number;
}

/** Options for {@link exportClip}. */
export interface ExportClipOptions {
  /** The S3 client that reads them. */
  readonly client: S3Client;
  /** The bucket holding the segments. */
  readonly bucket: string;
  /** Camera prefix, validated by the caller. */
  readonly prefix: string;
  /** Requested start, ms since the epoch; the clip begins at the segment (keyframe) covering it. */
  readonly startMs: number;
  /** Requested end (exclusive); the clip ends with the segment covering it. */
  readonly endMs: number;
  /** Longest range accepted. @defaultValue 6 hours */
  readonly maxRangeMs?: number | undefined;
  /**
   * The range's records, when the caller already has them (the playback service reads them from
   * the hour index or a LIST); listed here otherwise.
   */
  readonly records?: readonly SegmentRecord[] | undefined;
  /** Called once per segment written. */
  readonly onProgress?: ((done: number, total: number, bytes: number) => void) | undefined;
  /** Called for each gap skipped. */
  readonly onGap?: ((gap: SkippedGap) => void) | undefined;
  /** Stops the export (the iterator ends with an AbortError). */
  readonly signal?: AbortSignal | undefined;
}

/** Default longest export range: 6 hours. */
export const DEFAULT_MAX_EXPORT_RANGE_MS = 6 * 3_600_000;

/** Thrown when a range is empty or too long (the HTTP route answers 400 with the message). */
export class ExportRangeError extends RangeError {
  /** `ExportRangeError`. */
  override readonly name = 'ExportRangeError';
}

interface MuxOut {
  init: Uint8Array | undefined;
  frags: Uint8Array[];
}

/** The part of mux.js (untyped, types/mux.js.d.ts) this module uses. */
interface MuxJsTransmuxer {
  on(event: 'data', listener: (seg: { initSegment: Uint8Array; data: Uint8Array }) => void): void;
  push(bytes: Uint8Array): void;
  flush(): void;
}
interface MuxJs {
  mp4: { Transmuxer: new (options: { keepOriginalTimestamps: boolean; remux: boolean }) => MuxJsTransmuxer };
}

function transmux(ts: Uint8Array): MuxOut {
  const tm = new (muxjs as MuxJs).mp4.Transmuxer({ keepOriginalTimestamps: true, remux: true });
  const out: MuxOut = { init: undefined, frags: [] };
  tm.on('data', (seg: { initSegment: Uint8Array; data: Uint8Array }) => {
    out.init ??= seg.initSegment;
    out.frags.push(seg.data);
  });
  tm.push(ts);
  tm.flush();
  return out;
}

/** Sets `offsets` so the fragment's tracks continue from `ends` (or start the clip at 0). */
function anchor(frag: Uint8Array, scales: Map<number, number>, offsets: Map<number, number>, ends: Map<number, number>): void {
  const firsts = new Map<number, number>();
  rewriteDecodeTimes(frag, (id, t) => {
    if (!firsts.has(id)) firsts.set(id, t);
    return t;
  });
  let minSec = Infinity;
  for (const [id, t] of firsts) minSec = Math.min(minSec, t / (scales.get(id) ?? 90_000));
  for (const [id, t] of firsts) {
    const end = ends.get(id);
    offsets.set(id, end !== undefined ? t - end : Math.round(minSec * (scales.get(id) ?? 90_000)));
  }
}

/**
 * Streams a clip as fMP4 chunks. Lists the range, then transmuxes one segment at a time while the
 * next one downloads (memory: two stored segments and one segment's MP4, whatever the length).
 *
 * @param o - see {@link ExportClipOptions}
 * @returns an async iterable of MP4 byte chunks (init segment first)
 * @throws ExportRangeError when the range is invalid, too long, or holds no segments
 */
export async function* exportClip(o: ExportClipOptions): AsyncGenerator<Uint8Array> {
  const max = o.maxRangeMs ?? DEFAULT_MAX_EXPORT_RANGE_MS;
  if (!(o.endMs > o.startMs)) throw new ExportRangeError('end must be after start');
  if (o.endMs - o.startMs > max) throw new ExportRangeError(`range is ${Math.round((o.endMs - o.startMs) / 1000)} s; the longest export is ${max / 1000} s`);
  const records = o.records ?? (await listSegments({ client: o.client, bucket: o.bucket, prefix: o.prefix, startMs: o.startMs, endMs: o.endMs, signal: o.signal })).records;
  if (records.length === 0) throw new ExportRangeError('no recording in the requested range');
  let scales: Map<number, number> | undefined;
  // Per-track offset (stored ticks - output ticks). Set at the first segment from one shared
  // offset (keeps the recorded A/V alignment) and, after a gap or discontinuity, per track so each
  // continues exactly where it ended (A/V alignment then holds to within one frame).
  const offsets = new Map<number, number>();
  const ends = new Map<number, number>();
  let prev: SegmentRecord | undefined;
  let bytes = 0;
  const reader = new SegmentPrefetcher(
    o,
    records.map((r) => r.key),
  );
  try {
    for (const [i, rec] of records.entries()) {
      const ts = await reader.take();
      const mux = ts ? transmux(ts) : undefined;
      if (!mux?.init || mux.frags.length === 0) {
        prev = rec; // unreadable segment: skipped, next one re-anchors the timeline
        continue;
      }
      if (!scales) {
        scales = trackTimescales(mux.init);
        clearInitDurations(mux.init);
        yield mux.init;
        bytes += mux.init.length;
      }
      const gap = prev !== undefined && rec.startTimeMs - (prev.startTimeMs + prev.durationMs) > 500;
      if (gap) o.onGap?.({ fromMs: prev!.startTimeMs + prev!.durationMs, toMs: rec.startTimeMs });
      if (offsets.size === 0 || rec.discontinuity || gap) anchor(mux.frags[0], scales, offsets, ends);
      for (const frag of mux.frags) {
        rewriteDecodeTimes(frag, (id, t) => t - (offsets.get(id) ?? 0));
        for (const [id, end] of trackEnds(frag)) ends.set(id, end);
        yield frag;
        bytes += frag.length;
      }
      prev = rec;
      o.onProgress?.(i + 1, records.length, bytes);
    }
  } finally {
    reader.close();
  }
  if (!scales) throw new ExportRangeError('no playable segment in the requested range');
}
