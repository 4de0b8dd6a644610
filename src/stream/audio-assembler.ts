/**
 * Turns one audio frame pack (ADTS frames given as two-part items) into PES payload ranges. ADTS
 * frames go into the transport stream whole, headers included (stream_type 0x0F, ISO/IEC 13818-1
 * Table 2-34), so the payload is the frames' own bytes: no copy here, one copy into the pool later.
 */
import { AdtsScanner, aacCodecString, type AdtsHeader } from '../aac/adts.js';
import { ChunkList } from '../mpegts/chunk-list.js';
import { ErrorCode, type ErrorCodeValue } from '../errors.js';
import type { PackItem } from '../types.js';

/** What {@link AudioAssembler.assemble} learned about a pack. */
export interface AssembledAudio {
  error: ErrorCodeValue | undefined;
  detail: string;
  /** ADTS frames in the pack. */
  frames: number;
  /** Sample rate of the first frame, Hz. */
  sampleRate: number;
}

/** Samples per AAC frame (ISO/IEC 14496-3: 1024 per raw_data_block; ADTS carries one block per frame here). */
export const AAC_FRAME_SAMPLES = 1024;

/** Reusable per-stream audio assembler. */
export class AudioAssembler {
  /** The PES payload ranges of the last assembled pack. */
  readonly payload = new ChunkList();
  /**
   * Where each ADTS frame of the last pack ends, as a byte offset in {@link payload} (frame `i` is
   * `[i === 0 ? 0 : frameEnds[i-1], frameEnds[i])`): a pack can then be split at a segment cut.
   * Valid below {@link frameCount}; the array is reused, never truncated (`length = 0` would free
   * its storage and every pack would allocate it again).
   */
  readonly frameEnds: number[] = [];
  /** ADTS frames of the last assembled pack (entries of {@link frameEnds} in use). */
  frameCount = 0;
  readonly #scanner = new AdtsScanner();
  readonly #result: AssembledAudio = { error: undefined, detail: '', frames: 0, sampleRate: 0 };
  #codec = '';

  /** RFC 6381 codec string of the audio seen, e.g. `mp4a.40.2` ('' before any audio). */
  get codec(): string {
    return this.#codec;
  }

  /** Scans the pack's ADTS frames into {@link payload}. Garbage or a broken frame rejects the whole pack. */
  assemble(items: readonly PackItem[]): AssembledAudio {
    const r = this.#result;
    r.error = undefined;
    r.detail = '';
    r.frames = 0;
    r.sampleRate = 0;
    const payload = this.payload;
    payload.clear();
    this.frameCount = 0;
    const scanner = this.#scanner;
    for (let k = 0; k < items.length; k++) {
      const p1 = items[k].part1;
      const p2 = items[k].part2;
      const n = scanner.scan(p1, p2);
      if (n === 0 || scanner.garbageBytes > 0) {
        r.error = ErrorCode.BadAdts;
        r.detail = `item ${k}: ${n} ADTS frame(s) and ${scanner.garbageBytes} byte(s) that are not ADTS`;
        return r;
      }
      if (r.frames === 0) {
        const h: AdtsHeader = scanner.header;
        r.sampleRate = h.sampleRate;
        if (this.#codec === '') this.#codec = aacCodecString(h.objectType);
      }
      r.frames += n;
      const split = p1.length;
      // Consecutive frames are contiguous: add the item's frame bytes as at most two ranges.
      const start = scanner.start(0);
      const end = scanner.end(n - 1);
      const base = payload.byteLength - start;
      const ends = this.frameEnds;
      for (let f = 0; f < n; f++) ends[this.frameCount++] = base + scanner.end(f);
      if (end <= split) {
        payload.add(p1, start, end);
      } else if (start >= split) {
        payload.add(p2 as Uint8Array, start - split, end - split);
      } else {
        payload.add(p1, start, split);
        payload.add(p2 as Uint8Array, 0, end - split);
      }
    }
    return r;
  }
}
