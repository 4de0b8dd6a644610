/**
 * A firmware-style main loop on the C-style API (named as the AWS sample C SDK): the "encoder" owns
 * a fixed ring buffer and hands each frame over as one or two parts (when it wrapped around the end
 * of its ring) with a microsecond timestamp, exactly as a camera SoC's encoder ring does. Here the
 * encoder is simulated by the bundled clip split into access units, looped at real time until
 * SIGINT/SIGTERM (or S3HLS_SECONDS), which finalize cleanly: open segment cut, uploads drained.
 *
 *     npm run example -- firmware-loop        (examples/README.md: the environment it reads)
 *
 * Credentials: the standard AWS environment variables, passed in through setCredential as firmware
 * would after reading them from its secure storage. Exit status 1 when anything was not stored.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { S3HLS, type PackItem } from 's3hls';
import { AccessUnitSplitter } from 's3hls/sources';

const RING_BYTES = 256 * 1024; // the encoder's ring: frames wrap around its end
const FPS = 25;

/** A simulated encoder: writes each access unit (Annex B) into its ring and returns the two parts. */
class SimulatedEncoderRing {
  readonly #ring = new Uint8Array(RING_BYTES);
  #writePos = 0;

  /** Copies one frame in and returns the views the SDK gets (part2 when it wrapped). */
  push(nals: readonly Uint8Array[]): PackItem {
    const start = this.#writePos;
    let length = 0;
    for (const nal of nals) {
      for (const piece of [Uint8Array.of(0, 0, 0, 1), nal]) {
        for (let i = 0; i < piece.length; i++) this.#ring[(start + length + i) % RING_BYTES] = piece[i];
        length += piece.length;
      }
    }
    this.#writePos = (start + length) % RING_BYTES;
    const first = Math.min(length, RING_BYTES - start);
    return first === length ? { part1: this.#ring.subarray(start, start + length) } : { part1: this.#ring.subarray(start), part2: this.#ring.subarray(0, length - first) };
  }
}

/** The bundled demo clip, found through the package (works from the sources and from an install). */
function demoClip(): Buffer {
  const root = dirname(createRequire(import.meta.url).resolve('s3hls/package.json'));
  return readFileSync(join(root, 'assets/demo/clip.h264'));
}

async function mainLoop(): Promise<void> {
  const bucket = process.env['S3HLS_BUCKET'] ?? 'footage';
  const endpoint = process.env['S3HLS_ENDPOINT'];
  S3HLS.initialize({ bucket, prefix: 'cameras/firmware', ...(endpoint ? { endpoint, forcePathStyle: true } : {}), onDrop: (d) => console.warn(`dropped ${d.frames}: ${d.code}`) });
  const accessKeyId = process.env['AWS_ACCESS_KEY_ID'];
  const secret = process.env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secret) throw new Error('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the firmware reads them from its secure storage)');
  S3HLS.setCredential(accessKeyId, secret, process.env['AWS_SESSION_TOKEN']);
  S3HLS.setTag('device=firmware-example');
  S3HLS.startUpload();

  const splitter = new AccessUnitSplitter();
  // The splitter's views last until its next call: copy the clip's units once, then loop over them.
  const clip = demoClip();
  const units = [...splitter.push(clip), ...splitter.end()].map((au) => au.nals.map((n) => n.slice()));
  const ring = new SimulatedEncoderRing();
  const startUs = Math.round(performance.now() * 1000);
  let frame = 0;
  const encode = (): void => {
    const item = ring.push(units[frame % units.length]);
    // The SDK copies before returning: the encoder may overwrite its ring right away.
    S3HLS.putVideoFrame({ items: [item], timestampUs: startUs + Math.round((frame * 1_000_000) / FPS) });
    frame++;
  };

  // A camera runs until it is told to stop: the encoder loop at real time, until SIGINT/SIGTERM (or
  // S3HLS_SECONDS). Stopping cuts the open segment and waits for the uploads, bounded in time.
  const timer = setInterval(encode, 1000 / FPS);
  const seconds = Number(process.env['S3HLS_SECONDS'] ?? '10');
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    setTimeout(stop, seconds * 1000).unref();
  });
  clearInterval(timer);
  const report = await S3HLS.finalize({ timeoutMs: Number(process.env['S3HLS_DRAIN_SECONDS'] ?? '10') * 1000 });
  console.log(
    `example: ${report.segmentsStored} segments stored, ${report.framesDropped} frames dropped, ${report.complete ? 'complete' : `incomplete (${report.pending.length} segments not stored)`}`,
  );
  process.exitCode = report.complete && report.framesDropped === 0 ? 0 : 1;
}

await mainLoop();
