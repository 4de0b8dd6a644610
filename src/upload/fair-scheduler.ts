/**
 * Round-robin choice of the next segment to upload across streams: each stream has its own FIFO
 * (oldest sequence first) and the streams take turns, so one camera's backlog after an outage does
 * not delay the others by more than one turn each.
 */

/** What the scheduler needs from a queued item. */
export interface Schedulable {
  readonly streamId: string;
  readonly sequence: number;
  /** Not to be started before this time (ms, `performance.now()` clock: monotonic); 0 = now. */
  notBeforeMs: number;
}

interface StreamQueue<T> {
  readonly streamId: string;
  readonly items: T[];
}

/** Per-stream FIFOs served in turn. */
export class FairScheduler<T extends Schedulable> {
  private readonly queues: StreamQueue<T>[] = [];
  private readonly byId = new Map<string, StreamQueue<T>>();
  /** Index of the stream served last; the next turn starts after it (a stream added since then gets its turn first). */
  private last = -1;
  private count = 0;

  /** Items queued (not taken). */
  get size(): number {
    return this.count;
  }

  /**
   * Queues an item behind the items of its stream with a lower sequence number (a retried item
   * goes back before newer ones).
   */
  push(item: T): void {
    let q = this.byId.get(item.streamId);
    if (!q) {
      q = { streamId: item.streamId, items: [] };
      this.byId.set(item.streamId, q);
      this.queues.push(q);
    }
    const items = q.items;
    let i = items.length;
    while (i > 0 && items[i - 1].sequence > item.sequence) i--;
    items.splice(i, 0, item);
    this.count++;
  }

  /**
   * Takes the next ready item: the oldest ready item of the next stream in turn.
   * @param nowMs - current time
   * @returns the item, or undefined when none is ready
   */
  take(nowMs: number): T | undefined {
    const n = this.queues.length;
    for (let k = 0; k < n; k++) {
      const qi = (this.last + 1 + k) % n;
      const items = this.queues[qi].items;
      for (let i = 0; i < items.length; i++) {
        if (items[i].notBeforeMs <= nowMs) {
          const [item] = items.splice(i, 1);
          this.count--;
          this.last = qi;
          return item;
        }
      }
    }
    return undefined;
  }

  /** Earliest `notBeforeMs` among queued items, or undefined when empty. */
  nextReadyAtMs(): number | undefined {
    let min: number | undefined;
    for (const q of this.queues) for (const it of q.items) if (min === undefined || it.notBeforeMs < min) min = it.notBeforeMs;
    return min;
  }

  /** Every queued item (for reports). */
  *items(): IterableIterator<T> {
    for (const q of this.queues) yield* q.items;
  }

  /** Queued items of one stream. */
  sizeOf(streamId: string): number {
    return this.byId.get(streamId)?.items.length ?? 0;
  }

  /** Forgets a stream whose queue is empty (after its end), keeping the turn order of the others. */
  removeIfEmpty(streamId: string): void {
    const q = this.byId.get(streamId);
    if (!q || q.items.length > 0) return;
    const idx = this.queues.indexOf(q);
    this.queues.splice(idx, 1);
    this.byId.delete(streamId);
    if (this.last >= idx) this.last--;
  }
}
