/**
 * The disk spool: a directory of self-checking segment files (format in ./spool-file.ts), a byte
 * quota with a drop policy, and recovery of what an earlier run left behind.
 *
 * Atomicity (docs/spool.md): a file is written as `<name>.tmp`, fsync'd, renamed to `<name>.seg`,
 * and the directory fsync'd, so after a crash or power cut a `.seg` file is either complete or
 * absent; a leftover `.tmp` is an interrupted write and is deleted on open, never taken for a
 * segment. Every `.seg` is verified (size, header, CRC-32) on open and again on read; a file that
 * fails is reported and moved to `<directory>/damaged/`, never returned.
 *
 * One DiskSpool per directory: `open` takes the directory's lock (./spool-lock.ts), so a second
 * process (or a second DiskSpool in this one) is refused with a message naming the holder.
 * Only regular files are ever opened: a FIFO, socket, device or symlink named like a spool file is
 * skipped and reported (opening a FIFO for reading blocks until a writer appears).
 */
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Segment } from '../types.js';
import { decodeSpoolFile, encodeSpoolPrefix, encodeSpoolTrailer, segmentInfo, type SpoolHeader } from './spool-file.js';
import { SpoolError, SpoolErrorCode, type DamagedReport, type DamageReason, type SpoolDropReason } from './spool-errors.js';
import { fileKind, readRegularFile, TMP_SUFFIX, writeFileAtomic, type NotRegularFile } from './spool-fs.js';
import { acquireSpoolLock, LOCK_FILE, type SpoolLock } from './spool-lock.js';
import type { SpoolEntry, SpoolOptions, SpoolPolicy, SpoolStats, SpoolWriteOptions } from './disk-spool-options.js';

export type { SpoolEntry, SpoolOptions, SpoolPolicy, SpoolStats, SpoolWriteOptions } from './disk-spool-options.js';

interface Record_ {
  readonly entry: SpoolEntry;
  checkedOut: boolean;
}

const SEG_NAME = /^(\d{13})-(\d{10})\.seg$/;
const MAX_REPORTS = 100;

/** A directory of spooled segments with a quota. See the file comment. */
export class DiskSpool {
  /** The spool directory. */
  readonly directory: string;
  /** Where damaged files are moved. */
  readonly damagedDirectory: string;
  readonly #quota: number;
  readonly #policy: SpoolPolicy;
  readonly #fsync: boolean;
  readonly #onDamaged: ((report: DamagedReport) => void) | undefined;
  readonly #now: () => number;
  /** Oldest first: by segment start time, then id. */
  readonly #order: Record_[] = [];
  readonly #byId = new Map<number, Record_>();
  readonly #writes = new Set<Promise<unknown>>();
  readonly #reports: DamagedReport[] = [];
  #nextId = 1;
  #bytes = 0;
  #reserved = 0;
  #closed = false;
  #lock: SpoolLock | undefined;
  #c = { recovered: 0, tempFilesRemoved: 0, written: 0, removed: 0, writeErrors: 0, droppedBytes: 0, damaged: 0, skippedNotRegular: 0 };
  readonly #dropped: Record<SpoolDropReason, number> = { 'quota-oldest': 0, 'quota-newest': 0, 'larger-than-quota': 0 };

  private constructor(options: SpoolOptions) {
    this.directory = options.directory;
    this.damagedDirectory = join(options.directory, 'damaged');
    this.#quota = options.quotaBytes;
    this.#policy = options.policy ?? 'drop-oldest';
    this.#fsync = options.fsync ?? true;
    this.#onDamaged = options.onDamaged;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Opens (creates) a spool directory: deletes interrupted writes, verifies every spool file,
   * moves damaged ones to `damaged/` (reported through `onDamaged`), and lists the rest oldest first.
   * Files beyond the quota are kept (the quota applies to new writes).
   *
   * @param options - see {@link SpoolOptions}
   * @returns the open spool
   * @throws TypeError / RangeError naming a bad option; the fs error when the directory cannot be created or read
   */
  static async open(options: SpoolOptions): Promise<DiskSpool> {
    if (options === null || typeof options !== 'object') throw new TypeError('DiskSpool options must be an object');
    if (typeof options.directory !== 'string' || options.directory === '')
      throw new TypeError(`options.directory must be a non-empty path, got ${JSON.stringify(options.directory)}`);
    if (!Number.isSafeInteger(options.quotaBytes) || options.quotaBytes < 1) throw new RangeError(`options.quotaBytes must be a positive integer, got ${options.quotaBytes}`);
    const policy = options.policy ?? 'drop-oldest';
    if (policy !== 'drop-oldest' && policy !== 'drop-newest') throw new TypeError(`options.policy must be 'drop-oldest' or 'drop-newest', got ${JSON.stringify(policy)}`);
    const spool = new DiskSpool(options);
    await mkdir(spool.damagedDirectory, { recursive: true });
    spool.#lock = options.lock ?? acquireSpoolLock(options.directory);
    try {
      await spool.#scan();
    } catch (e) {
      spool.#lock.release();
      throw e;
    }
    return spool;
  }

  async #scan(): Promise<void> {
    const names = (await readdir(this.directory)).sort();
    for (const name of names) {
      if (name.startsWith(LOCK_FILE)) continue; // the lock and its temp files (./spool-lock.ts)
      if (!name.endsWith(TMP_SUFFIX) && !name.endsWith('.seg')) continue;
      // lstat does not open the file: a FIFO must never be opened (a read would block forever).
      const kind = await fileKind(join(this.directory, name));
      if (kind !== 'file') {
        if (kind !== 'gone') this.#skipNotRegular(name, kind);
        continue;
      }
      if (name.endsWith(TMP_SUFFIX)) {
        // An interrupted write: never a segment, whatever its content.
        await unlink(join(this.directory, name)).catch(() => {});
        this.#c.tempFilesRemoved++;
        continue;
      }
      if (!name.endsWith('.seg')) continue;
      const m = SEG_NAME.exec(name);
      if (!m) {
        await this.#quarantine(name, 'bad-header', 'file name is not <startMs:13>-<id:10>.seg');
        continue;
      }
      const id = Number(m[2]);
      if (id >= this.#nextId) this.#nextId = id + 1;
      let bytes: Buffer;
      try {
        bytes = await readRegularFile(join(this.directory, name));
      } catch (e) {
        if ((e as NotRegularFile).notRegular !== undefined) this.#skipNotRegular(name, (e as NotRegularFile).notRegular);
        else await this.#quarantine(name, 'unreadable', `read failed: ${(e as Error).message}`);
        continue;
      }
      const decoded = decodeSpoolFile(bytes);
      if (!decoded.ok) {
        await this.#quarantine(name, decoded.reason, decoded.message);
        continue;
      }
      const h = decoded.header;
      this.#insert({ entry: { id, name, fileBytes: bytes.length, key: h.key, meta: h.meta, writtenAtMs: h.writtenAtMs, segment: h.segment }, checkedOut: false });
      this.#bytes += bytes.length;
      this.#c.recovered++;
    }
  }

  /**
   * Writes a segment to the spool atomically (temp file, fsync, rename, directory fsync). The
   * segment's `parts` must stay valid until the promise settles; then the caller may release it.
   * When it does not fit the quota, the policy decides (counted in `stats().dropped`).
   *
   * @param segment - the segment (its fields and `parts`; `release` is not called)
   * @param key - the object key it is to be stored under
   * @param meta - extra string metadata kept with it (e.g. prefix) @defaultValue {}
   * @param options - see {@link SpoolWriteOptions}
   * @returns the entry, or undefined when the segment was dropped by the quota policy
   * @throws SpoolError `SPOOL_WRITE_FAILED` (nothing is left on disk; the segment was not kept),
   *   TypeError after {@link close} or for a bad argument
   */
  async write(segment: Segment, key: string, meta: Readonly<Record<string, string>> = {}, options: SpoolWriteOptions = {}): Promise<SpoolEntry | undefined> {
    if (this.#closed) throw new TypeError('DiskSpool.write called after close()');
    if (typeof key !== 'string' || key === '') throw new TypeError(`key must be a non-empty string, got ${JSON.stringify(key)}`);
    const info = segmentInfo(segment);
    const writtenAtMs = this.#now();
    const header: SpoolHeader = { version: 1, key, meta: { ...meta }, writtenAtMs, segment: info };
    const prefix = encodeSpoolPrefix(header);
    const fileBytes = prefix.length + segment.byteLength + 4;
    if (!this.#makeRoom(fileBytes, segment.byteLength)) return undefined;
    // The CRC is taken now, from the bytes as they are: if they changed during the async write the
    // file would be detected as damaged, not silently wrong.
    const trailer = encodeSpoolTrailer(prefix, segment.parts);
    const id = this.#nextId++;
    const name = `${String(info.startTimeMs).padStart(13, '0')}-${String(id).padStart(10, '0')}.seg`;
    this.#reserved += fileBytes;
    const job = writeFileAtomic(this.directory, name, [prefix, ...segment.parts, trailer], fileBytes, this.#fsync);
    this.#writes.add(job);
    try {
      await job;
    } catch (e) {
      this.#c.writeErrors++;
      throw new SpoolError(SpoolErrorCode.WriteFailed, `writing spool file ${name} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      this.#writes.delete(job);
      this.#reserved -= fileBytes;
    }
    const entry: SpoolEntry = { id, name, fileBytes, key, meta: header.meta, writtenAtMs, segment: info };
    this.#insert({ entry, checkedOut: options.checkedOut ?? false });
    this.#bytes += fileBytes;
    this.#c.written++;
    return entry;
  }

  /** Applies the quota policy for a file of `fileBytes`; false when the new segment is dropped. */
  #makeRoom(fileBytes: number, segmentBytes: number): boolean {
    if (fileBytes > this.#quota) return this.#drop('larger-than-quota', segmentBytes);
    while (this.#bytes + this.#reserved + fileBytes > this.#quota) {
      const victim = this.#policy === 'drop-oldest' ? this.#order.find((r) => !r.checkedOut) : undefined;
      if (victim === undefined) return this.#drop('quota-newest', segmentBytes);
      this.#forget(victim);
      this.#drop('quota-oldest', victim.entry.segment.byteLength);
      // The entry is gone from the lists now; its file goes in the background (an unlink error only
      // leaves a file the next open would recover).
      void unlink(join(this.directory, victim.entry.name)).catch(() => {});
    }
    return true;
  }

  #drop(reason: SpoolDropReason, bytes: number): false {
    this.#dropped[reason]++;
    this.#c.droppedBytes += bytes;
    return false;
  }

  /**
   * Entries oldest first (segment start time, then write order).
   * @param streamId - only this stream's entries @defaultValue every stream
   * @returns a new array
   */
  pending(streamId?: string): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (const r of this.#order) if (streamId === undefined || r.entry.segment.streamId === streamId) out.push(r.entry);
    return out;
  }

  /**
   * The oldest entry that is not checked out.
   * @param streamId - only this stream's entries @defaultValue every stream
   * @returns the entry, or undefined
   */
  nextAvailable(streamId?: string): SpoolEntry | undefined {
    for (const r of this.#order) if (!r.checkedOut && (streamId === undefined || r.entry.segment.streamId === streamId)) return r.entry;
    return undefined;
  }

  /** True while the entry's file is in the spool (not removed, dropped or set aside). */
  has(entry: SpoolEntry): boolean {
    return this.#byId.get(entry.id)?.entry === entry;
  }

  /** Marks an entry as in use: the drop policy skips it. No-op when it is gone. */
  checkout(entry: SpoolEntry): void {
    const r = this.#byId.get(entry.id);
    if (r) r.checkedOut = true;
  }

  /** Makes an entry droppable again (e.g. an upload given back to the backlog). No-op when it is gone. */
  checkin(entry: SpoolEntry): void {
    const r = this.#byId.get(entry.id);
    if (r) r.checkedOut = false;
  }

  /**
   * Reads and verifies an entry's bytes, and checks it out. A file that fails verification is
   * moved to `damaged/`, reported, and never returned.
   *
   * @param entry - from {@link pending} or {@link write}
   * @returns the segment's bytes (exactly `entry.segment.byteLength`)
   * @throws SpoolError `SPOOL_DAMAGED` (set aside) or `SPOOL_ENTRY_GONE` (removed or dropped meanwhile)
   */
  async read(entry: SpoolEntry): Promise<Buffer> {
    if (!this.has(entry)) throw new SpoolError(SpoolErrorCode.Gone, `spool entry ${entry.name} is no longer in the spool`);
    this.checkout(entry);
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(join(this.directory, entry.name));
    } catch (e) {
      if (!this.has(entry)) throw new SpoolError(SpoolErrorCode.Gone, `spool entry ${entry.name} was removed while being read`, { cause: e });
      const report = await this.#setAside(entry, 'unreadable', `read failed: ${(e as Error).message}`);
      throw new SpoolError(SpoolErrorCode.Damaged, report.message, { cause: e });
    }
    const d = decodeSpoolFile(bytes);
    const mismatch = d.ok && (d.header.key !== entry.key || d.header.segment.sequence !== entry.segment.sequence || d.header.segment.streamId !== entry.segment.streamId);
    if (!d.ok || mismatch) {
      const report = await this.#setAside(entry, d.ok ? 'bad-header' : d.reason, d.ok ? 'header differs from what was written' : d.message);
      throw new SpoolError(SpoolErrorCode.Damaged, report.message);
    }
    return d.payload;
  }

  /**
   * Deletes an entry's file (after S3 acknowledged it). Idempotent.
   * @param entry - the entry
   */
  async remove(entry: SpoolEntry): Promise<void> {
    const r = this.#byId.get(entry.id);
    if (!r || r.entry !== entry) return;
    this.#forget(r);
    this.#c.removed++;
    await unlink(join(this.directory, entry.name)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  /** Counters; see {@link SpoolStats}. */
  stats(): SpoolStats {
    let checkedOut = 0;
    for (const r of this.#order) if (r.checkedOut) checkedOut++;
    return { ...this.#c, files: this.#order.length, bytes: this.#bytes, quotaBytes: this.#quota, checkedOut, dropped: { ...this.#dropped } };
  }

  /** The last (up to 100) damaged-file reports, oldest first. */
  damagedReports(): readonly DamagedReport[] {
    return [...this.#reports];
  }

  /** Refuses new writes, waits for the writes in progress and releases the directory's lock. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#writes]);
    this.#lock?.release();
  }

  /** A name that is not a regular file: reported and left alone (never opened, never moved). */
  #skipNotRegular(name: string, kind: string): void {
    this.#c.skippedNotRegular++;
    const report: DamagedReport = {
      file: name,
      movedTo: undefined,
      reason: 'not-regular-file',
      message: `spool file ${name}: is a ${kind}, not a regular file: skipped (not opened, not uploaded); remove it from ${this.directory}`,
    };
    this.#reports.push(report);
    if (this.#reports.length > MAX_REPORTS) this.#reports.shift();
    try {
      this.#onDamaged?.(report);
    } catch {
      // A reporting callback must not break recovery.
    }
  }

  #insert(r: Record_): void {
    const order = this.#order;
    const s = r.entry.segment.startTimeMs;
    let i = order.length;
    // New writes are almost always the newest: search from the end.
    while (i > 0) {
      const prev = order[i - 1].entry;
      if (prev.segment.startTimeMs < s || (prev.segment.startTimeMs === s && prev.id < r.entry.id)) break;
      i--;
    }
    order.splice(i, 0, r);
    this.#byId.set(r.entry.id, r);
  }

  #forget(r: Record_): void {
    this.#byId.delete(r.entry.id);
    const i = this.#order.indexOf(r);
    if (i >= 0) this.#order.splice(i, 1);
    this.#bytes -= r.entry.fileBytes;
  }

  async #setAside(entry: SpoolEntry, reason: DamageReason, message: string): Promise<DamagedReport> {
    const r = this.#byId.get(entry.id);
    if (r) this.#forget(r);
    return this.#quarantine(entry.name, reason, message);
  }

  async #quarantine(name: string, reason: DamageReason, message: string): Promise<DamagedReport> {
    let movedTo: string | undefined = join(this.damagedDirectory, name);
    try {
      await rename(join(this.directory, name), movedTo);
    } catch {
      movedTo = undefined;
    }
    const report: DamagedReport = { file: name, movedTo, reason, message: `spool file ${name}: ${message}` };
    this.#c.damaged++;
    this.#reports.push(report);
    if (this.#reports.length > MAX_REPORTS) this.#reports.shift();
    try {
      this.#onDamaged?.(report);
    } catch {
      // A reporting callback must not break recovery.
    }
    return report;
  }
}
