/**
 * `s3hls/playlist`: playlists from what is stored, as functions (no server): list a camera's
 * segments, turn keys into records, pick a live window, render m3u8, resolve segment URLs
 * (public base or presigned), or all of it behind one `PlaybackService` (what serve, the Lambda and
 * the CLI use). docs/playback.md describes the rules.
 */
export { listSegments, listCameras, timeSegmentListing, type ListSegmentsOptions, type SegmentListing, type ListCamerasOptions } from '../playlist/segment-index.js';
export { recordsFromKeys, DEFAULT_GAP_TOLERANCE_MS, type SegmentRecord } from '../playlist/segment-records.js';
export { selectLiveWindow, settledRecords, DEFAULT_LIVE_WINDOW, DEFAULT_LIVE_GRACE_MS, type LiveWindow, type SettleOptions } from '../playlist/live-window.js';
export { renderMediaPlaylist, targetDurationSeconds, type PlaylistKind, type RenderPlaylistInput } from '../playlist/m3u8-renderer.js';
export { presignedUrlResolver, baseUrlResolver, MAX_PRESIGN_SECONDS, type SegmentUrlResolver, type PresignOptions } from '../playlist/segment-urls.js';
export { parseTimeParam, TimeParamError } from '../playlist/time-param.js';
export { querySpans, mergeSpans, spanToJson, SPAN_GAP_MS, type RecordingSpan, type RecordingSpanJson, type SpanSegment, type QuerySpansOptions } from '../recordings/spans.js';
export { exportClip, ExportRangeError, DEFAULT_MAX_EXPORT_RANGE_MS, type ExportClipOptions, type SkippedGap } from '../export/clip-exporter.js';
export { PlaybackService, type PlaybackServiceOptions, type PlaybackWindow, type ClipRequest } from '../playback/playback-service.js';
