/**
 * A simulated encoder thread: splits an Annex B file (with AUDs) into access units and writes each
 * into the shared ring, then posts the SHA-256 of every unit it wrote, in order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SharedRingWriter } from '../../../src/sources/shared-ring-writer.js';

// tap runs every .ts under test/: run as a file of its own, this worker has nothing to do.
if (isMainThread) process.exit(0);
const { ring, path, repeat, pieces } = workerData as { ring: SharedArrayBuffer; path: string; repeat: number; pieces: boolean };
const bytes = readFileSync(path);
// Access units start at each AUD (00 00 00 01 09): the fixture was made with x264 aud=1.
const starts: number[] = [];
for (let i = bytes.indexOf(Buffer.from([0, 0, 0, 1, 9])); i >= 0; i = bytes.indexOf(Buffer.from([0, 0, 0, 1, 9]), i + 5)) starts.push(i);
starts.push(bytes.length);
const writer = new SharedRingWriter(ring);
const hashes: string[] = [];
let n = 0;
for (let r = 0; r < repeat; r++) {
  for (let f = 0; f + 1 < starts.length; f++, n++) {
    const au = bytes.subarray(starts[f], starts[f + 1]);
    // Either one piece, or split in three uneven pieces (an encoder emitting NAL by NAL).
    const units = pieces ? [au.subarray(0, 7), au.subarray(7, au.length >> 1), au.subarray(au.length >> 1)] : au;
    writer.write(units, n * 3600 + 2 ** 33 - 90_000); // PTS crossing 2^33 after 25 frames: kept exact
    hashes.push(createHash('sha256').update(au).digest('hex'));
  }
}
writer.close();
parentPort!.postMessage(hashes);
