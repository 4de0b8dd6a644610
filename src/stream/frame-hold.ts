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
import { ByteCopier } from '../pool/byte-copier.js';

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
  // Frame records are reused (never truncated or replaced): a new object per held frame, or an
  // array emptied by `length = 0` (which frees its storage), would allocate per frame.
  readonly #frames: HeldFrame[] = [];
  readonly #payload = new ChunkList();
  #bytes: Uint8Array | undefined;
  #copier: ByteCopier | undefined;
  #count = 0; // records in use
  #head = 0; // index of the oldest frame not yet taken
  #used = 0;

  /** @param capacity - bytes the held frames may take at once */
  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Frames held. */
  get count(): number {
    return this.#count - this.#head;
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
    return this.#frames[this.#count - 1];
  }

  /**
   * Copies bytes `[from, to)` of `payload` in as a new frame.
   * @returns false (nothing held) when the buffer has no room for it
   */
  add(payload: ChunkList, from: number, to: number, pts: number, dts: number, idr: boolean): boolean {
    const size = to - from;
    if (this.#used + size > this.capacity) return false;
    if (this.#copier === undefined) {
      this.#bytes = new Uint8Array(this.capacity);
      this.#copier = new ByteCopier(this.#bytes);
    }
    const start = this.#used;
    copyChunks(payload, from, to, this.#copier, start);
    this.#used += size;
    const f = this.#count < this.#frames.length ? this.#frames[this.#count] : undefined;
    if (f === undefined) {
      this.#frames.push({ pts, dts, idr, start, end: start + size });
    } else {
      f.pts = pts;
      f.dts = dts;
      f.idr = idr;
      f.start = start;
      f.end = start + size;
    }
    this.#count++;
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
    if (this.#head === this.#count) this.clear();
    return p;
  }

  /** Forgets every frame. */
  clear(): void {
    this.#count = 0;
    this.#head = 0;
    this.#used = 0;
  }
}
