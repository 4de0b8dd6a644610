/**
 * Many cameras in one process, sharing one upload queue: a CameraManager runs an ffmpeg source per
 * camera, and each camera's stream and upload sink are built by the composition root
 * (CameraPipeline), as `s3hls upload --config` does; cameras are added and removed while it runs; a
 * crash of one (its ffmpeg child killed) restarts that camera alone with a discontinuity.
 *
 *     npm run example -- multi-camera         (examples/README.md: the environment it reads)
 *
 * Needs ffmpeg. Exit status 1 when any segment was not stored or any frame was dropped: a run that
 * lost footage (no credentials, say) must not look like a success.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CameraPipeline, Uploader } from 's3hls';
import { CameraManager, FfmpegSource } from 's3hls/sources';

const endpoint = process.env['S3HLS_ENDPOINT'];
const uploader = new Uploader({
  bucket: process.env['S3HLS_BUCKET'] ?? 'footage',
  ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  credentials: fromNodeProviderChain(),
  concurrency: 8,
});
uploader.on('error', (e) => console.warn(`${e.streamId}: ${e.code} ${e.name}: ${e.message}`));
uploader.on('credentials-needed', (e) => console.warn(`credentials refused or missing (${e.reason}); segments held, retry in ${e.retryInMs} ms`));

const sources = new Map<string, FfmpegSource>();
const pipelines = new Map<string, CameraPipeline>();
const manager = new CameraManager({
  prefix: 'site-a',
  // The pipeline builds a camera's stream and its upload sink together: the manager asks for the
  // sink first (here the pipeline is built), then for the stream (the pipeline's).
  sinkFor: (spec, prefix) => {
    pipelines.get(spec.id)?.dispose(); // a camera added again: its old pipeline stops listening
    const pipeline = new CameraPipeline({ streamId: spec.id, prefix, uploader, tags: 'site=a', targetSegmentSeconds: 2 });
    pipelines.set(spec.id, pipeline);
    return pipeline.startUpload();
  },
  createStream: (spec) => pipelines.get(spec.id)!.stream,
  createSource: (spec, target) => {
    const s = new FfmpegSource(target, spec);
    sources.set(spec.id, s);
    return s;
  },
});
manager.on('camera-failed', (id, e) => console.warn(`camera ${id} failed: ${e.message}`));
manager.on('camera-stalled', (id) => console.warn(`camera ${id} stalled, restarting`));

// Test patterns stand in for RTSP cameras: { id, input: 'rtsp://…', encoder: 'copy' } in the field.
const pattern = (id: string, hue: number) => ({
  id,
  input: `testsrc2=size=640x360:rate=25,hue=h=${hue}`,
  inputArgs: ['-f', 'lavfi'],
  encoder: 'libx264' as const,
  realtime: true,
  live: true,
  audio: false,
});
for (let i = 0; i < 4; i++) void manager.add(pattern(`cam-${i}`, i * 90));

const halfMs = (Number(process.env['S3HLS_SECONDS'] ?? '12') * 1000) / 2;
await new Promise((r) => setTimeout(r, halfMs));
sources.get('cam-1')?.killChild(); // a crash: only cam-1 restarts, with a discontinuity
await manager.remove('cam-3'); // removed at run time: its open segment is finalized
void manager.add(pattern('cam-4', 45)); // added at run time
await new Promise((r) => setTimeout(r, halfMs));

let dropped = 0;
for (const c of manager.list()) {
  dropped += c.stream.videoFramesDropped + c.stream.audioFramesDropped;
  console.log(`${c.id}: ${c.state}, ${c.stream.segments} segments, ${c.stream.videoFramesDropped} dropped`);
}
await manager.stopAll();
const report = await uploader.drain({ timeoutMs: Number(process.env['S3HLS_DRAIN_SECONDS'] ?? '20') * 1000 });
await uploader.close();
console.log(
  `example: ${uploader.stats().uploadedSegments} segments stored, ${dropped} frames dropped, ${report.complete ? 'complete' : `incomplete (${report.pending.length} segments not stored)`}`,
);
process.exitCode = report.complete && dropped === 0 ? 0 : 1;
