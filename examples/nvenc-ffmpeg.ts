/**
 * The GPU encoding path of multi-camera servers: ffmpeg decodes a camera (RTSP, or a V4L2 device)
 * and encodes it with NVENC (`h264_nvenc`), the SDK demuxes its MPEG-TS keeping ffmpeg's PTS/DTS,
 * muxes HLS segments and uploads them. Needs an NVIDIA GPU (`nvidia-smi`) and ffmpeg with NVENC.
 *
 *     CAMERA=rtsp://10.0.0.5/stream1 S3HLS_BUCKET=footage npx tsx examples/nvenc-ffmpeg.ts
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { FfmpegSource } from '../src/sources/ffmpeg-source.js';
import { HlsStream } from '../src/stream/hls-stream.js';
import { Uploader } from '../src/upload/uploader.js';

const input = process.env['CAMERA'] ?? 'rtsp://127.0.0.1:8554/cam';
const uploader = new Uploader({ bucket: process.env['S3HLS_BUCKET'] ?? 'footage', credentials: fromNodeProviderChain() });
const stream = new HlsStream({ streamId: 'gpu-cam', sink: uploader.sinkFor('gpu-cam', { prefix: 'cameras/gpu-cam' }), targetSegmentSeconds: 2 });
stream.on('drop', (d) => console.warn(`dropped ${d.frames} ${d.kind}: ${d.code}`));

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
const source = new FfmpegSource(stream, {
  input,
  inputArgs: input.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : [],
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
console.log(report.complete ? 'all stored' : `${report.pending.length} segments not stored`);
