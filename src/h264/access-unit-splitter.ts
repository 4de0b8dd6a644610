/**
 * Splits a raw Annex B byte stream (H.264 §B.1), pushed in chunks of any size, into access units in
 * decode order, following the boundary rules of §7.4.1.2.3 and §7.4.1.2.4:
 *
 * - an access unit delimiter (type 9) always starts a new access unit;
 * - SPS, PPS, SEI and types 14-18 start one when they follow the last VCL NAL unit of a picture;
 * - a VCL NAL unit starts one when it is the first slice of a new primary coded picture: it differs
 *   from the previous picture's slices in frame_num, pic_parameter_set_id, field_pic_flag,
 *   bottom_field_flag, nal_ref_idc zero-ness, POC type 0 lsb / delta_bottom, POC type 1
 *   delta_pic_order_cnt[0..1], IdrPicFlag or idr_pic_id. Further slices of a picture
 *   (first_mb_in_slice > 0) and redundant pictures stay in the same access unit.
 * - End of sequence/stream (10, 11), filler (12), SPS extension (13) and other types join the
 *   current access unit.
 *
 * The bytes live in one growable internal buffer that is compacted at the start of each push(): the
 * NAL unit views handed out (by push() or end()) stay valid until the next push() call only.
 */
import { Buffer } from 'node:buffer';
import { ErrorCode, S3HlsError } from '../errors.js';
import { NalType, isVcl, nalTypeOf } from './nal-types.js';
import { PocCalculator } from './poc.js';
import { parsePps, type PpsInfo } from './pps.js';
import { RbspReader } from './rbsp-reader.js';
import { parseSliceHeader, type SliceHeader } from './slice-header.js';
import { parseSps, type SpsInfo } from './sps.js';

/** One access unit (one coded picture with its parameter sets, SEI, AUD) in decode order. */
export interface AccessUnit {
  /**
   * Each a whole NAL unit starting at its header byte, without start code or trailing zero bytes.
   * From {@link AccessUnitSplitter}: views into its internal buffer, valid until its next `push()`
   * call (end() does not move them); copy them to keep them longer.
   */
  nals: Uint8Array[];
  /** Contains an IDR slice (nal_unit_type 5). */
  keyframe: boolean;
  /** PicOrderCnt of the primary coded picture (§8.2.1); restarts at IDR and after MMCO 5. */
  poc: number;
  /** Decode order, 0-based, counting the access units this splitter emitted. */
  index: number;
  /** True when POC restarts here (IDR or MMCO 5): presentation order cannot cross this unit. */
  pocReset?: boolean;
  /** The SPS of the picture's first slice, when known. */
  sps?: SpsInfo;
}

/** Options of {@link AccessUnitSplitter}. */
export interface AccessUnitSplitterOptions {
  /**
   * Called for bad media (an SPS that does not parse, a slice with an unknown PPS, an oversized
   * access unit); the splitter goes on. Also counted in {@link AccessUnitSplitter.errorCount}.
   * @defaultValue none
   */
  readonly onError?: (error: S3HlsError) => void;
  /**
   * Largest access unit, in bytes. A unit growing past it is dropped (reported as FrameTooLarge) and
   * bytes are skipped to the next start code, so garbage without start codes cannot grow memory.
   * @defaultValue 32 MiB; bounds 1 KiB .. 1 GiB
   */
  readonly maxAccessUnitBytes?: number;
}

/** start_code_prefix_one_3bytes (§B.1.1). */
const START_CODE_PREFIX = new Uint8Array([0, 0, 1]);
/** Node's native byte search, applied to plain Uint8Array views (see nal-scanner.ts for the measurements). */
const nativeIndexOf = (Buffer.prototype as { indexOf: (this: Uint8Array, value: Uint8Array, byteOffset: number) => number }).indexOf;
const DEFAULT_MAX_AU_BYTES = 32 * 1024 * 1024;
const INITIAL_CAPACITY = 64 * 1024;

/**
 * Annex B bytes in any chunking → access units in decode order.
 *
 * @example
 * ```ts
 * const splitter = new AccessUnitSplitter();
 * for await (const chunk of stream) for (const au of splitter.push(chunk)) handle(au);
 * for (const au of splitter.end()) handle(au);
 * ```
 */
export class AccessUnitSplitter {
  /** Bad-media events reported so far. */
  errorCount = 0;
  /** NAL units dropped (forbidden_zero_bit, oversized units, trailing units without a picture). */
  droppedNalCount = 0;

  private readonly onError: ((error: S3HlsError) => void) | undefined;
  private readonly maxAuBytes: number;
  private buf = new Uint8Array(INITIAL_CAPACITY);
  private len = 0;
  /** Where the next start-code search begins. */
  private scanFrom = 0;
  /** First byte of the NAL unit being received (after its start code); -1 = skipping to a start code. */
  private nalStart = -1;
  // The pending access unit: NAL ranges [auStarts[i], auEnds[i]) in `buf`.
  private readonly auStarts: number[] = [];
  private readonly auEnds: number[] = [];
  private auHasVcl = false;
  private auKeyframe = false;
  private auPoc = 0;
  private auPocReset = false;
  private auSps: SpsInfo | undefined;
  /** First slice of the pending access unit's primary picture. */
  private auSlice: SliceHeader | undefined;
  private nextIndex = 0;
  private readonly spsById = new Map<number, SpsInfo>();
  private readonly ppsById = new Map<number, PpsInfo>();
  private readonly poc = new PocCalculator();
  private out: AccessUnit[] = [];

  /**
   * @param options - see {@link AccessUnitSplitterOptions}
   * @throws RangeError when maxAccessUnitBytes is outside 1 KiB .. 1 GiB
   */
  constructor(options: AccessUnitSplitterOptions = {}) {
    const max = options.maxAccessUnitBytes ?? DEFAULT_MAX_AU_BYTES;
    if (!Number.isInteger(max) || max < 1024 || max > 1024 * 1024 * 1024) {
      throw new RangeError(`maxAccessUnitBytes must be an integer in 1024..2^30, got ${String(options.maxAccessUnitBytes)}`);
    }
    this.maxAuBytes = max;
    this.onError = options.onError;
  }

  /**
   * Adds bytes; returns the access units they completed. A unit is complete once the first NAL unit
   * of the next one has been seen entirely (its start code ends it), so the last unit waits for end().
   *
   * @param chunk - the next bytes of the stream, any length (copied; the caller may reuse it)
   * @returns completed access units; their NAL views are valid until the next push()
   */
  push(chunk: Uint8Array): AccessUnit[] {
    this.out = [];
    this.compact(chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    this.scan();
    return this.out;
  }

  /**
   * Ends the stream: the last NAL unit and access unit are complete. The splitter can be reused for
   * a new, independent stream afterwards (POC and parameter sets are kept, as a decoder would).
   *
   * @returns the remaining access units (at most one); NAL views valid until the next push(), as are
   *   those the last push() returned
   */
  end(): AccessUnit[] {
    this.out = [];
    // No compaction here: units returned by the last push() stay valid alongside these.
    if (this.nalStart >= 0) this.handleNal(this.nalStart, trimTrailingZeros(this.buf, this.nalStart, this.len));
    this.nalStart = -1;
    this.scanFrom = this.len;
    this.flushAu();
    this.droppedNalCount += this.auStarts.length; // a tail without a picture (e.g. SPS/PPS only)
    this.clearAu();
    return this.out;
  }

  /** Moves the bytes still needed to the front and makes room for `extra` more. */
  private compact(extra: number): void {
    let keepFrom = this.nalStart >= 0 ? this.nalStart : this.scanFrom;
    if (this.auStarts.length > 0) keepFrom = Math.min(keepFrom, this.auStarts[0]);
    if (keepFrom > 0) {
      this.buf.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
      this.scanFrom -= keepFrom;
      if (this.nalStart >= 0) this.nalStart -= keepFrom;
      for (let i = 0; i < this.auStarts.length; i++) {
        this.auStarts[i] -= keepFrom;
        this.auEnds[i] -= keepFrom;
      }
    }
    if (this.len + extra > this.buf.length) {
      let capacity = this.buf.length * 2;
      while (capacity < this.len + extra) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
  }

  /** Finds the start codes in the new bytes and hands each completed NAL unit on. */
  private scan(): void {
    // Bound the native search to the filled bytes (the tail of `buf` holds stale data).
    const view = this.buf.subarray(0, this.len);
    for (;;) {
      const p = nativeIndexOf.call(view, START_CODE_PREFIX, this.scanFrom);
      if (p < 0) break;
      if (this.nalStart >= 0) this.handleNal(this.nalStart, trimTrailingZeros(this.buf, this.nalStart, p));
      this.nalStart = p + 3;
      this.scanFrom = p + 3;
    }
    // The last two bytes may be the start of a prefix split across pushes.
    const resume = this.len - 2;
    this.scanFrom = Math.max(this.scanFrom, resume, 0);
    if (this.nalStart >= 0) this.scanFrom = Math.max(this.scanFrom, this.nalStart);
    this.enforceSizeLimit();
  }

  /** Drops the pending unit and the NAL being received when together they pass maxAccessUnitBytes. */
  private enforceSizeLimit(): void {
    const from = this.auStarts.length > 0 ? this.auStarts[0] : this.nalStart;
    if (from < 0 || this.len - from <= this.maxAuBytes) return;
    this.report(new S3HlsError(ErrorCode.FrameTooLarge, `access unit passed maxAccessUnitBytes (${this.maxAuBytes}); dropped up to the next start code`));
    this.droppedNalCount += this.auStarts.length + 1;
    this.clearAu();
    this.nalStart = -1;
    this.scanFrom = Math.max(0, this.len - 2);
  }

  /** Classifies one complete NAL unit `buf[start, end)` (§7.4.1.2.3) and adds it to an access unit. */
  private handleNal(start: number, end: number): void {
    if (end <= start) return; // empty: two start codes in a row, or only zero bytes
    const header = this.buf[start];
    if ((header & 0x80) !== 0) {
      this.droppedNalCount++;
      this.report(new S3HlsError(ErrorCode.BadNalUnit, `NAL unit with forbidden_zero_bit set (header 0x${header.toString(16)}) dropped`));
      return;
    }
    const type = nalTypeOf(header);
    const nal = this.buf.subarray(start, end);
    if (type === NalType.Aud) {
      // An AUD begins every access unit it is in; units with no picture yet are kept (not conformant, but lossless).
      if (this.auHasVcl) this.flushAu();
    } else if (type === NalType.Sps || type === NalType.Pps || type === NalType.Sei || (type >= 14 && type <= 18)) {
      if (this.auHasVcl) this.flushAu();
      if (type === NalType.Sps) this.storeSps(nal);
      else if (type === NalType.Pps) this.storePps(nal);
    } else if (isVcl(type) && type !== 3 && type !== 4) {
      this.handleSlice(nal, type);
    }
    // Partitions B/C (3, 4), types 10-13, 19 and above join the current unit.
    this.auStarts.push(start);
    this.auEnds.push(end);
  }

  /** A slice (types 1, 2, 5): starts a new access unit when it begins a new primary picture. */
  private handleSlice(nal: Uint8Array, type: number): void {
    let slice: SliceHeader;
    try {
      slice = parseSliceHeader(nal, this.spsById, this.ppsById);
    } catch (err) {
      if (!(err instanceof S3HlsError)) throw err;
      this.report(err);
      // Without its PPS the slice can only be split by first_mb_in_slice = 0 (no arbitrary slice order).
      if (this.auHasVcl && firstMbInSlice(nal) === 0) this.flushAu();
      if (!this.auHasVcl) {
        // Undecodable picture (e.g. joined mid-stream before SPS/PPS): POC unknown, reported as 0.
        this.auHasVcl = true;
        this.auKeyframe = type === NalType.Idr;
        this.auPocReset = this.auKeyframe;
        this.auPoc = 0;
        this.auSps = undefined;
      }
      this.auSlice = undefined;
      return;
    }
    if (slice.redundantPicCnt > 0 && this.auHasVcl) return; // redundant coded picture: same unit
    if (this.auHasVcl && this.auSlice && !this.startsNewPicture(this.auSlice, slice)) return;
    if (this.auHasVcl) this.flushAu();
    const sps = this.spsById.get(this.ppsById.get(slice.ppsId)!.spsId)!;
    const isIdr = type === NalType.Idr;
    this.auHasVcl = true;
    this.auKeyframe = isIdr;
    this.auPocReset = isIdr || slice.memoryManagement5;
    this.auPoc = this.poc.compute(slice, sps, isIdr, slice.memoryManagement5);
    this.auSps = sps;
    this.auSlice = slice;
  }

  /** §7.4.1.2.4: does slice `b` begin a new primary coded picture after slice `a`? */
  private startsNewPicture(a: SliceHeader, b: SliceHeader): boolean {
    if (a.frameNum !== b.frameNum || a.ppsId !== b.ppsId) return true;
    if (a.fieldPic !== b.fieldPic || a.bottomField !== b.bottomField) return true;
    if ((a.nalRefIdc === 0) !== (b.nalRefIdc === 0)) return true;
    if (a.pocLsb !== b.pocLsb || a.deltaPocBottom !== b.deltaPocBottom) return true; // zero unless type 0
    if (a.deltaPoc0 !== b.deltaPoc0 || a.deltaPoc1 !== b.deltaPoc1) return true; // zero unless type 1
    const aIdr = a.nalType === NalType.Idr;
    if (aIdr !== (b.nalType === NalType.Idr)) return true;
    return aIdr && a.idrPicId !== b.idrPicId;
  }

  /** Emits the pending access unit when it holds a picture. */
  private flushAu(): void {
    if (!this.auHasVcl) return;
    const nals: Uint8Array[] = new Array<Uint8Array>(this.auStarts.length);
    for (let i = 0; i < nals.length; i++) nals[i] = this.buf.subarray(this.auStarts[i], this.auEnds[i]);
    const au: AccessUnit = { nals, keyframe: this.auKeyframe, poc: this.auPoc, index: this.nextIndex++, pocReset: this.auPocReset };
    if (this.auSps) au.sps = this.auSps;
    this.out.push(au);
    this.clearAu();
  }

  /** Forgets the pending access unit (its bytes are reclaimed by the next compaction). */
  private clearAu(): void {
    this.auStarts.length = 0;
    this.auEnds.length = 0;
    this.auHasVcl = false;
    this.auKeyframe = false;
    this.auPocReset = false;
    this.auSlice = undefined;
  }

  /** Parses an SPS into the map slice headers are read against; a bad one is reported and the unit kept. */
  private storeSps(nal: Uint8Array): void {
    try {
      const sps = parseSps(nal);
      this.spsById.set(sps.spsId, sps);
    } catch (err) {
      if (!(err instanceof S3HlsError)) throw err;
      this.report(err);
    }
  }

  /** As storeSps, for a PPS. */
  private storePps(nal: Uint8Array): void {
    try {
      const pps = parsePps(nal);
      this.ppsById.set(pps.ppsId, pps);
    } catch (err) {
      if (!(err instanceof S3HlsError)) throw err;
      this.report(err);
    }
  }

  /** Counts and forwards one bad-media event. */
  private report(err: S3HlsError): void {
    this.errorCount++;
    this.onError?.(err);
  }
}

/** End of a NAL unit found before `end`: trailing_zero_8bits and a 4-byte start code's zero_byte are not part of it (§B.2). */
function trimTrailingZeros(buf: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && buf[e - 1] === 0) e--;
  return e;
}

/** first_mb_in_slice of a slice NAL unit, or -1 when unreadable. */
function firstMbInSlice(nal: Uint8Array): number {
  try {
    return new RbspReader(nal, 1).ue();
  } catch {
    return -1;
  }
}
