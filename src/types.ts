/**
 * The contracts between the stages of s3hls: what an encoder hands in (frame packs), what the muxer
 * hands out (segments), and who consumes segments (sinks). Every other module depends on this file;
 * it depends on nothing.
 *
 * Time units: integer 90 kHz ticks inside the SDK (`*Ticks`, `pts90k`), microseconds at the C-style
 * API (`timestampUs`, as the reference C SDK), milliseconds for wall-clock times (`*Ms`).
 */

/**
 * One item of a frame pack: one or more Annex B NAL units (or ADTS frames for audio), given as the
 * bytes up to the end of the encoder's ring (`part1`) and, when the item wrapped around the end of
 * that ring, the rest from its start (`part2`). The split may fall anywhere: inside a start code,
 * inside a NAL header, inside the payload.
 *
 * The SDK copies what it needs before `putVideoFrame`/`putAudioFrame` returns, so the caller may
 * reuse both buffers at once.
 */
export interface PackItem {
  /** Bytes up to the end of the encoder's ring (or the whole item when it did not wrap). */
  readonly part1: Uint8Array;
  /** Bytes that wrapped to the start of the ring; absent or empty when the item did not wrap. */
  readonly part2?: Uint8Array | undefined;
}

/** Timestamps of a pack: microseconds (the reference C SDK's unit) or explicit 90 kHz PTS/DTS. */
export interface PackTiming {
  /**
   * Presentation time in microseconds, any epoch (monotonic clock of the encoder). Used when
   * `pts90k` is absent. Converted to 90 kHz ticks as `round(timestampUs * 9 / 100)`.
   */
  readonly timestampUs?: number | undefined;
  /** Presentation timestamp in 90 kHz ticks (any non-negative integer; reduced modulo 2^33 on the wire). */
  readonly pts90k?: number | undefined;
  /** Decode timestamp in 90 kHz ticks; defaults to `pts90k`. Needed for streams with B-frames. */
  readonly dts90k?: number | undefined;
  /** Decode timestamp in microseconds, with `timestampUs`; defaults to it. Needed for streams with B-frames. */
  readonly decodeTimestampUs?: number | undefined;
}

/** One H.264 access unit (one frame) as the encoder produced it. */
export interface VideoFramePack extends PackTiming {
  /** The NAL units of the access unit, in decode order. AUD, SPS, PPS and SEI may be among them. */
  readonly items: readonly PackItem[];
}

/** One or more AAC ADTS frames; the timestamp is the first frame's, the next ones follow at 1024 samples each. */
export interface AudioFramePack extends PackTiming {
  /** ADTS frames (each with its 7- or 9-byte header), in order. */
  readonly items: readonly PackItem[];
}

/** Why a segment starts a new timeline in the playlist (RFC 8216 §4.3.2.3 EXT-X-DISCONTINUITY). */
export type DiscontinuityReason =
  /** The first segment a stream produced since initialize/startUpload (the camera or process restarted). */
  | 'start'
  /** Timestamps went backwards or reset. */
  | 'timestamp-reset'
  /** Timestamps jumped forward further than the configured maximum gap. */
  | 'timestamp-jump'
  /** Frames were dropped (full pool, bad input) between this segment and the previous one. */
  | 'dropped-frames'
  /** A source was restarted (ffmpeg child respawned, camera reconnected). */
  | 'source-restart'
  /** Live: the wall clock stepped (NTP) by more than the threshold; times follow the new wall clock. */
  | 'clock-step';

/**
 * A finished MPEG-TS segment: PAT, PMT, then PES packets starting with an IDR access unit.
 *
 * Its bytes live in the stream's pool: `parts` are views into it (one part, or two where the
 * segment wraps around the end of the pool), valid until `release()` is called. Nothing is copied
 * when a segment is handed out.
 */
export interface Segment {
  /** The stream (camera) this segment belongs to. */
  readonly streamId: string;
  /** 0-based sequence number within this run of the stream (this HlsStream object). */
  readonly sequence: number;
  /**
   * Media sequence number (RFC 8216 §6.2.2): `floor(startTimeMs of the run's first segment / 100) +
   * sequence`. It increases by one per segment and keeps increasing across camera and process
   * restarts (as long as segments average 100 ms or more), so a live playlist built from object
   * keys never numbers segments backwards. The object key carries this number.
   */
  readonly mediaSequence: number;
  /** PTS of the first access unit, 90 kHz ticks, unwrapped (monotonic across 33-bit wraps). */
  readonly firstPts90k: number;
  /** Duration in 90 kHz ticks: next segment's first PTS minus this one's (or last frame + frame duration at the end). */
  readonly durationTicks: number;
  /** Wall-clock time of the first frame, ms since the Unix epoch. */
  readonly startTimeMs: number;
  /** Total bytes (a multiple of 188). */
  readonly byteLength: number;
  /** Views of the bytes in the pool, in order; their lengths add up to `byteLength`. */
  readonly parts: readonly Uint8Array[];
  /** True when this segment does not continue the previous one (see `discontinuityReason`). */
  readonly discontinuity: boolean;
  /** Why, when `discontinuity` is true. */
  readonly discontinuityReason: DiscontinuityReason | undefined;
  /** Video access units in the segment. */
  readonly videoFrames: number;
  /** Audio packs (putAudioFrame calls, each one or more ADTS frames) in the segment. */
  readonly audioFrames: number;
  /** RFC 6381 codecs string for the tracks present, e.g. `avc1.64001f,mp4a.40.2`. */
  readonly codecs: string;
  /** Coded picture width from the SPS (after cropping), pixels. */
  readonly width: number;
  /** Coded picture height from the SPS (after cropping), pixels. */
  readonly height: number;
  /** True when the segment is longer than the target because the GOP was (reported, never cut mid-GOP). */
  readonly overTarget: boolean;
  /**
   * The device's own wall clock (`Date.now()`, not the anchored segment clock) when the segment was
   * cut, ms since the epoch; stored as `x-amz-meta-device-time-ms` so playback can compare it with
   * the key time and the server's `Date` (docs/keys.md, "Clocks"). Undefined for file inputs.
   */
  readonly deviceTimeMs?: number | undefined;
  /**
   * The object key recorded when the segment was muxed, for segments uploaded later from the disk
   * spool: a sink that stores segments must use it as is, never recompute it from today's prefix or
   * clock (docs/spool.md, "Keys"). Undefined for live segments (the sink computes the key).
   */
  readonly objectKey?: string | undefined;
  /**
   * Gives the segment's pool space back. Must be called exactly once, after the consumer is done
   * with `parts` (for the uploader: after S3 acknowledged it). Calls may come in any order; the pool
   * reuses space from the oldest segment as soon as it and all before it are released.
   */
  release(): void;
}

/** A consumer of finished segments: the upload queue, a file writer, a test collector. */
export interface SegmentSink {
  /**
   * Called synchronously, once per segment, in sequence order. The sink owns the segment until it
   * calls `segment.release()`; holding segments unreleased is how a sink applies backpressure (the
   * pool fills, then the stream drops frames by policy and counts them).
   */
  onSegment(segment: Segment): void;
  /** Called once when the stream is finalized, after its last segment. Optional. */
  onEnd?(streamId: string): void;
}
