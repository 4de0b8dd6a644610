/**
 * The encoder thread of examples/shared-ring.ts: here it "encodes" by replaying the bundled clip
 * (a real one would call its encoder and write each output access unit). `write` blocks while the
 * ring is full, so the encoder is paced by the muxer instead of dropping frames.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { workerData } from 'node:worker_threads';
import { AccessUnitSplitter, SharedRingWriter } from 's3hls/sources';

const START_CODE = Uint8Array.of(0, 0, 0, 1);
const writer = new SharedRingWriter((workerData as { ring: SharedArrayBuffer }).ring);
const clip = readFileSync(join(dirname(createRequire(import.meta.url).resolve('s3hls/package.json')), 'assets/demo/clip.h264'));
const splitter = new AccessUnitSplitter();
let frame = 0;
// The splitter's views last until its next call: write each batch before asking for the next.
for (const batch of [() => splitter.push(clip), () => splitter.end()]) {
  for (const au of batch())
    writer.write(
      au.nals.flatMap((nal) => [START_CODE, nal]),
      frame++ * 3600,
    ); // 25 fps in 90 kHz ticks
}
writer.close();
