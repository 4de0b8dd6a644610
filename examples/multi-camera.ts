/**
 * Many cameras in one process, sharing one upload queue: a CameraManager runs an ffmpeg source and
 * an HlsStream per camera; cameras are added and removed while it runs; a crash of one (its ffmpeg
 * child killed) restarts that camera alone with a discontinuity.
 *
 *     S3HLS_BUCKET=footage S3HLS_ENDPOINT=http://127.0.0.1:4568 npx tsx examples/multi-camera.ts
 */
import { CameraManager } from '../src/sources/camera-manager.js';
import { FfmpegSource } from '../src/sources/ffmpeg-source.js';
import { HlsStream } from '../src/stream/hls-stream.js';
import { Uploader } from '../src/upload/uploader.js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

const endpoint = process.env['S3HLS_ENDPOINT'];
const uploader = new Uploader({
  bucket: process.env['S3HLS_BUCKET'] ?? 'footage',
  ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  credentials: fromNodeProviderChain(),
  concurrency: 8,
});
uploader.on('error', (e) => console.warn(`${e.streamId}: ${e.code} ${e.name}`));

const sources = new Map<string, FfmpegSource>();
const manager = new CameraManager({
  prefix: 'site-a',
  sinkFor: (spec, prefix) => uploader.sinkFor(spec.id, { prefix, tags: 'site=a' }),
  createStream: (spec, sink) => new HlsStream({ streamId: spec.id, sink, targetSegmentSeconds: 2 }),
  createSource: (spec, target) => {
    const s = new FfmpegSource(target, spec);
    sources.set(spec.id, s);
    return s;
  },
});
manager.on('camera-failed', (id, e) => console.warn(`camera ${id} failed: ${e.message}`));
manager.on('camera-stalled', (id) => console.warn(`camera ${id} stalled, restarting`));

// Test patterns stand in for RTSP cameras: { id, input: 'rtsp://…', encoder: 'copy' } in the field.
const pattern = (id: string, hue: number) => ({ id, input: `testsrc2=size=640x360:rate=25,hue=h=${hue}`, inputArgs: ['-f', 'lavfi'], encoder: 'libx264' as const, realtime: true, live: true, audio: false });
for (let i = 0; i < 4; i++) void manager.add(pattern(`cam-${i}`, i * 90));

await new Promise((r) => setTimeout(r, 6_000));
sources.get('cam-1')?.killChild(); // a crash: only cam-1 restarts, with a discontinuity
await manager.remove('cam-3'); // removed at run time: its open segment is finalized
void manager.add(pattern('cam-4', 45)); // added at run time
await new Promise((r) => setTimeout(r, 6_000));

for (const c of manager.list()) console.log(`${c.id}: ${c.state}, ${c.stream.segments} segments, ${c.stream.videoFramesDropped} dropped`);
await manager.stopAll();
const report = await uploader.drain({ timeoutMs: 20_000 });
await uploader.close();
console.log(report.complete ? 'all stored' : `${report.pending.length} segments not stored`);
