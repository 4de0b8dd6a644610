/**
 * The fixed-size memory pool: one allocation at start, used as a ring of 188-byte TS packets.
 *
 * The muxer writes packets at the head; a finished segment is a span of the ring (one part, or two
 * where it wraps) handed to a consumer as views, without copying; space comes back when the consumer
 * releases the segment. Releases may arrive in any order (an upload queue with concurrency 2 may
 * finish segment 8 before 7), but space is reused strictly from the tail: a released segment's bytes
 * are reused once it and every older segment are released. Nothing is ever overwritten: when the
 * pool is full, the caller drops (see HlsStream's drop policy).
 *
 * The capacity is rounded down to a multiple of 188 so a TS packet never straddles the wrap point:
 * every packet writer gets one contiguous 188-byte slot.
 */
/**
 * Slot size of the ring: one MPEG-TS packet. Declared here rather than imported from src/mpegts so the
 * pool does not depend on the muxer that depends on it (mpegts/packetizer uses pool/byte-copier);
 * test/pool checks it equals mpegts' TS_PACKET_SIZE.
 */
const TS_PACKET_SIZE = 188;

/** The reference C SDK's default pool size, and ours. */
export const DEFAULT_POOL_BYTES = 4 * 1024 * 1024;

/** Smallest pool we accept: a few packets are not enough for an IDR of any real stream. */
export const MIN_POOL_BYTES = 64 * TS_PACKET_SIZE;

/** A span of the pool that holds one finished segment. */
interface Span {
  start: number;
  length: number;
  released: boolean;
}

/** Counters of the pool, for stats(). */
export interface PoolStats {
  /** Usable bytes (the configured size rounded down to a multiple of 188). */
  readonly capacityBytes: number;
  /** Bytes held now: finished segments not yet released plus the open segment. */
  readonly usedBytes: number;
  /** The most bytes ever held at once. */
  readonly highWaterBytes: number;
  /** Finished segments not yet released. */
  readonly heldSegments: number;
}

/** A ring of TS packets with in-order space reuse and out-of-order release. */
export class SegmentPool {
  /** The pool's bytes; writers write packets at offsets returned by {@link nextPacket}. */
  readonly bytes: Uint8Array;
  /** Usable size in bytes, a multiple of 188. */
  readonly capacity: number;

  #head = 0; // where the next packet goes
  #used = 0; // bytes from the oldest held segment's start up to the head
  #openStart = 0; // start of the open (being written) segment
  // Bytes written into the open segment. Kept as a count, not derived from head - start: a segment
  // that fills the whole ring has head === start, which would read as empty.
  #openBytes = 0;
  #highWater = 0;
  // Held (finished, unreleased or released-but-not-yet-reclaimed) spans, oldest first. A plain array
  // used as a queue: shift() is amortized O(1) in V8 for small arrays and happens once per segment.
  readonly #spans: Span[] = [];

  /**
   * @param sizeBytes - pool size; rounded down to a multiple of 188
   * @throws RangeError when smaller than {@link MIN_POOL_BYTES}
   */
  constructor(sizeBytes: number = DEFAULT_POOL_BYTES) {
    if (!Number.isInteger(sizeBytes) || sizeBytes < MIN_POOL_BYTES) {
      throw new RangeError(`poolBytes must be an integer >= ${MIN_POOL_BYTES}, got ${sizeBytes}`);
    }
    this.capacity = sizeBytes - (sizeBytes % TS_PACKET_SIZE);
    this.bytes = new Uint8Array(this.capacity);
  }

  /** Bytes that can still be written before the pool is full. */
  get freeBytes(): number {
    return this.capacity - this.#used;
  }

  /** Bytes written so far into the open segment. */
  get openBytes(): number {
    return this.#openBytes;
  }

  /** True when `packets` more packets fit. */
  canWrite(packets: number): boolean {
    return packets * TS_PACKET_SIZE <= this.capacity - this.#used;
  }

  /**
   * Offset of the next 188-byte packet slot, advancing the head. The caller checked
   * {@link canWrite} for every packet it takes (this runs per TS packet: no check here).
   */
  nextPacket(): number {
    const at = this.#head;
    const next = at + TS_PACKET_SIZE;
    this.#head = next === this.capacity ? 0 : next;
    this.#used += TS_PACKET_SIZE;
    this.#openBytes += TS_PACKET_SIZE;
    if (this.#used > this.#highWater) this.#highWater = this.#used;
    return at;
  }

  /** Marks the head as the start of a new open segment (the previous one must be finished or empty). */
  beginSegment(): void {
    this.#openStart = this.#head;
    this.#openBytes = 0;
  }

  /** Offset in the pool where the open segment starts (its PAT; the PMT is the next packet). */
  get openStart(): number {
    return this.#openStart;
  }

  /**
   * Gives back everything written into the open segment after its first `openBytes` bytes (a value
   * read from {@link openBytes} earlier in the same segment). Used to drop a partly written GOP
   * without emitting half of it.
   */
  rollbackTo(openBytes: number): void {
    const n = this.#openBytes - openBytes;
    if (n < 0 || n % TS_PACKET_SIZE !== 0) throw new RangeError(`rollbackTo(${openBytes}): the open segment holds ${this.#openBytes} bytes`);
    this.#used -= n;
    this.#openBytes = openBytes;
    this.#head = (this.#head - n + this.capacity) % this.capacity;
  }

  /**
   * Closes the open segment and returns views of its bytes plus its release function. Returns
   * undefined when nothing was written.
   */
  finishSegment(): { parts: Uint8Array[]; byteLength: number; release: () => void } | undefined {
    const length = this.openBytes;
    if (length === 0) return undefined;
    const start = this.#openStart;
    this.#openStart = this.#head;
    this.#openBytes = 0;
    const span: Span = { start, length, released: false };
    this.#spans.push(span);
    const end = start + length;
    const parts = end <= this.capacity ? [this.bytes.subarray(start, end)] : [this.bytes.subarray(start, this.capacity), this.bytes.subarray(0, end - this.capacity)];
    return { parts, byteLength: length, release: () => this.#release(span) };
  }

  #release(span: Span): void {
    if (span.released) throw new Error('segment released twice');
    span.released = true;
    // Reclaim from the tail while the oldest spans are released.
    const spans = this.#spans;
    while (spans.length > 0 && spans[0].released) {
      this.#used -= spans[0].length;
      spans.shift();
    }
  }

  /** Counters for stats(). */
  stats(): PoolStats {
    return {
      capacityBytes: this.capacity,
      usedBytes: this.#used,
      highWaterBytes: this.#highWater,
      heldSegments: this.#spans.filter((s) => !s.released).length,
    };
  }
}
