/**
 * AAC in ADTS (Audio Data Transport Stream, ISO/IEC 13818-7 §6.2 / ISO/IEC 14496-3 §1.A.2.2):
 * the framing HLS carries in MPEG-TS audio PES packets as-is. An encoder hands us one or more ADTS
 * frames as `part1 ++ part2` (the same two-part items as video), so every read goes through virtual
 * offsets and a header may straddle the split.
 *
 * adts_fixed_header + adts_variable_header, 56 bits (7 bytes), then a 16-bit CRC when
 * protection_absent is 0 (9 bytes):
 *
 * | bits | field                                   |
 * |------|-----------------------------------------|
 * | 12   | syncword = 0xFFF                        |
 * | 1    | ID (0 = MPEG-4, 1 = MPEG-2)             |
 * | 2    | layer = 0                               |
 * | 1    | protection_absent                       |
 * | 2    | profile_ObjectType (audioObjectType - 1)|
 * | 4    | sampling_frequency_index                |
 * | 1    | private_bit                             |
 * | 3    | channel_configuration                   |
 * | 1+1  | original_copy, home                     |
 * | 1+1  | copyright_identification_bit / _start   |
 * | 13   | aac_frame_length (header included)      |
 * | 11   | adts_buffer_fullness                    |
 * | 2    | number_of_raw_data_blocks_in_frame (- 1)|
 */
import { ErrorCode } from '../errors.js';

/** PCM samples per channel in one AAC raw data block (ISO/IEC 14496-3, AAC-LC frameLengthFlag 0). */
export const AAC_SAMPLES_PER_FRAME = 1024;

/** Sampling frequencies by sampling_frequency_index (ISO/IEC 14496-3 §1.6.3.4, Table 1.18); 13-15 are not valid in ADTS. */
export const ADTS_SAMPLE_RATES: readonly number[] = Object.freeze([96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]);

/** The fields of an ADTS header s3hls uses. */
export interface AdtsHeader {
  /** aac_frame_length: bytes of the whole frame, header (and CRC) included. */
  frameLength: number;
  /** 7, or 9 when a CRC follows the header (protection_absent = 0). */
  headerLength: 7 | 9;
  /** MPEG-4 audioObjectType = profile_ObjectType + 1 (2 = AAC-LC). */
  objectType: number;
  /** sampling_frequency_index, 0-12. */
  sampleRateIndex: number;
  /** Sampling frequency in Hz, from {@link ADTS_SAMPLE_RATES}. */
  sampleRate: number;
  /** channel_configuration (0 = defined in the stream's PCE, 1 = mono, 2 = stereo, ...). */
  channelConfig: number;
  /** Raw data blocks in the frame (number_of_raw_data_blocks_in_frame + 1): each is {@link AAC_SAMPLES_PER_FRAME} samples. */
  rawBlocks: number;
}

/**
 * Returns a fresh, zeroed {@link AdtsHeader} to be filled by {@link readAdtsHeader}.
 *
 * @returns a header with every field 0 (headerLength 7)
 */
export function emptyAdtsHeader(): AdtsHeader {
  return { frameLength: 0, headerLength: 7, objectType: 0, sampleRateIndex: 0, sampleRate: 0, channelConfig: 0, rawBlocks: 0 };
}

/** Byte `i` of `part1 ++ part2`; the caller has checked that `i` is inside the item. */
function at(part1: Uint8Array, part2: Uint8Array | undefined, i: number): number {
  const len1 = part1.length;
  return i < len1 ? part1[i] : (part2 as Uint8Array)[i - len1];
}

/** True when a syncword (0xFFF) and layer 0 start at virtual offset `i` (both bytes in the item). */
function isSyncAt(part1: Uint8Array, part2: Uint8Array | undefined, total: number, i: number): boolean {
  // 0xF6 keeps the syncword's low 4 bits and the 2 layer bits of the second byte.
  return i + 1 < total && at(part1, part2, i) === 0xff && (at(part1, part2, i + 1) & 0xf6) === 0xf0;
}

/**
 * Parses the ADTS header at virtual offset `offset` of `part1 ++ part2` into `out`, without
 * allocating. Checks: syncword 0xFFF, layer 0, sampling_frequency_index < 13,
 * aac_frame_length ≥ the header length, and the whole frame inside the item.
 *
 * @param part1 - the first part of the item
 * @param part2 - the part that wrapped around the ring, if any
 * @param offset - virtual offset of the header's first byte
 * @param out - receives the fields; left untouched when the header is bad
 * @returns undefined on success, or the `ErrorCode.BadAdts` value `'BAD_ADTS'`
 * @throws RangeError when `offset` is not a non-negative integer
 */
export function readAdtsHeader(part1: Uint8Array, part2: Uint8Array | undefined, offset: number, out: AdtsHeader): undefined | typeof ErrorCode.BadAdts {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`readAdtsHeader: offset must be a non-negative integer, got ${offset}`);
  const total = part1.length + (part2 === undefined ? 0 : part2.length);
  if (offset + 7 > total || !isSyncAt(part1, part2, total, offset)) return ErrorCode.BadAdts;
  const b1 = at(part1, part2, offset + 1);
  const b2 = at(part1, part2, offset + 2);
  const b3 = at(part1, part2, offset + 3);
  const b4 = at(part1, part2, offset + 4);
  const b5 = at(part1, part2, offset + 5);
  const b6 = at(part1, part2, offset + 6);
  const headerLength = (b1 & 0x01) === 1 ? 7 : 9; // protection_absent
  const sampleRateIndex = (b2 >> 2) & 0x0f;
  if (sampleRateIndex >= ADTS_SAMPLE_RATES.length) return ErrorCode.BadAdts;
  // aac_frame_length: 2 bits of b3, 8 of b4, 3 of b5 (13 bits, at most 8191: bit operators are safe).
  const frameLength = ((b3 & 0x03) << 11) | (b4 << 3) | (b5 >> 5);
  if (frameLength < headerLength || offset + frameLength > total) return ErrorCode.BadAdts;
  out.frameLength = frameLength;
  out.headerLength = headerLength;
  out.objectType = (b2 >> 6) + 1;
  out.sampleRateIndex = sampleRateIndex;
  out.sampleRate = ADTS_SAMPLE_RATES[sampleRateIndex];
  out.channelConfig = ((b2 & 0x01) << 2) | (b3 >> 6);
  out.rawBlocks = (b6 & 0x03) + 1;
  return undefined;
}

/**
 * RFC 6381 §3.3 codecs parameter for MPEG-4 audio: `mp4a.40.<audioObjectType>`.
 *
 * @param objectType - MPEG-4 audioObjectType (2 = AAC-LC, 5 = HE-AAC (SBR), 29 = HE-AACv2)
 * @returns e.g. `'mp4a.40.2'`
 * @throws RangeError when `objectType` is not an integer in [1, 95]
 */
export function aacCodecString(objectType: number): string {
  if (!Number.isInteger(objectType) || objectType < 1 || objectType > 95) {
    throw new RangeError(`aacCodecString: objectType must be an integer in [1, 95], got ${objectType}`);
  }
  return `mp4a.40.${objectType}`;
}

/**
 * Finds the ADTS frames of an item. Reused item after item; storage grows (by doubling) only when
 * an item holds more frames than ever before, so a steady-state `scan` allocates nothing.
 *
 * Bad bytes (garbage before, between or after frames, a bad syncword, a truncated last frame) are
 * skipped and counted in {@link AdtsScanner.garbageBytes}; the good frames are still found. After
 * bad bytes, a candidate header is accepted only when the item ends exactly where its frame ends or
 * another syncword follows it: payload bytes of a damaged frame often look like a syncword. (So a
 * lone good frame with garbage on *both* sides counts as garbage, as in hls.js's probe.)
 *
 * @example
 * ```ts
 * const adts = new AdtsScanner();
 * const n = adts.scan(item.part1, item.part2);
 * if (adts.garbageBytes > 0) report(ErrorCode.BadAdts);
 * const codecs = n > 0 ? aacCodecString(adts.header.objectType) : undefined;
 * ```
 */
export class AdtsScanner {
  #starts: Int32Array;
  #ends: Int32Array;
  #count = 0;
  #garbageBytes = 0;
  readonly #header: AdtsHeader = emptyAdtsHeader();
  readonly #probe: AdtsHeader = emptyAdtsHeader();

  /**
   * @param initialCapacity - frames held before the storage grows (by doubling)
   * @defaultValue 16
   * @throws TypeError when `initialCapacity` is not an integer; RangeError when it is < 1 or > 2^24
   */
  constructor(initialCapacity = 16) {
    if (typeof initialCapacity !== 'number' || !Number.isInteger(initialCapacity)) {
      throw new TypeError(`AdtsScanner: initialCapacity must be an integer, got ${String(initialCapacity)}`);
    }
    if (initialCapacity < 1 || initialCapacity > 1 << 24) {
      throw new RangeError(`AdtsScanner: initialCapacity must be in [1, 16777216], got ${initialCapacity}`);
    }
    this.#starts = new Int32Array(initialCapacity);
    this.#ends = new Int32Array(initialCapacity);
  }

  /** Frames found by the last {@link AdtsScanner.scan}. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the last item that were not part of a good frame; non-zero is reported as `BAD_ADTS`. */
  get garbageBytes(): number {
    return this.#garbageBytes;
  }

  /** Header of the first good frame of the last item; stale when {@link AdtsScanner.count} is 0. */
  get header(): Readonly<AdtsHeader> {
    return this.#header;
  }

  /**
   * Scans `part1 ++ part2` for ADTS frames.
   *
   * @param part1 - the item, or its bytes up to the end of the encoder's ring
   * @param part2 - the bytes that wrapped to the start of the ring, if any
   * @returns the number of frames found, also in {@link AdtsScanner.count}
   * @throws TypeError when a part is not a Uint8Array; RangeError when the item exceeds 2^31-1 bytes
   */
  scan(part1: Uint8Array, part2?: Uint8Array): number {
    if (!(part1 instanceof Uint8Array)) throw new TypeError(`AdtsScanner.scan: part1 must be a Uint8Array, got ${typeof part1}`);
    if (part2 !== undefined && !(part2 instanceof Uint8Array)) throw new TypeError(`AdtsScanner.scan: part2 must be a Uint8Array or undefined, got ${typeof part2}`);
    const p2 = part2 !== undefined && part2.length > 0 ? part2 : undefined;
    const total = part1.length + (p2 === undefined ? 0 : p2.length);
    if (total > 0x7fffffff) throw new RangeError(`AdtsScanner.scan: item of ${total} bytes exceeds ${0x7fffffff}`);
    this.#count = 0;
    this.#garbageBytes = 0;
    const probe = this.#probe;
    let pos = 0;
    let resyncing = false;
    while (pos < total) {
      if (readAdtsHeader(part1, p2, pos, probe) === undefined) {
        const end = pos + probe.frameLength;
        if (!resyncing || end === total || isSyncAt(part1, p2, total, end)) {
          this.#push(pos, end);
          pos = end;
          resyncing = false;
          continue;
        }
      }
      // Not a frame here: skip to the next 0xFF, counting what is skipped.
      resyncing = true;
      let next = pos + 1;
      while (next < total && at(part1, p2, next) !== 0xff) next++;
      this.#garbageBytes += next - pos;
      pos = next;
    }
    return this.#count;
  }

  /**
   * Virtual offset of frame `i`'s first header byte.
   *
   * @param i - frame index, 0 ≤ i < count
   * @returns the offset in `part1 ++ part2`
   * @throws RangeError when `i` is not a frame index of the last scan
   */
  start(i: number): number {
    this.#check(i);
    return this.#starts[i];
  }

  /**
   * Virtual end (exclusive) of frame `i`: `start(i) + aac_frame_length`.
   *
   * @param i - frame index, 0 ≤ i < count
   * @returns the offset after the frame's last byte
   * @throws RangeError when `i` is not a frame index of the last scan
   */
  end(i: number): number {
    this.#check(i);
    return this.#ends[i];
  }

  #check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.#count) {
      throw new RangeError(`AdtsScanner: frame index ${i} is not in [0, ${this.#count})`);
    }
  }

  #push(start: number, end: number): void {
    const n = this.#count;
    if (n === 0) Object.assign(this.#header, this.#probe);
    if (n === this.#starts.length) {
      const starts = new Int32Array(n * 2);
      const ends = new Int32Array(n * 2);
      starts.set(this.#starts);
      ends.set(this.#ends);
      this.#starts = starts;
      this.#ends = ends;
    }
    this.#starts[n] = start;
    this.#ends[n] = end;
    this.#count = n + 1;
  }
}
