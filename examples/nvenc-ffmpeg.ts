/**
 * The GPU encoding path of multi-camera servers: ffmpeg decodes a camera (RTSP, or a V4L2 device)
 * and encodes it with NVENC (`h264_nvenc`), the SDK demuxes its MPEG-TS keeping ffmpeg's PTS/DTS,
 * muxes HLS segments and uploads them. Needs an NVIDIA GPU (`nvidia-smi`) and ffmpeg with NVENC.
 *
 *     CAMERA=rtsp://10.0.0.5/stream1 npm run example -- nvenc-ffmpeg
 *
 * (CAMERA_FORMAT=lavfi CAMERA=testsrc2=size=1280x720:rate=25 tries the GPU without a camera.
 * Exit status 1 when anything was not stored; 3 when there is no GPU.)
 */
import { spawnSync } from 'node:child_process';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CameraPipeline, Uploader } from 's3hls';
import { FfmpegSource } from 's3hls/sources';

if (spawnSync('nvidia-smi', ['-L'], { stdio: 'ignore' }).status !== 0) {
  console.error('nvenc-ffmpeg: no NVIDIA GPU here (nvidia-smi not found or failed): this example needs one for h264_nvenc');
  process.exit(3);
}
const input = process.env['CAMERA'] ?? 'rtsp://127.0.0.1:8554/cam';
const endpoint = process.env['S3HLS_ENDPOINT'];
const uploader = new Uploader({ bucket: process.env['S3HLS_BUCKET'] ?? 'footage', ...(endpoint ? { endpoint, forcePathStyle: true } : {}), credentials: fromNodeProviderChain() });
const camera = new CameraPipeline({ streamId: 'gpu-cam', prefix: 'cameras/gpu-cam', uploader, targetSegmentSeconds: 2 });
const stream = camera.stream;
stream.on('drop', (d) => console.warn(`dropped ${d.frames} ${d.kind}: ${d.code}`));

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
if (process.env['S3HLS_SECONDS']) setTimeout(() => stop.abort(), Number(process.env['S3HLS_SECONDS']) * 1000).unref();
const lavfi = process.env['CAMERA_FORMAT'] === 'lavfi';
const source = new FfmpegSource(stream, {
  input,
  inputArgs: input.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : lavfi ? ['-re', '-f', 'lavfi'] : [],
  encoder: 'h264_nvenc', // -preset p4 -tune ll -bf 0 -forced-idr 1, keyframes every 2 s
  keyframeSeconds: 2,
  live: true, // restart with backoff when the camera or ffmpeg dies; a discontinuity marks it
  signal: stop.signal,
});
source.on('exit', (e) => e.restartInMs !== undefined && console.warn(`ffmpeg exited (${e.lastError}); restarting in ${e.restartInMs} ms`));

await source.run();
stream.finalize();
const report = await uploader.drain({ timeoutMs: 30_000 });
await uploader.close();
const stats = stream.stats();
const dropped = stats.videoFramesDropped + stats.audioFramesDropped;
console.log(
  `example: ${uploader.stats().uploadedSegments} segments stored, ${dropped} frames dropped, ${report.complete ? 'complete' : `incomplete (${report.pending.length} segments not stored)`}`,
);
process.exitCode = report.complete && dropped === 0 ? 0 : 1;
