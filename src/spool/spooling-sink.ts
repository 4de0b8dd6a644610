/**
 * SpoolingSink: a {@link SegmentSink} between a stream and the uploader's sink that keeps the pool
 * from filling during an outage by moving unacknowledged segments to a {@link DiskSpool}.
 *
 * Lanes (docs/spool.md has the whole story):
 * - Live: segments from the stream, in the pool. At most `maxForwarded` are handed to the inner sink
 *   at once (zero copy: the inner sink gets the pool views); the rest wait here, still in the pool.
 * - Spool writes: a segment not acknowledged `spoolAfterMs` after it arrived (0: at once, write-ahead)
 *   or while the pool bytes held here exceed `highWaterBytes` is written to the spool.
 * - Pool release: a segment on disk and unacknowledged for `releaseAfterMs` (or under high water)
 *   gives its pool space back, oldest first. A waiting one becomes backlog (disk only). A forwarded
 *   one cannot be taken back from the inner sink, so it is detached: its bytes are copied to the heap
 *   (at most `maxForwarded` segments) and the inner sink's later attempts read that copy. This is what
 *   lets the pool move on: it reuses space only from its oldest segment, so one stuck upload at the
 *   tail would otherwise block it. The pool space itself goes back only when the inner sink says no
 *   attempt still reads the pool views ({@link IdleAwareSink.whenIdle}): a PUT in flight at the
 *   moment of the copy keeps reading them until it settles, and if the pool reused them meanwhile a
 *   server that does not verify checksums would store the damaged bytes with a 200.
 * - Backlog: spooled segments of this stream (this run's, or an earlier run's found on open) are read
 *   back, verified, and handed to the inner sink oldest first, at most `backlogInFlight` at once, so
 *   live segments keep flowing while the backlog drains. Their release() deletes the file.
 */
import { keyOfSegment } from '../keys/object-keys.js';
import type { Segment, SegmentSink } from '../types.js';
import type { SpoolEntry } from './disk-spool.js';
import { segmentInfo } from './spool-file.js';
import { resolveSpoolingOptions, type Held, type ResolvedSpoolingOptions, type SpoolingSinkOptions, type SpoolingSinkStats } from './spooling-sink-options.js';

export type { IdleAwareSink, SpoolOrder, SpoolingSinkOptions, SpoolingSinkStats } from './spooling-sink-options.js';

/** See the file comment. */
export class SpoolingSink implements SegmentSink {
  /** The stream id. */
  readonly streamId: string;
  readonly #o: ResolvedSpoolingOptions;
  readonly #held: Held[] = [];
  readonly #timer: NodeJS.Timeout;
  #backlogOut = 0;
  #reading = false;
  #backlogPausedUntilMs = 0;
  #ended = false;
  #innerEnded = false;
  #closed = false;
  #c = { spooled: 0, detached: 0, detachWaitedForAttempt: 0, movedToBacklog: 0, acknowledged: 0 };

  /**
   * @param options - see {@link SpoolingSinkOptions}
   * @throws TypeError / RangeError naming a bad option and its value
   */
  constructor(options: SpoolingSinkOptions) {
    this.#o = resolveSpoolingOptions(options);
    this.streamId = this.#o.streamId;
    this.#timer = setInterval(() => this.#tick(), this.#o.checkIntervalMs);
    this.#timer.unref();
    // Backlog left by an earlier run starts flowing at once.
    queueMicrotask(() => this.#tick());
  }

  /**
   * Takes a live segment from the stream (synchronously; the work happens in the background).
   * @param segment - a segment of this sink's stream
   * @throws TypeError after {@link close} or for another stream's segment
   */
  onSegment(segment: Segment): void {
    if (this.#closed) throw new TypeError(`segment ${segment.sequence} of ${this.streamId} handed to a closed SpoolingSink`);
    if (segment.streamId !== this.streamId) throw new TypeError(`SpoolingSink of ${JSON.stringify(this.streamId)} got a segment of ${JSON.stringify(segment.streamId)}`);
    this.#held.push({
      seg: segment,
      info: segmentInfo(segment),
      arrivedMs: this.#o.now(),
      entry: undefined,
      writing: undefined,
      noSpoolBeforeMs: 0,
      forwarded: false,
      wrapper: undefined,
      copy: undefined,
      poolReleased: false,
      acked: false,
    });
    this.#tick();
  }

  /** The stream ended: the inner sink's onEnd is called once everything of this stream was handed over and acknowledged. */
  onEnd(): void {
    this.#ended = true;
    this.#tick();
  }

  /** Counters; see {@link SpoolingSinkStats}. */
  stats(): SpoolingSinkStats {
    let poolBytes = 0;
    let forwardedLive = 0;
    for (const h of this.#held) {
      if (!h.poolReleased) poolBytes += h.info.byteLength;
      if (h.forwarded) forwardedLive++;
    }
    let backlogSegments = 0;
    let backlogBytes = 0;
    const live = new Set<SpoolEntry>();
    for (const h of this.#held) if (h.entry !== undefined) live.add(h.entry);
    for (const e of this.#o.spool.pending(this.streamId)) {
      if (live.has(e)) continue;
      backlogSegments++;
      backlogBytes += e.fileBytes;
    }
    return { ...this.#c, held: this.#held.length, poolBytes, forwardedLive, forwardedBacklog: this.#backlogOut, backlogSegments, backlogBytes };
  }

  /**
   * Shutdown: stops the timer and the backlog, and writes every live segment not yet acknowledged
   * and not yet on disk to the spool, so the next run uploads it. Nothing is released (the process
   * is going away). Call it after the uploader's `drain` (which uploads what it can in time).
   *
   * @returns how many held segments are on disk now, and how many could not be written (quota, disk errors)
   */
  async close(): Promise<{ readonly onDisk: number; readonly notSpooled: number; readonly onDiskSequences: readonly number[] }> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const h of this.#held) if (!h.acked && h.entry === undefined && h.writing === undefined) this.#write(h);
    await Promise.allSettled(this.#held.flatMap((h) => h.writing ?? []));
    // The live segments left on disk for the next run, by sequence (their terminal state is spooled).
    const onDiskSequences = this.#held.filter((h) => !h.acked && h.entry !== undefined).map((h) => h.seg.sequence);
    return { onDisk: onDiskSequences.length, notSpooled: this.#held.filter((h) => !h.acked).length - onDiskSequences.length, onDiskSequences };
  }

  #tick(): void {
    if (this.#closed) return;
    const o = this.#o;
    const now = o.now();
    const held = this.#held;
    let poolBytes = 0;
    for (const h of held) if (!h.poolReleased) poolBytes += h.info.byteLength;
    const pressure = poolBytes > o.highWaterBytes;
    // 1. Spool writes, oldest first.
    for (const h of held) {
      if (h.acked || h.entry !== undefined || h.writing !== undefined || now < h.noSpoolBeforeMs) continue;
      if (pressure || now - h.arrivedMs >= o.spoolAfterMs) this.#write(h);
    }
    // 2. Forward live segments, oldest first, up to the window (oldest-first: after the backlog).
    let forwarded = 0;
    for (const h of held) if (h.forwarded) forwarded++;
    const backlogAhead = o.order === 'oldest-first' && (this.#backlogOut > 0 || this.#reading || this.#olderBacklog(held));
    for (const h of held) {
      if (backlogAhead) break;
      if (forwarded >= o.maxForwarded) break;
      if (h.forwarded) continue;
      if (!this.#forward(h)) break;
      forwarded++;
    }
    // 3. Give pool space back, oldest first, for segments safely on disk.
    for (let i = 0; i < held.length; i++) {
      const h = held[i];
      // h.copy set: detached already, its pool release waits for the attempt in flight.
      if (h.poolReleased || h.copy !== undefined || h.entry === undefined || h.acked) continue;
      if (!(poolBytes > o.highWaterBytes || now - h.arrivedMs >= o.releaseAfterMs)) continue;
      // Counted as given back now (a detached one is, as soon as its attempt settles).
      poolBytes -= h.info.byteLength;
      if (h.forwarded) {
        this.#detach(h);
      } else {
        // Disk only from now on: the backlog lane uploads it.
        held.splice(i--, 1);
        o.spool.checkin(h.entry);
        h.poolReleased = true;
        h.seg.release();
        this.#c.movedToBacklog++;
      }
    }
    // 4. Backlog.
    this.#feedBacklog();
    if (this.#ended && !this.#innerEnded && held.length === 0 && this.#backlogOut === 0 && !this.#reading && o.spool.nextAvailable(this.streamId) === undefined) {
      this.#innerEnded = true;
      o.inner.onEnd?.(this.streamId);
    }
  }

  #write(h: Held): void {
    const o = this.#o;
    const key = keyOfSegment(o.prefix, h.info, o.layout);
    h.writing = o.spool
      .write(h.seg, key, { prefix: o.prefix, layout: o.layout }, { checkedOut: true })
      .then(
        (entry) => {
          if (entry === undefined) h.noSpoolBeforeMs = Infinity; // dropped by the quota policy (counted by the spool)
          h.entry = entry;
          if (entry !== undefined) {
            this.#c.spooled++;
            try {
              o.onSpooled?.(entry);
            } catch (e) {
              this.#report(e);
            }
          }
        },
        (err: unknown) => {
          h.noSpoolBeforeMs = o.now() + o.releaseAfterMs;
          this.#report(err);
        },
      )
      .finally(() => {
        h.writing = undefined;
        if (h.acked) this.#finishAck(h);
        else this.#tick();
      });
  }

  #forward(h: Held): boolean {
    const wrapper: Segment = {
      ...h.info,
      get parts() {
        return h.copy !== undefined ? [h.copy] : h.seg.parts;
      },
      release: () => this.#acked(h),
    };
    h.forwarded = true;
    h.wrapper = wrapper;
    try {
      this.#o.inner.onSegment(wrapper);
      return true;
    } catch (e) {
      h.forwarded = false;
      h.wrapper = undefined;
      this.#report(e);
      return false;
    }
  }

  #detach(h: Held): void {
    // Copy first: from now on every attempt that starts reads the copy (the `parts` getter). Then
    // give the pool space back only once no attempt reads the pool views: a PUT in flight took
    // them when it started and its body may still be unsent (a slow uplink, a stalled socket). If
    // the pool reused the space meanwhile, S3 would reject the damaged body (BadDigest, the CRC32
    // was taken at hand-over) but s3rver, or checksum 'none', would store it with a 200.
    const copy = Buffer.allocUnsafe(h.info.byteLength);
    let at = 0;
    for (const p of h.seg.parts) {
      copy.set(p, at);
      at += p.byteLength;
    }
    h.copy = copy;
    this.#c.detached++;
    const inner = this.#o.inner;
    let settled = false;
    if (inner.whenIdle === undefined) {
      // Such a sink reads `parts` only synchronously (see IdleAwareSink): nothing holds the views.
      h.poolReleased = true;
      h.seg.release();
      return;
    }
    const release = (): void => {
      settled = true;
      // Acknowledged meanwhile: #finishAck released it already.
      if (h.poolReleased) return;
      h.poolReleased = true;
      h.seg.release();
      this.#tick();
    };
    let idle: Promise<void>;
    try {
      idle = inner.whenIdle(h.wrapper!);
    } catch (e) {
      // A broken hook: keep the pool space until the acknowledgement (safe, only slower).
      this.#report(e);
      return;
    }
    void idle.then(release, (e: unknown) => this.#report(e));
    // whenIdle resolves at once when nothing is in flight; counted when it had to wait.
    queueMicrotask(() => {
      if (!settled) this.#c.detachWaitedForAttempt++;
    });
  }

  #acked(h: Held): void {
    if (h.acked) throw new Error(`segment ${h.info.sequence} of ${this.streamId} released twice`);
    h.acked = true;
    this.#c.acknowledged++;
    const i = this.#held.indexOf(h);
    if (i >= 0) this.#held.splice(i, 1);
    h.copy = undefined;
    if (h.writing === undefined) this.#finishAck(h);
    this.#tick();
  }

  /** After acknowledgement and any write in progress: pool space and spool file go. */
  #finishAck(h: Held): void {
    if (!h.poolReleased) {
      h.poolReleased = true;
      h.seg.release();
    }
    if (h.entry !== undefined) this.#o.spool.remove(h.entry).catch((e: unknown) => this.#report(e));
    this.#tick();
  }

  /** True when a backlog entry older than the oldest unforwarded live segment waits. */
  #olderBacklog(held: readonly Held[]): boolean {
    const next = this.#o.spool.nextAvailable(this.streamId);
    if (next === undefined) return false;
    const live = held.find((h) => !h.forwarded);
    return live === undefined || next.segment.startTimeMs <= live.info.startTimeMs;
  }

  #feedBacklog(): void {
    const o = this.#o;
    if (this.#reading || this.#backlogOut >= o.backlogInFlight || o.now() < this.#backlogPausedUntilMs) return;
    // live-first: the backlog goes only while no live segment waits to be forwarded.
    if (o.order === 'live-first' && this.#held.some((h) => !h.forwarded)) return;
    const entry = o.spool.nextAvailable(this.streamId);
    if (entry === undefined) return;
    this.#reading = true;
    this.#backlogOut++;
    o.spool.checkout(entry);
    o.spool
      .read(entry)
      .then(
        (bytes) => {
          let done = false;
          const seg: Segment = {
            ...entry.segment,
            // Stored under the key recorded when it was muxed, never today's prefix or clock.
            objectKey: entry.key,
            parts: [bytes],
            release: () => {
              if (done) throw new Error(`spooled segment ${entry.segment.sequence} of ${this.streamId} released twice`);
              done = true;
              this.#backlogOut--;
              this.#c.acknowledged++;
              o.spool
                .remove(entry)
                .catch((e: unknown) => this.#report(e))
                .finally(() => this.#tick());
            },
          };
          try {
            o.inner.onSegment(seg);
          } catch (e) {
            // The inner sink refused it (closed, ended): try again later, not in a tight loop.
            this.#backlogOut--;
            o.spool.checkin(entry);
            this.#backlogPausedUntilMs = o.now() + o.releaseAfterMs;
            this.#report(e);
          }
        },
        (err: unknown) => {
          // Damaged (already set aside and reported by the spool) or gone: skip it.
          this.#backlogOut--;
          this.#report(err);
        },
      )
      .finally(() => {
        this.#reading = false;
        this.#tick();
      });
  }

  #report(err: unknown): void {
    try {
      this.#o.onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // a reporting callback must not break the sink
    }
  }
}
