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
 *
 * Day indexes (day-index.ts) follow the same rule one level up: once a day is closed (camera time
 * or, at close(), the server clock) and none of its hours is waiting for its index, the day's
 * index is written from the hour indexes (day-rollup.ts), and rewritten when one of its hours is.
 * A process that starts on a new day also rolls up the day before when it has no index yet (a
 * camera recording 9 to 17 by runs that end each evening would otherwise never get one).
 */
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_INDEX_SETTLE_MS } from '../playback/record-source.js';
import { DAY_MS, dayIndexKey, dayStartOf } from './day-index.js';
import { writeDayIndex } from './day-rollup.js';
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
  /** A write failed (it is retried at the next trigger); one sentence, no secrets, and the camera prefix. */
  readonly onError?: ((message: string, prefix: string) => void) | undefined;
  /** An index was written (`segments`: of an hour index; hours with segments for a day index). */
  readonly onWritten?: ((key: string, segments: number) => void) | undefined;
  /** Write day indexes too (day-index.ts). @defaultValue true */
  readonly dayIndex?: boolean | undefined;
}

interface HourState {
  /** Set when a segment landed since the last write began. */
  dirty: boolean;
  /** The write in flight. */
  writing: Promise<void> | undefined;
}

interface DayState extends HourState {
  /** Only write when the day has no index yet (the day before a process's first day). */
  onlyIfMissing: boolean;
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
  /** prefix → day start → day index state (days that may need their index written). */
  readonly #days = new Map<string, Map<number, DayState>>();
  /** The server clock at the last close(): days it has passed are closed too. */
  #closedAt = 0;
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
    this.#noteDay(at.prefix, dayStartOf(at.hourStartMs));
    for (const [hour, s] of hours) if (s.dirty && hour + HOUR_MS + this.#settleMs <= latest) this.#write(at.prefix, hour, s);
    this.#rollDays(at.prefix);
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
    this.#closedAt = Math.max(this.#closedAt, now);
    for (const [prefix, hours] of this.#hours) {
      for (const [hour, s] of hours) if (s.dirty && hour + HOUR_MS + this.#settleMs <= now) this.#write(prefix, hour, s);
    }
    for (const prefix of this.#days.keys()) this.#rollDays(prefix);
    // A finished hour write may start its day's write: wait until nothing is in flight.
    for (;;) {
      const flights: Promise<void>[] = [];
      for (const states of [...this.#hours.values(), ...this.#days.values()]) for (const s of states.values()) if (s.writing) flights.push(s.writing);
      if (flights.length === 0) return;
      await Promise.all(flights);
    }
  }

  /** A segment of `day` was stored: the day is a candidate, and the day before if new to this process. */
  #noteDay(prefix: string, day: number): void {
    if (this.#o.dayIndex === false) return;
    let days = this.#days.get(prefix);
    if (!days) this.#days.set(prefix, (days = new Map<number, DayState>()));
    const state = days.get(day);
    if (state) {
      state.dirty = true;
      state.onlyIfMissing = false;
      return;
    }
    days.set(day, { dirty: true, writing: undefined, onlyIfMissing: false });
    if (!days.has(day - DAY_MS)) days.set(day - DAY_MS, { dirty: true, writing: undefined, onlyIfMissing: true });
  }

  /** Writes the index of every candidate day that closed and has no hour waiting for its index. */
  #rollDays(prefix: string): void {
    const days = this.#days.get(prefix);
    if (!days) return;
    const closedBefore = Math.max(this.#latest.get(prefix) ?? 0, this.#closedAt);
    const hours = this.#hours.get(prefix);
    for (const [day, s] of days) {
      if (!s.dirty || s.writing || day + DAY_MS + this.#settleMs > closedBefore) continue;
      let waiting = false;
      for (const [hour, h] of hours ?? []) if (hour >= day && hour < day + DAY_MS && (h.dirty || h.writing)) waiting = true;
      if (!waiting) this.#writeDay(prefix, day, s);
    }
  }

  #writeDay(prefix: string, day: number, s: DayState): void {
    s.dirty = false;
    s.writing = this.#writeDayOnce(prefix, day, s.onlyIfMissing).then(
      () => {
        s.writing = undefined;
        if (s.dirty) this.#rollDays(prefix);
        else this.#days.get(prefix)?.delete(day); // a later segment of that day adds it again
      },
      (e: unknown) => {
        s.writing = undefined;
        s.dirty = true; // retried at the next trigger
        this.#o.onError?.(`day index ${dayIndexKey(prefix, day)}: ${(e as Error).name}: ${(e as Error).message}`, prefix);
      },
    );
  }

  async #writeDayOnce(prefix: string, day: number, onlyIfMissing: boolean): Promise<void> {
    if (onlyIfMissing) {
      try {
        await this.#o.client.send(new HeadObjectCommand({ Bucket: this.#o.bucket, Key: dayIndexKey(prefix, day) }));
        return; // written by an earlier run
      } catch (e) {
        const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (err.name !== 'NotFound' && err.name !== 'NoSuchKey' && err.$metadata?.httpStatusCode !== 404) throw e;
      }
      // A day with no footage at all (the camera's first run) needs no index: readers find that with one LIST.
      const folder = `${prefix}/${hourFolderOf(day).slice(0, 10)}/`;
      const page = await this.#o.client.send(new ListObjectsV2Command({ Bucket: this.#o.bucket, Prefix: folder, MaxKeys: 1 }));
      if ((page.Contents ?? []).length === 0) return;
    }
    const done = await writeDayIndex({ client: this.#o.client, bucket: this.#o.bucket, prefix, dayMs: day, tagging: this.#tagging(prefix), nowMs: this.#now() });
    this.#written++;
    this.#o.onWritten?.(done.key, done.hours);
  }

  #tagging(prefix: string): string | undefined {
    return this.#o.taggingFor?.(prefix) ?? this.#o.tagging;
  }

  #write(prefix: string, hour: number, s: HourState): void {
    if (s.writing) return; // runs again after this write if a segment landed meanwhile (dirty)
    s.dirty = false;
    s.writing = this.#writeOnce(prefix, hour).then(
      () => {
        s.writing = undefined;
        if (s.dirty) this.#write(prefix, hour, s);
        else this.#hours.get(prefix)?.delete(hour);
        // The hour's index changed: its day's index must follow (once the day closed).
        const day = this.#days.get(prefix)?.get(dayStartOf(hour));
        if (day) day.dirty = true;
        this.#rollDays(prefix);
      },
      (e: unknown) => {
        s.writing = undefined;
        s.dirty = true; // retried at the next trigger (next segment, or close())
        this.#o.onError?.(`hour index ${prefix}/${hourFolderOf(hour)}: ${(e as Error).name}: ${(e as Error).message}`, prefix);
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
        ...((tagging) => (tagging ? { Tagging: tagging } : {}))(this.#tagging(prefix)),
      }),
    );
    this.#written++;
    this.#o.onWritten?.(key, index.segments.length);
  }
}
