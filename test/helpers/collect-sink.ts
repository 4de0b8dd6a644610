/**
 * A test sink that copies every segment out of the pool (so later tests can look at it after the
 * pool reused the space) and releases it at once, or holds it until told.
 */
import type { Segment, SegmentSink } from '../../src/types.js';

/** A collected segment: its metadata and a copy of its bytes. */
export interface CollectedSegment {
  readonly meta: Omit<Segment, 'parts' | 'release'>;
  readonly bytes: Buffer;
  /** How many parts the segment had in the pool (2 = it wrapped). */
  readonly partCount: number;
}

/** Collects segments; `hold` keeps them unreleased (to fill the pool). */
export class CollectSink implements SegmentSink {
  readonly segments: CollectedSegment[] = [];
  readonly held: Segment[] = [];
  ended = false;
  constructor(readonly options: { hold?: boolean } = {}) {}

  onSegment(segment: Segment): void {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- destructured only to leave it out of `meta`, never called
    const { parts, release: _release, ...meta } = segment;
    this.segments.push({ meta, bytes: Buffer.concat(parts.map((p) => Buffer.from(p))), partCount: parts.length });
    if (this.options.hold) this.held.push(segment);
    else segment.release();
  }

  onEnd(): void {
    this.ended = true;
  }

  /** Releases every held segment. */
  releaseAll(): void {
    for (const s of this.held.splice(0)) s.release();
  }
}
