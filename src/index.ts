/**
 * s3hls: H.264/AAC encoder output → HLS MPEG-TS segments in a fixed-size pool → S3 → playlists.
 * Named exports only. docs/architecture.md shows how the pieces fit.
 */
export type { PackItem, PackTiming, VideoFramePack, AudioFramePack, Segment, SegmentSink, DiscontinuityReason } from './types.js';
export { ErrorCode, S3HlsError, type ErrorCodeValue } from './errors.js';

// C-style API (firmware apps) and the instance API (many cameras per process).
export { S3HLS, S3Hls, type S3HlsConfig, type S3HlsStats, type FinalizeOptions } from './api/s3hls.js';
export { HlsStream, type HlsStreamOptions, type HlsStreamEvents, type DropEvent } from './stream/hls-stream.js';
export type { StreamStats } from './stream/stream-stats.js';
export { SegmentPool, DEFAULT_POOL_BYTES, type PoolStats } from './pool/segment-pool.js';

// Upload.
export * from './upload/index.js';

// Object keys.
export { segmentKey, parseSegmentKey, startAfterKey, validatePrefix, validateCameraId, type KeyLayout, type SegmentKeyFields, type ParsedSegmentKey } from './keys/object-keys.js';
