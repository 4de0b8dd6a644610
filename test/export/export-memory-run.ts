/**
 * Memory/throughput run for clip export (not part of the suite; `node --import=@tapjs/typescript/import ... this file [segments]`):
 * a 2 s, ~5 Mbit/s 1080p+AAC TS segment is stored under N consecutive keys directly in s3rver's
 * file store, then the whole range is exported to a file; peak RSS is sampled every 50 ms.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { segmentKey } from '../../src/keys/object-keys.js';
import { exportClip } from '../../src/export/clip-exporter.js';
import { startS3 } from '../helpers/s3server.js';

const count = Number(process.argv[2] ?? 300);
const dir = mkdtempSync(join(tmpdir(), 's3hls-export-mem-'));
const seg = join(dir, 'seg.ts');
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=1920x1080:rate=25',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:sample_rate=48000',
  '-t',
  '2',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-b:v',
  '5M',
  '-maxrate',
  '5M',
  '-bufsize',
  '5M',
  '-g',
  '50',
  '-bf',
  '0',
  '-pix_fmt',
  'yuv420p',
  '-c:a',
  'aac',
  '-f',
  'mpegts',
  seg,
]);
const body = readFileSync(seg);
const md5 = createHash('md5').update(body).digest('hex');
const s3 = await startS3();
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
for (let i = 0; i < count; i++) {
  const path = join(s3.directory, s3.bucket, `${segmentKey('cams/bench', { startTimeMs: T0 + i * 2000, sequence: i, durationMs: 2000, discontinuity: i === 0 })}._S3rver_object`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  writeFileSync(`${path}.md5`, md5);
}
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const out = join(dir, 'clip.mp4');
const file = createWriteStream(out);
const t0 = performance.now();
let inBytes = 0;
for await (const chunk of exportClip({
  client: s3.client(),
  bucket: s3.bucket,
  prefix: 'cams/bench',
  startMs: T0,
  endMs: T0 + count * 2000,
  maxRangeMs: count * 2000,
  onProgress: () => (inBytes += body.length),
})) {
  if (!file.write(chunk)) await once(file, 'drain');
}
file.end();
await once(file, 'close');
const seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
await s3.close();
console.log(
  JSON.stringify({
    segments: count,
    inputMB: +(inBytes / 1e6).toFixed(1),
    outputMB: +(statSync(out).size / 1e6).toFixed(1),
    seconds: +seconds.toFixed(1),
    MBps: +(inBytes / 1e6 / seconds).toFixed(1),
    peakRssMB: +(peak / 1e6).toFixed(1),
  }),
);
