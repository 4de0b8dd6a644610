/**
 * Writes the hour index objects (hour-index.ts) from the uploader's side: it listens to the
 * Uploader's `uploaded` event (the extension point named in pipeline/camera-pipeline.ts), notes
 * which camera-hours received segments, and when an hour closes writes its index.
 *
 * The content comes from a LIST of the hour's folder, not from the events this process saw: after
 * a restart mid-hour, a second uploader, or a spool backlog draining, only what is stored is right
 * (two LIST pages per camera-hour: ~$0.007 per camera-month). An hour closes when the camera
 * uploads a segment starting `settleMs` after the hour's end (its camera time, so a file upload
 * indexes as it goes), or at {@link HourIndexWriter.close} for hours the server clock has passed.
 * A segment of an already indexed hour arriving later (a long retry, a backlog) marks the hour
 * again and the index is rewritten: an index never stays behind what it saw being stored.
 */
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_INDEX_SETTLE_MS } from '../playback/record-source.js';
import { buildHourIndex, HOUR_MS, hourFolderOf, hourIndexKey, segmentKeyHour, type ListedSegmentObject } from './hour-index.js';

/** What the writer needs of an uploader: its `uploaded` event. */
export interface UploadedSource {
  on(event: 'uploaded', listener: (e: { readonly key: string }) => void): () => void;
}

/** Options of {@link HourIndexWriter}. */
export interface HourIndexWriterOptions {
  /** A client for the bucket the segments go to. */
  readonly client: S3Client;
  /** The bucket the segments and index objects are in. */
  readonly bucket: string;
  /** How long after an hour's end it is indexed, ms (late uploads land first). @defaultValue 60000 */
  readonly settleMs?: number | undefined;
  /** `x-amz-tagging` value for index objects (give the segments' tags so retention treats both alike). */
  readonly tagging?: string | undefined;
  /** Per camera prefix, the `x-amz-tagging` value (wins over `tagging`; undefined falls back to it). */
  readonly taggingFor?: ((prefix: string) => string | undefined) | undefined;
  /** Server clock. @defaultValue Date.now */
  readonly nowMs?: (() => number) | undefined;
  /** A write failed (it is retried at the next trigger); one sentence, no secrets. */
  readonly onError?: ((message: string) => void) | undefined;
  /** An index was written. */
  readonly onWritten?: ((key: string, segments: number) => void) | undefined;
}

interface HourState {
  /** Set when a segment landed since the last write began. */
  dirty: boolean;
  /** The write in flight. */
  writing: Promise<void> | undefined;
}

/** Writes one index object per camera-hour when the hour closes. */
export class HourIndexWriter {
  readonly #o: HourIndexWriterOptions;
  readonly #settleMs: number;
  readonly #now: () => number;
  /** prefix → hour start → state. */
  readonly #hours = new Map<string, Map<number, HourState>>();
  /** prefix → latest segment start seen (camera time). */
  readonly #latest = new Map<string, number>();
  #written = 0;

  /**
   * @param options - see {@link HourIndexWriterOptions}
   * @throws RangeError for a negative or non-finite `settleMs`
   */
  constructor(options: HourIndexWriterOptions) {
    this.#o = options;
    this.#settleMs = options.settleMs ?? DEFAULT_INDEX_SETTLE_MS;
    if (!Number.isFinite(this.#settleMs) || this.#settleMs < 0) throw new RangeError(`settleMs must be a non-negative number of ms, got ${this.#settleMs}`);
    this.#now = options.nowMs ?? Date.now;
  }

  /** Index objects written so far. */
  get written(): number {
    return this.#written;
  }

  /**
   * Listens to an uploader's `uploaded` events.
   *
   * @param uploader - the Uploader (or anything with the same event)
   * @returns a function that stops listening
   */
  attach(uploader: UploadedSource): () => void {
    return uploader.on('uploaded', (e) => this.noteStored(e.key));
  }

  /**
   * Notes one stored segment; writes the indexes of hours this closes. Keys that are not timeline
   * segment keys (the reference layout) are ignored: that layout has no index.
   *
   * @param key - the object key just acknowledged
   */
  noteStored(key: string): void {
    const at = segmentKeyHour(key);
    if (!at) return;
    let hours = this.#hours.get(at.prefix);
    if (!hours) this.#hours.set(at.prefix, (hours = new Map<number, HourState>()));
    const state = hours.get(at.hourStartMs);
    if (state) state.dirty = true;
    else hours.set(at.hourStartMs, { dirty: true, writing: undefined });
    const start = Number(key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 14));
    const latest = Math.max(this.#latest.get(at.prefix) ?? 0, start);
    this.#latest.set(at.prefix, latest);
    for (const [hour, s] of hours) if (s.dirty && hour + HOUR_MS + this.#settleMs <= latest) this.#write(at.prefix, hour, s);
  }

  /**
   * Writes every pending hour the server clock has closed (ended `settleMs` ago) and waits for all
   * writes in flight. Hours still open stay without an index: readers LIST them, which is always
   * right, where an index written now would miss what a restarted camera adds later in that hour.
   *
   * @returns when every write settled (failures go to `onError`, never thrown)
   */
  async close(): Promise<void> {
    const now = this.#now();
    for (const [prefix, hours] of this.#hours) {
      for (const [hour, s] of hours) if (s.dirty && hour + HOUR_MS + this.#settleMs <= now) this.#write(prefix, hour, s);
    }
    const flights: Promise<void>[] = [];
    for (const hours of this.#hours.values()) for (const s of hours.values()) if (s.writing) flights.push(s.writing);
    await Promise.all(flights);
  }

  #write(prefix: string, hour: number, s: HourState): void {
    if (s.writing) return; // runs again after this write if a segment landed meanwhile (dirty)
    s.dirty = false;
    s.writing = this.#writeOnce(prefix, hour).then(
      () => {
        s.writing = undefined;
        if (s.dirty) this.#write(prefix, hour, s);
        else this.#hours.get(prefix)?.delete(hour);
      },
      (e: unknown) => {
        s.writing = undefined;
        s.dirty = true; // retried at the next trigger (next segment, or close())
        this.#o.onError?.(`hour index ${prefix}/${hourFolderOf(hour)}: ${(e as Error).name}: ${(e as Error).message}`);
      },
    );
  }

  async #writeOnce(prefix: string, hour: number): Promise<void> {
    const folder = `${prefix}/${hourFolderOf(hour)}/`;
    const keys: ListedSegmentObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.#o.client.send(new ListObjectsV2Command({ Bucket: this.#o.bucket, Prefix: folder, ...(token ? { ContinuationToken: token } : {}) }));
      // LastModified goes into the index: live and EVENT playlists leave out segments stored late.
      for (const c of page.Contents ?? []) if (c.Key !== undefined) keys.push({ key: c.Key, storedMs: c.LastModified?.getTime() });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const index = buildHourIndex(prefix, hour, keys, this.#now());
    const key = hourIndexKey(prefix, hour);
    await this.#o.client.send(
      new PutObjectCommand({
        Bucket: this.#o.bucket,
        Key: key,
        Body: Buffer.from(JSON.stringify(index)),
        ContentType: 'application/json',
        ...((tagging) => (tagging ? { Tagging: tagging } : {}))(this.#o.taggingFor?.(prefix) ?? this.#o.tagging),
      }),
    );
    this.#written++;
    this.#o.onWritten?.(key, index.segments.length);
  }
}
