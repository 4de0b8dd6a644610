/**
 * The memory layout of the shared frame ring: one SharedArrayBuffer that an encoder thread (the
 * writer) fills with access units and the main thread (the reader) hands to the muxer without
 * copying — the shared-memory camera queue of multi-camera encoders (camnvenc), in Node.
 *
 *     [ control: 16 × Int32 ][ slots: S × 4 × Float64 ][ data: C bytes ]
 *
 * Single producer, single consumer. Counters the two sides share are changed with `Atomics` only;
 * every other word is owned by one side. Byte counts stay below the capacity (< 2^31), so Int32
 * atomics are enough; timestamps live in Float64 slots (exact up to 2^53, past the 33-bit PTS).
 */

/** Indices into the control Int32Array. */
export const Ctl = {
  /** Next slot the writer fills (writer-owned, 0..slots-1). */
  SlotHead: 0,
  /** Next slot the reader reads (reader-owned). */
  SlotTail: 1,
  /** Frames written and not yet released (shared; the reader waits on it). */
  FramesReady: 2,
  /** Data bytes written and not yet released (shared). */
  BytesUsed: 3,
  /** Next data byte the writer writes (writer-owned). */
  DataWritePos: 4,
  /** Next data byte the reader releases (reader-owned). */
  DataReadPos: 5,
  /** 1 once the writer closed the ring (shared). */
  Closed: 6,
  /** Incremented by the reader per release; the writer waits on it when the ring is full (shared). */
  ReleaseSeq: 7,
  /** Slot count (constant). */
  Slots: 8,
  /** Data capacity in bytes (constant). */
  Capacity: 9,
  /** Layout version, so a writer built for another layout fails loudly. */
  Version: 10,
} as const;

/** Words in the control block (64 bytes: keeps the Float64 slots 8-byte aligned). */
export const CONTROL_WORDS = 16;
/** Float64 words per slot: data offset, length, PTS (90 kHz), DTS (90 kHz). */
export const SLOT_WORDS = 4;
/** The version written into `Ctl.Version`. */
export const LAYOUT_VERSION = 1;

/** Sizes of a ring. */
export interface SharedRingSize {
  /** Data bytes; a frame must fit (the largest IDR). @defaultValue 4 MiB */
  readonly capacityBytes?: number;
  /** Frames the ring can hold at once. @defaultValue 256 */
  readonly slots?: number;
}

/** The typed views over a ring's SharedArrayBuffer (each side builds its own). */
export interface SharedRingViews {
  readonly control: Int32Array;
  readonly slots: Float64Array;
  readonly data: Uint8Array;
  readonly capacity: number;
  readonly slotCount: number;
}

/**
 * Allocates and initializes a ring.
 *
 * @param size - capacity and slot count
 * @returns the SharedArrayBuffer to post to the encoder worker and to pass to the reader
 * @throws RangeError when `capacityBytes` is not an integer in [1024, 2^30] or `slots` not in [2, 65536]
 */
export function createSharedRing(size: SharedRingSize = {}): SharedArrayBuffer {
  const capacity = size.capacityBytes ?? 4 * 1024 * 1024;
  const slots = size.slots ?? 256;
  if (!Number.isInteger(capacity) || capacity < 1024 || capacity > 2 ** 30) {
    throw new RangeError(`capacityBytes must be an integer in [1024, 2^30], got ${capacity}`);
  }
  if (!Number.isInteger(slots) || slots < 2 || slots > 65536) {
    throw new RangeError(`slots must be an integer in [2, 65536], got ${slots}`);
  }
  const sab = new SharedArrayBuffer(CONTROL_WORDS * 4 + slots * SLOT_WORDS * 8 + capacity);
  const control = new Int32Array(sab, 0, CONTROL_WORDS);
  control[Ctl.Slots] = slots;
  control[Ctl.Capacity] = capacity;
  control[Ctl.Version] = LAYOUT_VERSION;
  return sab;
}

/**
 * Builds the views of a ring made by {@link createSharedRing}.
 *
 * @param sab - the ring's buffer
 * @returns control, slot and data views
 * @throws TypeError when the buffer is not such a ring
 */
export function ringViews(sab: SharedArrayBuffer): SharedRingViews {
  if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < CONTROL_WORDS * 4) {
    throw new TypeError('ring must be a SharedArrayBuffer made by createSharedRing()');
  }
  const control = new Int32Array(sab, 0, CONTROL_WORDS);
  if (control[Ctl.Version] !== LAYOUT_VERSION) {
    throw new TypeError(`ring layout version ${control[Ctl.Version]} is not ${LAYOUT_VERSION}: was it made by createSharedRing()?`);
  }
  const slotCount = control[Ctl.Slots];
  const capacity = control[Ctl.Capacity];
  const slotsBytes = slotCount * SLOT_WORDS * 8;
  return {
    control,
    slots: new Float64Array(sab, CONTROL_WORDS * 4, slotCount * SLOT_WORDS),
    data: new Uint8Array(sab, CONTROL_WORDS * 4 + slotsBytes, capacity),
    capacity,
    slotCount,
  };
}
