/**
 * s3hls: H.264/AAC encoder output → HLS MPEG-TS segments in a fixed-size pool → S3 → playlists.
 * Named exports only. docs/architecture.md shows how the pieces fit.
 */
export type { PackItem, PackTiming, VideoFramePack, AudioFramePack, Segment, SegmentSink, DiscontinuityReason } from './types.js';
export { ErrorCode, S3HlsError, type ErrorCodeValue } from './errors.js';

// C-style API (firmware apps) and the instance API (many cameras per process).
export { S3HLS, S3Hls, type S3HlsConfig, type S3HlsStats, type FinalizeOptions, type S3HlsFinalReport, type WritableOptions } from './api/s3hls.js';
export type { FrameAccounting } from './api/s3hls-report.js';
export type { S3HlsWarning } from './api/timing-order-check.js';
export { HlsStream, type HlsStreamOptions, type HlsStreamEvents, type DropEvent } from './stream/hls-stream.js';
export type { StreamStats } from './stream/stream-stats.js';
export { DEFAULT_POOL_BYTES, type PoolStats } from './pool/segment-pool.js';
export { poolBytesFor, segmentBytesFromBitrate, segmentBytesFromGop, MAX_AUTO_POOL_BYTES, type PoolDecision, type StreamNeeds } from './pool/pool-sizing.js';
export { AnchoredClock, type AnchoredClockOptions, type ClockStep } from './stream/anchored-clock.js';

// Upload.
export * from './upload/index.js';

// Object keys.
export { segmentKey, parseSegmentKey, startAfterKey, validatePrefix, validateCameraId, type KeyLayout, type SegmentKeyFields, type ParsedSegmentKey } from './keys/object-keys.js';

// Sources (`s3hls/sources`), the TS writing blocks (`s3hls/mpegts`), playlists as functions
// (`s3hls/playlist`), the HTTP endpoint (`s3hls/server`) and the Lambda handler (`s3hls/lambda`) are
// subpath exports (package.json "exports"), so a firmware app's import graph stays small.

// The hour index an uploading process writes for fast recording queries (docs/recordings.md).
export { HourIndexWriter, type HourIndexWriterOptions } from './recordings/hour-index-writer.js';
export { closeIndexWriter } from './recordings/shared-index-writer.js';

// The disk spool (long outages, restarts).
export * from './spool/index.js';
export { keyOfSegment, type KeyedSegment } from './keys/object-keys.js';

// The composition root: one camera = stream + uploader sink, wired in one place.
export * from './pipeline/index.js';
