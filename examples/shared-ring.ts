/**
 * An encoder in a worker thread writes access units into a SharedArrayBuffer ring; the main thread
 * hands them to the muxer as views into the ring (two parts when a unit wrapped), with no copy
 * between the threads — the shared-memory camera queue of multi-camera encoders, in Node.
 *
 *     S3HLS_BUCKET=footage S3HLS_ENDPOINT=http://127.0.0.1:4568 npx tsx examples/shared-ring.ts
 */
import { Worker } from 'node:worker_threads';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createSharedRing } from '../src/sources/shared-ring-layout.js';
import { SharedRingReader } from '../src/sources/shared-ring-reader.js';
import { HlsStream } from '../src/stream/hls-stream.js';
import { Uploader } from '../src/upload/uploader.js';

const endpoint = process.env['S3HLS_ENDPOINT'];
const uploader = new Uploader({ bucket: process.env['S3HLS_BUCKET'] ?? 'footage', ...(endpoint ? { endpoint, forcePathStyle: true } : {}), credentials: fromNodeProviderChain() });
const stream = new HlsStream({ streamId: 'ring-cam', sink: uploader.sinkFor('ring-cam', { prefix: 'cameras/ring-cam' }) });

const ring = createSharedRing({ capacityBytes: 2 * 1024 * 1024, slots: 64 });
const worker = new Worker(new URL('./shared-ring-encoder.worker.ts', import.meta.url), { workerData: { ring } });
const result = await new SharedRingReader(ring).run(stream); // until the worker closes the ring
await worker.terminate();
stream.finalize();
const report = await uploader.drain({ timeoutMs: 30_000 });
await uploader.close();
console.log(`${result.frames} frames (${result.wrapped} wrapped), ${report.complete ? 'all stored' : `${report.pending.length} not stored`}`);
