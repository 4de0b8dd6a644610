/**
 * An encoder in a worker thread writes access units into a SharedArrayBuffer ring; the main thread
 * hands them to the muxer as views into the ring (two parts when a unit wrapped), with no copy
 * between the threads — the shared-memory camera queue of multi-camera encoders, in Node.
 *
 *     npm run example -- shared-ring          (examples/README.md: the environment it reads)
 *
 * Exit status 1 when anything was not stored.
 */
import { Worker } from 'node:worker_threads';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CameraPipeline, Uploader } from 's3hls';
import { createSharedRing, SharedRingReader } from 's3hls/sources';

const endpoint = process.env['S3HLS_ENDPOINT'];
const uploader = new Uploader({ bucket: process.env['S3HLS_BUCKET'] ?? 'footage', ...(endpoint ? { endpoint, forcePathStyle: true } : {}), credentials: fromNodeProviderChain() });
uploader.on('error', (e) => console.warn(`${e.streamId}: ${e.code} ${e.name}: ${e.message}`));
const camera = new CameraPipeline({ streamId: 'ring-cam', prefix: 'cameras/ring-cam', uploader });

const ring = createSharedRing({ capacityBytes: 2 * 1024 * 1024, slots: 64 });
// The worker is a sibling .js file once built (npm run example builds the examples first).
const worker = new Worker(new URL('./shared-ring-encoder.worker.js', import.meta.url), { workerData: { ring } });
const workerFailed = new Promise<Error>((resolve) => worker.once('error', resolve));
const result = await Promise.race([new SharedRingReader(ring).run(camera.stream), workerFailed.then((e) => Promise.reject(e))]); // until the worker closes the ring
await worker.terminate();
camera.stream.finalize();
const report = await uploader.drain({ timeoutMs: Number(process.env['S3HLS_DRAIN_SECONDS'] ?? '30') * 1000 });
await uploader.close();
const stats = camera.stream.stats();
const dropped = stats.videoFramesDropped + stats.audioFramesDropped;
console.log(`${result.frames} frames (${result.wrapped} wrapped) from the worker`);
console.log(
  `example: ${uploader.stats().uploadedSegments} segments stored, ${dropped} frames dropped, ${report.complete ? 'complete' : `incomplete (${report.pending.length} segments not stored)`}`,
);
process.exitCode = report.complete && dropped === 0 && camera.failedSegments === 0 ? 0 : 1;
