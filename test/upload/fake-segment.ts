/**
 * Test Segment objects: random bytes (a multiple of 188), optionally split into two parts the way
 * a segment that wraps the pool is, and a release() that records its calls.
 */
import { randomBytes } from 'node:crypto';
import type { Segment } from '../../src/types.js';

/** A fake segment plus what the test needs to check. */
export interface FakeSegment extends Segment {
  /** The whole content, contiguous (what S3 must store). */
  readonly bytesWhole: Buffer;
  /** How many times release() was called. */
  readonly releaseCount: number;
}

/** Options of {@link fakeSegment}. */
export interface FakeSegmentOptions {
  readonly streamId?: string;
  readonly sequence?: number;
  /** TS packets. @defaultValue 20 */
  readonly packets?: number;
  /** Split into two parts at this byte (a wrapped segment). @defaultValue one part */
  readonly splitAt?: number;
  readonly startTimeMs?: number;
  readonly durationTicks?: number;
  readonly discontinuity?: boolean;
  /** Called on release (after counting). */
  readonly onRelease?: (seg: FakeSegment) => void;
}

/**
 * Builds a segment whose parts are views into a larger "pool" buffer (so a body that copied or
 * read past a view would be caught by the byte comparison).
 */
export function fakeSegment(o: FakeSegmentOptions = {}): FakeSegment {
  const sequence = o.sequence ?? 0;
  const byteLength = (o.packets ?? 20) * 188;
  const whole = randomBytes(byteLength);
  for (let i = 0; i < byteLength; i += 188) whole[i] = 0x47;
  const pool = randomBytes(byteLength + 64);
  let parts: Uint8Array[];
  if (o.splitAt !== undefined && o.splitAt > 0 && o.splitAt < byteLength) {
    // Second part at the pool's start, first part at its end: the wrap-around layout.
    const tail = byteLength - o.splitAt;
    whole.copy(pool, 0, o.splitAt);
    const firstAt = pool.length - o.splitAt - 7;
    whole.copy(pool, firstAt, 0, o.splitAt);
    parts = [pool.subarray(firstAt, firstAt + o.splitAt), pool.subarray(0, tail)];
  } else {
    whole.copy(pool, 32);
    parts = [pool.subarray(32, 32 + byteLength)];
  }
  let releaseCount = 0;
  const startTimeMs = o.startTimeMs ?? 1_795_316_400_000 + sequence * 2000;
  const seg: FakeSegment = {
    streamId: o.streamId ?? 'cam1',
    sequence,
    // Tests use small numbers; HlsStream derives it from the run's start time.
    mediaSequence: sequence,
    firstPts90k: 900_000 + sequence * 180_000,
    durationTicks: o.durationTicks ?? 180_000,
    startTimeMs,
    byteLength,
    parts,
    discontinuity: o.discontinuity ?? sequence === 0,
    discontinuityReason: (o.discontinuity ?? sequence === 0) ? 'start' : undefined,
    videoFrames: 50,
    audioFrames: 94,
    codecs: 'avc1.42c01e,mp4a.40.2',
    width: 640,
    height: 360,
    overTarget: false,
    bytesWhole: whole,
    get releaseCount() {
      return releaseCount;
    },
    release() {
      releaseCount++;
      o.onRelease?.(seg);
    },
  };
  return seg;
}

/** Reads a whole stream/body from GetObject into a Buffer. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  const b = body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await b.transformToByteArray());
}
