/**
 * One fuzz run: a stream fed seeded random and mutated packs, a sink that holds segments and releases
 * them out of order (so the pool fills and wraps), every segment checked by the independent
 * structural checker while its bytes are still in the pool. Shared by the bounded CI test and the
 * long run (`FUZZ_PACKS=… npx tap test/fuzz/frame-packs.test.ts`, or `node build/bench/fuzz-long.js`).
 */
import { HlsStream, type DropEvent } from '../../src/stream/hls-stream.js';
import type { StreamStats } from '../../src/stream/stream-stats.js';
import type { Segment } from '../../src/types.js';
import { checkTransportStream, type TsCheckState } from '../checker/ts-checker.js';
import { annexB, accessUnits } from '../helpers/annexb-units.js';
import { fixture } from '../helpers/fixtures.js';
import { adtsFrames, nextAudioPack, nextVideoPack, prng, type FuzzClock, type FuzzSource, type MutationKind } from './pack-mutator.js';

/** Pool of the fuzzed stream: small, so "pool full" and wrapped segments happen often. */
export const FUZZ_POOL_BYTES = 512 * 1024;

/** What a run saw. */
export interface FuzzReport {
  readonly seed: number;
  readonly packs: number;
  readonly kinds: Record<string, number>;
  /** Exceptions thrown by putVideoFrame/putAudioFrame/finalize (must be empty). */
  readonly thrown: string[];
  /** Structural checker findings, first few (must be empty). */
  readonly checkerErrors: string[];
  /** Invariant violations found during the run (must be empty). */
  readonly invariantErrors: string[];
  readonly segments: number;
  readonly wrappedSegments: number;
  readonly segmentVideoFrames: number;
  readonly segmentAudioFrames: number;
  readonly dropEventFrames: number;
  readonly stats: StreamStats;
  readonly elapsedMs: number;
  /** The last few drop reports, to see why a run ended dropping. */
  readonly recentDrops: readonly string[];
}

let cached: { units: Uint8Array[]; idrs: number[]; adts: Uint8Array[] } | undefined;

/** Real inputs: two libx264 fixtures (with and without AUDs, multi-slice) and an AAC file. */
function inputs(): { units: Uint8Array[]; idrs: number[]; adts: Uint8Array[] } {
  if (cached) return cached;
  const units: Uint8Array[] = [];
  const idrs: number[] = [];
  for (const name of ['baseline.h264', 'main-slices.h264'] as const) {
    for (const au of accessUnits(fixture(name))) {
      if (au.some((n) => (n[0] & 0x1f) === 5)) idrs.push(units.length);
      units.push(annexB(au, { shortStartCodes: units.length % 3 === 0 }));
    }
  }
  cached = { units, idrs, adts: adtsFrames(fixture('sine.aac')) };
  return cached;
}

/**
 * Runs `packs` packs (about 1 in 4 audio) through one stream with seed `seed`.
 *
 * @param seed - PRNG seed; the same seed gives the same run
 * @param packs - number of packs (video + audio)
 * @returns the report
 */
export function fuzzRun(seed: number, packs: number): FuzzReport {
  const t0 = performance.now();
  const { units, idrs, adts } = inputs();
  const rand = prng(seed);
  const scratch = new Uint8Array(Math.floor(FUZZ_POOL_BYTES * 1.25));
  for (let i = 0; i < scratch.length; i++) scratch[i] = Math.floor(rand() * 256);
  const src: FuzzSource = { rand, videoUnits: units, idrIndexes: idrs, adts, scratch };
  const clock: FuzzClock = { videoIndex: 0, pts90k: 0, audioPts90k: 0 };

  const kinds: Record<string, number> = {};
  const thrown: string[] = [];
  const checkerErrors: string[] = [];
  const invariantErrors: string[] = [];
  const held: Segment[] = [];
  const state: TsCheckState = { cc: new Map() };
  let segments = 0;
  let wrapped = 0;
  let segV = 0;
  let segA = 0;
  let dropEventFrames = 0;
  let lastSequence = -1;
  let nowMs = 1_700_000_000_000;

  const stream = new HlsStream({
    streamId: 'fuzz',
    poolBytes: FUZZ_POOL_BYTES,
    targetSegmentSeconds: 1,
    now: () => nowMs,
    sink: {
      onSegment(s) {
        segments++;
        segV += s.videoFrames;
        segA += s.audioFrames;
        if (s.parts.length > 1) wrapped++;
        if (s.sequence !== lastSequence + 1) invariantErrors.push(`segment sequence ${s.sequence} after ${lastSequence}`);
        lastSequence = s.sequence;
        let sum = 0;
        for (const p of s.parts) sum += p.byteLength;
        if (sum !== s.byteLength || s.byteLength % 188 !== 0) invariantErrors.push(`segment ${s.sequence}: parts ${sum} bytes, byteLength ${s.byteLength}`);
        if (s.videoFrames < 1) invariantErrors.push(`segment ${s.sequence} has no video frame`);
        const res = checkTransportStream(s.parts, { state });
        if (res.errors.length > 0 && checkerErrors.length < 20)
          checkerErrors.push(`seed ${seed} segment ${s.sequence} (${s.parts.length} part(s)): ${res.errors.slice(0, 3).join('; ')}`);
        // Hold some segments, release in a random order: out-of-order release and a filling pool.
        held.push(s);
        while (held.length > 0 && (held.length > 3 || rand() < 0.5)) {
          const k = Math.floor(rand() * held.length);
          held.splice(k, 1)[0].release();
        }
      },
    },
  });
  const recentDrops: string[] = [];
  stream.on('drop', (e: DropEvent) => {
    dropEventFrames += e.frames;
    if (recentDrops.push(`${e.kind} ${e.code}: ${e.message}`) > 8) recentDrops.shift();
  });

  const call = (what: string, fn: () => unknown): void => {
    try {
      fn();
    } catch (e) {
      if (thrown.length < 20) thrown.push(`seed ${seed} ${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  };

  for (let i = 0; i < packs; i++) {
    nowMs += 30;
    // The consumer also releases between segments (as an uploader's acks arrive), or a full pool
    // with nothing being emitted would never drain.
    if (held.length > 0 && rand() < 0.05) held.splice(Math.floor(rand() * held.length), 1)[0].release();
    if (rand() < 0.25) {
      const { pack, kind } = nextAudioPack(src, clock);
      kinds[`audio:${kind}`] = (kinds[`audio:${kind}`] ?? 0) + 1;
      call(`audio pack ${i} (${kind})`, () => stream.putAudioFrame(pack));
    } else {
      const { pack, kind } = nextVideoPack(src, clock);
      kinds[`video:${kind}`] = (kinds[`video:${kind}`] ?? 0) + 1;
      call(`video pack ${i} (${kind})`, () => stream.putVideoFrame(pack));
    }
    if (i % 5_000 === 0) {
      const s = stream.stats();
      // Video held at a pending cut (waiting for late audio) is neither written nor dropped yet.
      if (s.videoFramesIn !== s.videoFramesWritten + s.videoFramesDropped + s.videoFramesHeld || s.audioFramesIn !== s.audioFramesWritten + s.audioFramesDropped) {
        invariantErrors.push(`after pack ${i}: counters do not add up ${JSON.stringify(s)}`);
      }
    }
  }
  call('finalize', () => stream.finalize());
  for (const s of held.splice(0)) s.release();
  const stats = stream.stats();
  return {
    seed,
    packs,
    kinds,
    thrown,
    checkerErrors,
    invariantErrors,
    segments,
    wrappedSegments: wrapped,
    segmentVideoFrames: segV,
    segmentAudioFrames: segA,
    dropEventFrames,
    stats,
    elapsedMs: performance.now() - t0,
    recentDrops,
  };
}

/** Kinds of mutation that must have been exercised in a run of at least 10^4 packs. */
export const EXPECTED_KINDS: readonly `${'video' | 'audio'}:${MutationKind}`[] = [
  'video:valid',
  'video:wrapped',
  'video:bitflip',
  'video:truncate',
  'video:bogus-nal-type',
  'video:huge',
  'video:garbage',
  'video:ts-backwards',
  'video:ts-jump',
  'video:ts-bad',
  'audio:garbage',
  'audio:bitflip',
  'audio:wrapped',
];
