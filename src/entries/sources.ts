/**
 * `s3hls/sources`: where frame packs come from when the encoder is not your own code: Annex B files
 * and pipes, ffmpeg (libx264, NVENC, a camera copied through), a SharedArrayBuffer ring filled by a
 * worker thread, and the camera manager that runs many of them. docs/sources.md describes each.
 */
export type { FrameTarget } from '../sources/frame-target.js';
export { FfmpegSource, type FfmpegSourceOptions, type FfmpegSourceEvents, type FfmpegRunResult } from '../sources/ffmpeg-source.js';
export { ffmpegArgs, FFMPEG_ENCODERS, type FfmpegEncoder, type FfmpegArgsOptions } from '../sources/ffmpeg-args.js';
export { AnnexBSource, type AnnexBSourceOptions, type AnnexBRunResult } from '../sources/annexb-source.js';
export { createSharedRing } from '../sources/shared-ring-layout.js';
export { SharedRingWriter } from '../sources/shared-ring-writer.js';
export { SharedRingReader, type SharedRingRunOptions, type SharedRingRunResult } from '../sources/shared-ring-reader.js';
export { CameraManager, type CameraManagerOptions, type CameraManagerEvents, type CameraSpec, type CameraStatus, type CameraState } from '../sources/camera-manager.js';
export { SourceError, SourceErrorCode, type SourceErrorCodeValue } from '../sources/source-errors.js';
export { AccessUnitSplitter, type AccessUnit } from '../h264/access-unit-splitter.js';
export { FrameTiming, parseFps } from '../h264/frame-timing.js';
export { parseSps, type SpsInfo } from '../h264/sps.js';
