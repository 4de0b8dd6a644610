/**
 * s3hls: H.264/AAC encoder output → HLS MPEG-TS segments in a fixed-size pool → S3 → playlists.
 * Named exports only. docs/architecture.md shows how the pieces fit.
 */
export type { PackItem, PackTiming, VideoFramePack, AudioFramePack, Segment, SegmentSink, DiscontinuityReason } from './types.js';
export { ErrorCode, S3HlsError, type ErrorCodeValue } from './errors.js';

// C-style API (firmware apps) and the instance API (many cameras per process).
export { S3HLS, S3Hls, type S3HlsConfig, type S3HlsStats, type FinalizeOptions, type S3HlsFinalReport } from './api/s3hls.js';
export { HlsStream, type HlsStreamOptions, type HlsStreamEvents, type DropEvent } from './stream/hls-stream.js';
export type { StreamStats } from './stream/stream-stats.js';
export { SegmentPool, DEFAULT_POOL_BYTES, type PoolStats } from './pool/segment-pool.js';

// Upload.
export * from './upload/index.js';

// Object keys.
export { segmentKey, parseSegmentKey, startAfterKey, validatePrefix, validateCameraId, type KeyLayout, type SegmentKeyFields, type ParsedSegmentKey } from './keys/object-keys.js';

// Sources: where frame packs come from.
export type { FrameTarget } from './sources/frame-target.js';
export { FfmpegSource, type FfmpegSourceOptions, type FfmpegSourceEvents, type FfmpegRunResult } from './sources/ffmpeg-source.js';
export { ffmpegArgs, FFMPEG_ENCODERS, type FfmpegEncoder, type FfmpegArgsOptions } from './sources/ffmpeg-args.js';
export { AnnexBSource, type AnnexBSourceOptions, type AnnexBRunResult } from './sources/annexb-source.js';
export { createSharedRing } from './sources/shared-ring-layout.js';
export { SharedRingWriter } from './sources/shared-ring-writer.js';
export { SharedRingReader, type SharedRingRunOptions, type SharedRingRunResult } from './sources/shared-ring-reader.js';
export { CameraManager, type CameraManagerOptions, type CameraManagerEvents, type CameraSpec, type CameraStatus, type CameraState } from './sources/camera-manager.js';
export { TsDemuxer, type TsDemuxerHandlers, type DemuxedPes } from './sources/ts-demuxer.js';
export { SourceError, SourceErrorCode, type SourceErrorCodeValue } from './sources/source-errors.js';
export { AccessUnitSplitter, type AccessUnit } from './h264/access-unit-splitter.js';
export { FrameTiming, parseFps } from './h264/frame-timing.js';
export { parseSps, type SpsInfo } from './h264/sps.js';

// Playback: playlists from what is stored.
export { listSegments, listCameras, timeSegmentListing } from './playlist/segment-index.js';
export { recordsFromKeys, type SegmentRecord } from './playlist/segment-records.js';
export { selectLiveWindow } from './playlist/live-window.js';
export { renderMediaPlaylist, targetDurationSeconds } from './playlist/m3u8-renderer.js';
export { presignedUrlResolver, baseUrlResolver, type SegmentUrlResolver } from './playlist/segment-urls.js';
export { parseTimeParam, TimeParamError } from './playlist/time-param.js';
export { startPlaylistServer, type PlaylistServerOptions } from './server/playlist-server.js';
export { createPlaylistRoutes } from './server/playlist-routes.js';
export { createLambdaHandler } from './lambda/handler.js';
export { PlaybackService, type PlaybackServiceOptions } from './playback/playback-service.js';
export { HourIndexWriter, type HourIndexWriterOptions } from './recordings/hour-index-writer.js';
export { querySpans, type RecordingSpan } from './recordings/spans.js';
export { SegmentQueue } from './stream/segment-queue.js';

// The disk spool (long outages, restarts).
export * from './spool/index.js';
export { keyOfSegment, type KeyedSegment } from './keys/object-keys.js';

// The composition root: one camera = stream + uploader sink, wired in one place.
export * from './pipeline/index.js';
