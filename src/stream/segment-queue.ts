/**
 * A segment sink you can `for await` over: the async-iterator form of {@link SegmentSink}, for
 * programs that prefer pulling segments to receiving callbacks. Segments queue here unreleased (so
 * the pool applies backpressure through the stream's drop policy if the consumer is slow); the
 * consumer calls `segment.release()` when done with each.
 *
 * @example
 * ```ts
 * const queue = new SegmentQueue();
 * const stream = new HlsStream({ streamId: 'cam1', sink: queue });
 * for await (const segment of queue) {
 *   await writeSomewhere(segment.parts);
 *   segment.release();
 * }
 * ```
 */
import type { Segment, SegmentSink } from '../types.js';

/** A SegmentSink that is also an AsyncIterable of the segments, ending when the stream is finalized. */
export class SegmentQueue implements SegmentSink, AsyncIterable<Segment> {
  readonly #queued: Segment[] = [];
  #waiting: ((result: IteratorResult<Segment>) => void) | undefined;
  #ended = false;

  /** Segments handed in and not yet taken by the iterator. */
  get size(): number {
    return this.#queued.length;
  }

  /** @inheritDoc */
  onSegment(segment: Segment): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ value: segment, done: false });
    } else {
      this.#queued.push(segment);
    }
  }

  /** @inheritDoc */
  onEnd(): void {
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** Iterates the segments in order; ends after the stream's finalize() once all were taken. */
  [Symbol.asyncIterator](): AsyncIterator<Segment> {
    return {
      next: (): Promise<IteratorResult<Segment>> => {
        const next = this.#queued.shift();
        if (next !== undefined) return Promise.resolve({ value: next, done: false });
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        if (this.#waiting) return Promise.reject(new TypeError('SegmentQueue supports one consumer at a time'));
        return new Promise((resolve) => {
          this.#waiting = resolve;
        });
      },
    };
  }
}
