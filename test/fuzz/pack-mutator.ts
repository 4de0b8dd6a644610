/**
 * Seeded generators of frame packs for the fuzz test: valid packs taken from real ffmpeg output, and
 * mutated ones (bit flips, truncation, bogus NAL types, huge sizes, ring-wrapped parts split at random
 * offsets, garbage ADTS, broken timestamps). Every value it produces has the right *type*: the SDK may
 * only throw TypeError for wrong types, so anything thrown on these packs is a bug.
 */
import type { AudioFramePack, PackItem, VideoFramePack } from '../../src/types.js';

/** The seeded PRNG of the fault proxy (mulberry32): a failing run is reproduced from its seed alone. */
export { seededRandom as prng } from '../../bench/fault-proxy.js';
/** Splits an ADTS file into its frames (the benchmark's splitter). */
export { splitAdtsFrames as adtsFrames } from '../../bench/media-units.js';

/** What a mutation did, for the tally printed by the test. */
export type MutationKind =
  | 'valid'
  | 'wrapped'
  | 'bitflip'
  | 'truncate'
  | 'bogus-nal-type'
  | 'no-start-code'
  | 'huge'
  | 'garbage'
  | 'empty'
  | 'zero-parts'
  | 'part2-only'
  | 'ts-backwards'
  | 'ts-jump'
  | 'ts-bad'
  | 'dts-after-pts'
  | 'multi-item';

/** Splits `bytes` into a two-part item at a random offset (anywhere: start code, header, payload). */
export function wrapAt(rand: () => number, bytes: Uint8Array): PackItem {
  const cut = Math.floor(rand() * (bytes.length + 1));
  if (cut === 0 || cut === bytes.length) return { part1: bytes };
  return { part1: bytes.subarray(0, cut), part2: bytes.subarray(cut) };
}

/** Offset of the last Annex B start code (3 zero-prefixed bytes 00 00 01) after offset 0, or 0. */
function lastStartCode(bytes: Uint8Array): number {
  for (let i = bytes.length - 3; i > 0; i--) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) return bytes[i - 1] === 0 ? i - 1 : i;
  }
  return 0;
}

/** Flips 1..8 random bits of a copy. */
function bitflip(rand: () => number, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const n = 1 + Math.floor(rand() * 8);
  for (let k = 0; k < n && out.length > 0; k++) {
    const i = Math.floor(rand() * out.length);
    out[i] ^= 1 << Math.floor(rand() * 8);
  }
  return out;
}

/** Replaces the NAL header byte after the first start code with a random (often reserved) type. */
function bogusNalType(rand: () => number, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i + 3 < out.length; i++) {
    if (out[i] === 0 && out[i + 1] === 0 && out[i + 2] === 1) {
      // forbidden_zero_bit, nal_ref_idc and nal_unit_type all random: 0, 13..23, 24..31 are reserved/unspecified.
      out[i + 3] = Math.floor(rand() * 256);
      if (rand() < 0.7) break;
    }
  }
  return out;
}

/** Random bytes (a shared scratch sized once; `n` bytes of it). */
function garbage(rand: () => number, scratch: Uint8Array, n: number): Uint8Array {
  const len = Math.min(n, scratch.length);
  const start = Math.floor(rand() * (scratch.length - len + 1));
  return scratch.subarray(start, start + len);
}

/** Inputs and state of one fuzz run. */
export interface FuzzSource {
  readonly rand: () => number;
  /** Access units, each one contiguous Annex B buffer (start codes included). */
  readonly videoUnits: readonly Uint8Array[];
  /** Index of the first unit of each GOP in `videoUnits` (IDR units). */
  readonly idrIndexes: readonly number[];
  readonly adts: readonly Uint8Array[];
  /** Random bytes, made once; also a source of "huge" units larger than the pool. */
  readonly scratch: Uint8Array;
}

/** Clock of the generated stream: advances per valid frame, and is broken on purpose by timestamp mutations. */
export interface FuzzClock {
  videoIndex: number;
  pts90k: number;
  audioPts90k: number;
}

/**
 * The next video pack: mostly the next real access unit (so segments keep being produced), the rest
 * mutated in one of the ways listed in {@link MutationKind}.
 *
 * @returns the pack and what was done to it
 */
export function nextVideoPack(src: FuzzSource, clock: FuzzClock): { pack: VideoFramePack; kind: MutationKind } {
  const r = src.rand;
  // Sometimes jump to a random GOP start, so drops recover at an IDR and GOP lengths vary.
  if (r() < 0.01) clock.videoIndex = src.idrIndexes[Math.floor(r() * src.idrIndexes.length)];
  const unit = src.videoUnits[clock.videoIndex % src.videoUnits.length];
  clock.videoIndex++;
  clock.pts90k += 3_600;
  const pts90k = clock.pts90k;
  const roll = r();
  let kind: MutationKind;
  let items: PackItem[];
  let timing: { pts90k?: number; dts90k?: number; timestampUs?: number } = { pts90k };
  if (roll < 0.62) {
    kind = 'valid';
    items = [{ part1: unit }];
    if (r() < 0.2) timing = { timestampUs: Math.round(pts90k / 0.09) };
  } else if (roll < 0.77) {
    kind = 'wrapped';
    items = [wrapAt(r, unit)];
  } else if (roll < 0.81) {
    kind = 'multi-item';
    // Split at a NAL unit boundary (each item must hold whole NAL units), each item wrapped anywhere.
    const cut = lastStartCode(unit);
    items = cut > 0 ? [wrapAt(r, unit.subarray(0, cut)), wrapAt(r, unit.subarray(cut))] : [wrapAt(r, unit)];
  } else if (roll < 0.86) {
    kind = 'bitflip';
    items = [wrapAt(r, bitflip(r, unit))];
  } else if (roll < 0.89) {
    kind = 'truncate';
    items = [wrapAt(r, unit.subarray(0, Math.floor(r() * unit.length)))];
  } else if (roll < 0.92) {
    kind = 'bogus-nal-type';
    items = [wrapAt(r, bogusNalType(r, unit))];
  } else if (roll < 0.93) {
    kind = 'no-start-code';
    items = [{ part1: garbage(r, src.scratch, 1 + Math.floor(r() * 64)).map((b) => b | 0x80) }];
  } else if (roll < 0.933) {
    kind = 'huge';
    // Starts like a slice, then megabytes of random bytes: larger than the fuzz pool.
    const huge = src.scratch;
    huge[0] = 0;
    huge[1] = 0;
    huge[2] = 1;
    huge[3] = 0x65;
    items = [wrapAt(r, huge)];
  } else if (roll < 0.948) {
    kind = 'garbage';
    items = [wrapAt(r, garbage(r, src.scratch, Math.floor(r() * 4096)))];
  } else if (roll < 0.952) {
    kind = 'empty';
    items = [];
  } else if (roll < 0.956) {
    kind = 'zero-parts';
    items = [{ part1: new Uint8Array(0), part2: new Uint8Array(0) }];
  } else if (roll < 0.96) {
    kind = 'part2-only';
    items = [{ part1: new Uint8Array(0), part2: unit }];
  } else if (roll < 0.964) {
    kind = 'ts-backwards';
    clock.pts90k = Math.max(0, clock.pts90k - Math.floor(r() * 900_000));
    items = [{ part1: unit }];
    timing = { pts90k: clock.pts90k };
  } else if (roll < 0.967) {
    kind = 'ts-jump';
    // Forward jumps, some past 2^32 and 2^33 (the 33-bit wire wrap).
    clock.pts90k += r() < 0.3 ? 2 ** 32 + Math.floor(r() * 2 ** 32) : Math.floor(r() * 3_000_000);
    items = [{ part1: unit }];
    timing = { pts90k: clock.pts90k };
  } else if (roll < 0.985) {
    kind = 'ts-bad';
    const bad = [Number.NaN, -1, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, 2 ** 60, 0.5];
    const v = bad[Math.floor(r() * bad.length)];
    items = [{ part1: unit }];
    timing = r() < 0.5 ? { pts90k: v } : r() < 0.5 ? { timestampUs: v } : {};
  } else {
    kind = 'dts-after-pts';
    items = [{ part1: unit }];
    timing = { pts90k, dts90k: pts90k + 1 + Math.floor(r() * 9000) };
  }
  return { pack: { items, ...timing }, kind };
}

/**
 * The next audio pack: 1-3 real ADTS frames (sometimes wrapped), or garbage, a bit-flipped or
 * truncated frame, or a bad timestamp.
 */
export function nextAudioPack(src: FuzzSource, clock: FuzzClock): { pack: AudioFramePack; kind: MutationKind } {
  const r = src.rand;
  const n = 1 + Math.floor(r() * 3);
  const first = Math.floor(r() * (src.adts.length - n));
  const frames = src.adts.slice(first, first + n);
  // Audio follows video (within ±0.2 s), also after a video timestamp reset or jump.
  const next = clock.audioPts90k + 1_920 * n;
  clock.audioPts90k = next > clock.pts90k + 18_000 || next < clock.pts90k - 18_000 ? clock.pts90k : next;
  const pts90k = clock.audioPts90k;
  const whole = frames.length === 1 ? frames[0] : Uint8Array.from(frames.flatMap((f) => Array.from(f)));
  const roll = r();
  if (roll < 0.6) return { pack: { items: [{ part1: whole }], pts90k }, kind: 'valid' };
  if (roll < 0.75) return { pack: { items: [wrapAt(r, whole)], pts90k }, kind: 'wrapped' };
  if (roll < 0.8) return { pack: { items: frames.map((f) => wrapAt(r, f)), pts90k }, kind: 'multi-item' };
  if (roll < 0.87) return { pack: { items: [wrapAt(r, bitflip(r, whole))], pts90k }, kind: 'bitflip' };
  if (roll < 0.92) return { pack: { items: [wrapAt(r, whole.subarray(0, Math.floor(r() * whole.length)))], pts90k }, kind: 'truncate' };
  if (roll < 0.97) return { pack: { items: [wrapAt(r, garbage(r, src.scratch, Math.floor(r() * 2048)))], pts90k }, kind: 'garbage' };
  if (roll < 0.985) return { pack: { items: [{ part1: whole }], pts90k: Number.NaN }, kind: 'ts-bad' };
  return { pack: { items: [{ part1: whole }], pts90k: Math.max(0, pts90k - 90_000) }, kind: 'ts-backwards' };
}
