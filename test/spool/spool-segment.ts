/**
 * Segments for the spool tests: deterministic pseudo-random TS-shaped bytes (sync byte every 188),
 * as views into a larger "pool" buffer, optionally split in two parts like a segment that wraps the
 * pool; release() counts its calls.
 */
import type { Segment } from '../../src/types.js';

/** A test segment plus what the test checks. */
export interface TestSegment extends Segment {
  /** The whole content, contiguous. */
  readonly whole: Buffer;
  readonly releases: () => number;
}

/** Bytes from a small LCG, so a test run is reproducible. */
export function patternBytes(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = (seed * 2_654_435_761 + 1) % 4_294_967_296;
  for (let i = 0; i < length; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    b[i] = x % 256;
  }
  for (let i = 0; i < length; i += 188) b[i] = 0x47;
  return b;
}

/** Options of {@link testSegment}. */
export interface TestSegmentOptions {
  readonly streamId?: string;
  readonly sequence?: number;
  /** TS packets. @defaultValue 30 */
  readonly packets?: number;
  /** Split into two parts at this byte. */
  readonly splitAt?: number;
  readonly startTimeMs?: number;
}

/** Builds a segment (see the file comment). */
export function testSegment(o: TestSegmentOptions = {}): TestSegment {
  const sequence = o.sequence ?? 0;
  const byteLength = (o.packets ?? 30) * 188;
  const whole = patternBytes(byteLength, sequence + 1);
  const pool = Buffer.alloc(byteLength + 100, 0xee);
  let parts: Uint8Array[];
  if (o.splitAt !== undefined) {
    whole.copy(pool, 0, o.splitAt);
    const at = pool.length - o.splitAt;
    whole.copy(pool, at, 0, o.splitAt);
    parts = [pool.subarray(at), pool.subarray(0, byteLength - o.splitAt)];
  } else {
    whole.copy(pool, 50);
    parts = [pool.subarray(50, 50 + byteLength)];
  }
  let releases = 0;
  return {
    streamId: o.streamId ?? 'cam1',
    sequence,
    // Tests use small numbers; HlsStream derives it from the run's start time.
    mediaSequence: sequence,
    firstPts90k: 8_589_934_000 + sequence * 180_000, // past 2^33: unwrapped PTS must survive the file
    durationTicks: 180_000,
    startTimeMs: o.startTimeMs ?? 1_795_316_400_000 + sequence * 2_000,
    byteLength,
    parts,
    discontinuity: sequence === 0,
    discontinuityReason: sequence === 0 ? 'start' : undefined,
    videoFrames: 50,
    audioFrames: 94,
    codecs: 'avc1.64001f,mp4a.40.2',
    width: 1280,
    height: 720,
    overTarget: false,
    whole,
    releases: () => releases,
    release() {
      releases++;
    },
  };
}
