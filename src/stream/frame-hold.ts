/**
 * Frames held back, copied, because the segment they belong to cannot be written yet:
 * - video at a segment cut while the audio of the segment before it is still arriving (audio is
 *   often delivered after the video of the same instant: encoders and demuxers bundle AAC frames);
 * - audio that arrives ahead of the video and may belong to the next segment.
 * The caller may reuse its buffers when put*Frame returns, so a held frame is copied here; it is
 * written into the pool (a second copy) once its segment is known. Only frames near a cut are held,
 * so this costs a few frames' bytes per segment. The buffer is allocated on first use, once.
 */
import { ChunkList, copyChunks } from '../mpegts/chunk-list.js';

/** One held frame. Times in 90 kHz ticks, the caller's clock. */
export interface HeldFrame {
  /** Presentation time. */
  pts: number;
  /** Decoding time (= pts for audio). */
  dts: number;
  /** Video: an IDR access unit. Audio: the first frame of its pack (packs are counted by their first frame). */
  idr: boolean;
  /** First byte in the hold's buffer. */
  start: number;
  /** One past the last byte. */
  end: number;
}

/** A FIFO of copied frames in one bounded buffer. */
export class FrameHold {
  /** Buffer size, bytes. */
  readonly capacity: number;
  readonly #frames: HeldFrame[] = [];
  readonly #payload = new ChunkList();
  #bytes: Uint8Array | undefined;
  #head = 0; // index of the oldest frame not yet taken
  #used = 0;

  /** @param capacity - bytes the held frames may take at once */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Frames held. */
  get count(): number {
    return this.#frames.length - this.#head;
  }

  /** The oldest held frame (count > 0). */
  get first(): HeldFrame {
    return this.#frames[this.#head];
  }

  /** The `n`-th oldest held frame (0 ≤ n < count). */
  at(n: number): HeldFrame {
    return this.#frames[this.#head + n];
  }

  /** The newest held frame (count > 0). */
  get last(): HeldFrame {
    return this.#frames[this.#frames.length - 1];
  }

  /**
   * Copies bytes `[from, to)` of `payload` in as a new frame.
   * @returns false (nothing held) when the buffer has no room for it
   */
  add(payload: ChunkList, from: number, to: number, pts: number, dts: number, idr: boolean): boolean {
    const size = to - from;
    if (this.#used + size > this.capacity) return false;
    this.#bytes ??= new Uint8Array(this.capacity);
    const start = this.#used;
    copyChunks(payload, from, to, this.#bytes, start);
    this.#used += size;
    this.#frames.push({ pts, dts, idr, start, end: start + size });
    return true;
  }

  /**
   * Takes the oldest `n` frames (contiguous in the buffer) as one payload.
   * @returns a ChunkList over the hold's buffer, valid until the next add()
   */
  take(n: number): ChunkList {
    const p = this.#payload;
    p.clear();
    const first = this.#frames[this.#head];
    const last = this.#frames[this.#head + n - 1];
    p.add(this.#bytes as Uint8Array, first.start, last.end);
    this.#head += n;
    if (this.#head === this.#frames.length) this.clear();
    return p;
  }

  /** Forgets every frame. */
  clear(): void {
    this.#frames.length = 0;
    this.#head = 0;
    this.#used = 0;
  }
}
