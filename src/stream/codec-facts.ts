/**
 * Codec facts of a segment — the RFC 6381 CODECS string (from the SPS and the ADTS header), the
 * picture size and the measured frame rate — written as object metadata at upload time
 * (`x-amz-meta-codecs`, `-resolution`, `-frame-rate`) so that a multivariant playlist
 * (src/playlist/multivariant.ts) can be built from one HEAD request, never a segment body.
 */
import type { Segment } from '../types.js';

/** What a multivariant playlist says about a variant (RFC 8216 §4.3.4.2). */
export interface CodecFacts {
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`. */
  readonly codecs: string;
  /** Picture size after cropping, pixels; 0 when unknown. */
  readonly width: number;
  readonly height: number;
  /** Frames per second with three decimals (`25.000`, `29.970`); undefined when not measurable. */
  readonly frameRate: number | undefined;
}

/** The `x-amz-meta-*` names (without the prefix) the facts are stored under. */
export const CODEC_FACTS_METADATA = { codecs: 'codecs', resolution: 'resolution', frameRate: 'frame-rate' } as const;

/** 90 kHz: the tick rate of `durationTicks`. */
const TICKS_PER_SECOND = 90_000;

// What a valid value looks like, so metadata written by something else is never trusted blindly.
const CODECS = /^(avc1\.[0-9a-f]{6})(,mp4a\.40\.\d{1,2})?$/;
const RESOLUTION = /^(\d{1,5})x(\d{1,5})$/;
const FRAME_RATE = /^\d{1,3}(\.\d{1,3})?$/;

/**
 * The frame rate of a segment: frames over media duration, rounded to 3 decimals (the precision
 * RFC 8216 §4.3.4.2 FRAME-RATE uses). Measured, not read from the SPS VUI: many cameras write a
 * VUI timing that is not their real rate, and the player sees the real one.
 *
 * @param segment - the segment's frame count and duration
 * @returns frames per second, or undefined for fewer than 2 frames or no duration
 */
export function measuredFrameRate(segment: Pick<Segment, 'videoFrames' | 'durationTicks'>): number | undefined {
  if (segment.videoFrames < 2 || !(segment.durationTicks > 0)) return undefined;
  const fps = (segment.videoFrames * TICKS_PER_SECOND) / segment.durationTicks;
  return fps > 0 && fps < 1000 ? Math.round(fps * 1000) / 1000 : undefined;
}

/**
 * The metadata entries of a segment's facts (entries left out when unknown).
 *
 * @param segment - the finished segment
 * @returns `{ codecs, resolution, 'frame-rate' }` (subset)
 */
export function codecFactsMetadata(segment: Pick<Segment, 'codecs' | 'width' | 'height' | 'videoFrames' | 'durationTicks'>): Record<string, string> {
  const out: Record<string, string> = {};
  if (CODECS.test(segment.codecs)) out[CODEC_FACTS_METADATA.codecs] = segment.codecs;
  if (segment.width > 0 && segment.height > 0) out[CODEC_FACTS_METADATA.resolution] = `${segment.width}x${segment.height}`;
  const fps = measuredFrameRate(segment);
  if (fps !== undefined) out[CODEC_FACTS_METADATA.frameRate] = fps.toFixed(3);
  return out;
}

/**
 * Reads facts back from an object's metadata (S3 returns the names in lower case).
 *
 * @param metadata - HeadObject's `Metadata`
 * @returns the facts, or undefined when the object has no valid `codecs` entry (uploaded before
 *   facts were recorded, or by another tool)
 */
export function codecFactsFromMetadata(metadata: Readonly<Record<string, string>> | undefined): CodecFacts | undefined {
  const codecs = metadata?.[CODEC_FACTS_METADATA.codecs];
  if (codecs === undefined || !CODECS.test(codecs)) return undefined;
  const res = RESOLUTION.exec(metadata?.[CODEC_FACTS_METADATA.resolution] ?? '');
  const fpsText = metadata?.[CODEC_FACTS_METADATA.frameRate] ?? '';
  const fps = FRAME_RATE.test(fpsText) ? Number(fpsText) : undefined;
  return {
    codecs,
    width: res ? Number(res[1]) : 0,
    height: res ? Number(res[2]) : 0,
    frameRate: fps !== undefined && fps > 0 ? fps : undefined,
  };
}
