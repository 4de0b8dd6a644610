import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseByteSize, parseUploadArgs } from '../../src/cli/upload-options.js';

const base = ['--bucket', 'footage', '--prefix', 'cameras/front-door'];
const now = () => 1_795_316_400_123;

t.test('a single file input: defaults, kind, id from prefix, start time', async (t) => {
  const p = parseUploadArgs(['--input', 'clip.mp4', ...base], { now });
  t.equal(p.help, false);
  t.equal(p.bucket, 'footage');
  t.equal(p.concurrency, 4);
  t.equal(p.startTimeMs, 1_795_316_400_123);
  t.equal(p.drainTimeoutMs, 60_000);
  t.equal(p.cameras.length, 1);
  const c = p.cameras[0];
  t.match(c, {
    id: 'front-door',
    input: 'clip.mp4',
    kind: 'ffmpeg',
    prefix: 'cameras/front-door',
    live: false,
    segmentSeconds: 2,
    poolBytes: 4 * 1024 * 1024,
    tags: undefined,
    audio: true,
  });
});

t.test('raw H.264 needs --fps; rational and decimal rates; stdin without fps is live on the wall clock', async (t) => {
  t.throws(() => parseUploadArgs(['--input', 'cam.h264', ...base]), { name: 'UsageError', message: /--fps is required.*cam\.h264/ });
  const p = parseUploadArgs(['--input', 'cam.h264', '--fps', '30000/1001', ...base]);
  t.match(p.cameras[0], { kind: 'annexb', fpsRate: { num: 30000, den: 1001 }, live: false });
  t.same(parseUploadArgs(['--input', 'cam.264', '--fps', '29.97', ...base]).cameras[0].fpsRate, { num: 30000, den: 1001 });
  t.match(parseUploadArgs(['--input', '-', ...base]).cameras[0], { kind: 'annexb', live: true, fpsRate: undefined });
  t.match(parseUploadArgs(['--input', '-', '--fps', '25', ...base]).cameras[0], { live: false });
  t.throws(() => parseUploadArgs(['--input', 'cam.h264', '--fps', 'fast', ...base]), { message: /fps.*fast/ });
  // Encoding a raw file goes through ffmpeg.
  t.match(parseUploadArgs(['--input', 'cam.h264', '--encoder', 'libx264', ...base]).cameras[0], { kind: 'ffmpeg', encoder: 'libx264' });
});

t.test('live inputs: URLs, devices, lavfi graphs, --loop', async (t) => {
  t.match(parseUploadArgs(['--input', 'rtsp://10.0.0.5/stream1', ...base]).cameras[0], { live: true, kind: 'ffmpeg' });
  t.match(parseUploadArgs(['--input', '/dev/video0', '--encoder', 'libx264', ...base]).cameras[0], { live: true });
  const lavfi = parseUploadArgs(['--input', 'lavfi:testsrc2=size=640x360:rate=25', '--encoder', 'libx264', ...base]).cameras[0];
  t.match(lavfi, { input: 'testsrc2=size=640x360:rate=25', inputArgs: ['-f', 'lavfi'], live: true, realtime: true });
  t.match(parseUploadArgs(['--input', 'lavfi:testsrc2=duration=3', ...base]).cameras[0], { live: false });
  t.match(parseUploadArgs(['--input', 'clip.mp4', '--loop', ...base]).cameras[0], { live: true, loop: true, realtime: true });
});

t.test('every bad flag is a UsageError naming the flag and the value', async (t) => {
  const bad: [string[], RegExp][] = [
    [['--input', 'x.mp4', '--prefix', 'p'], /--bucket is required/],
    [['--input', 'x.mp4', '--bucket', 'B_ad', '--prefix', 'p'], /--bucket.*"B_ad"/],
    [['--input', 'x.mp4', '--bucket', 'footage'], /--prefix is required/],
    [['--input', 'x.mp4', ...base.slice(0, 2), '--prefix', '/abs'], /--prefix.*must not start/],
    [['--input', 'x.mp4', ...base, '--encoder', 'vp9'], /encoder.*"vp9"/],
    [['--input', 'x.mp4', ...base, '--segment-seconds', '0'], /segment-seconds.*"0"/],
    [['--input', 'x.mp4', ...base, '--pool-size', 'lots'], /pool-size.*"lots"/],
    [['--input', 'x.mp4', ...base, '--pool-size', '1K'], /pool-size must be between/],
    [['--input', 'x.mp4', ...base, '--concurrency', '0'], /--concurrency.*"0"/],
    [['--input', 'x.mp4', ...base, '--tag', 'aws:x=1'], /--tag/],
    [['--input', 'x.mp4', ...base, '--endpoint', 'localhost:9000'], /--endpoint must be an http/],
    [['--input', 'x.mp4', ...base, '--start-time', 'yesterday'], /--start-time/],
    [['--input', 'x.mp4', ...base, '--bogus'], /bogus/],
    [[...base], /--input .* or --config .* is required/],
    [['--input', 'x', '--config', 'y', ...base], /either --input or --config/],
  ];
  for (const [argv, re] of bad) t.throws(() => parseUploadArgs(argv), { name: 'UsageError', message: re }, argv.join(' '));
});

t.test('tags, sizes, start time', async (t) => {
  const p = parseUploadArgs(['--input', 'x.mp4', ...base, '--tag', 'site=paris', '--tag', 'camera=front door', '--pool-size', '8MiB', '--start-time', '2026-11-22T03:00:00Z'], {
    now,
  });
  t.equal(p.cameras[0].tags, 'site=paris&camera=front%20door');
  t.equal(p.cameras[0].poolBytes, 8 * 1024 * 1024);
  t.equal(p.startTimeMs, Date.UTC(2026, 10, 22, 3));
  t.equal(parseByteSize('512K', 'x'), 524_288);
  t.equal(parseByteSize('4194304', 'x'), 4_194_304);
  t.equal(parseByteSize('1g', 'x'), 2 ** 30);
  t.equal(parseUploadArgs(['--help']).help, true);
});

t.test('--config: cameras under the parent prefix, file defaults, flags override, mistakes name the JSON path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cameras.json');
  writeFileSync(
    file,
    JSON.stringify({
      bucket: 'site-footage',
      prefix: 'paris',
      endpoint: 'http://127.0.0.1:9000',
      pathStyle: true,
      concurrency: 8,
      tags: { site: 'paris' },
      stallTimeoutSeconds: 20,
      cameras: [
        { id: 'door', input: 'rtsp://10.0.0.5/1', inputArgs: ['-rtsp_transport', 'tcp'] },
        { id: 'yard', input: '/dev/video0', encoder: 'h264_nvenc', prefix: 'special/yard', tags: 'zone=yard', segmentSeconds: 4, poolSize: '8M' },
      ],
    }),
  );
  const p = parseUploadArgs(['--config', file, '--concurrency', '2']);
  t.equal(p.bucket, 'site-footage');
  t.equal(p.pathStyle, true);
  t.equal(p.concurrency, 2, 'flag overrides the file');
  t.equal(p.stallTimeoutMs, 20_000);
  t.match(p.cameras[0], { id: 'door', prefix: 'paris/door', tags: 'site=paris', live: true, inputArgs: ['-rtsp_transport', 'tcp'] });
  t.match(p.cameras[1], { id: 'yard', prefix: 'special/yard', tags: 'zone=yard', encoder: 'h264_nvenc', segmentSeconds: 4, keyframeSeconds: 4, poolBytes: 8 << 20 });
  const bad: [unknown, RegExp][] = [
    [{ cameras: [] }, /cameras must be a non-empty array/],
    [{ cameras: [{ id: 'a' }] }, /cameras\[0\]\.input/],
    [{ cameras: [{ id: 'a', input: 'x', encoder: 'hevc' }] }, /cameras\[0\]\.encoder/],
    [
      {
        cameras: [
          { id: 'a', input: 'x' },
          { id: 'a', input: 'y' },
        ],
      },
      /cameras\[1\]\.id must be unique/,
    ],
    [{ cameras: [{ id: 'a', input: 'x', colour: 'red' }] }, /cameras\[0\]\.colour: unknown key/],
    [{ cameras: [{ id: 'a/b', input: 'x' }] }, /cameras\[0\]\.id/],
    [{ bucket: 'b-1', cameras: [{ id: 'a', input: 'x' }], concurrency: 'many' }, /concurrency must be a number/],
  ];
  for (const [json, re] of bad) {
    writeFileSync(file, JSON.stringify({ bucket: 'footage', ...(json as object) }));
    t.throws(() => parseUploadArgs(['--config', file]), { name: 'UsageError', message: re }, JSON.stringify(json));
  }
  writeFileSync(file, '{ not json');
  t.throws(() => parseUploadArgs(['--config', file, '--bucket', 'footage']), { message: /not valid JSON/ });
  t.throws(() => parseUploadArgs(['--config', join(dir, 'missing.json'), '--bucket', 'footage']), { message: /no such file/ });
});

t.test('--fps below 0.2 is refused with a message naming the value and the range', async (t) => {
  t.throws(() => parseUploadArgs(['--input', 'cam.h264', '--fps', '1/10', ...base]), { name: 'UsageError', message: /fps 1\/10 is below the supported minimum of 0\.2/ });
  t.throws(() => parseUploadArgs(['--input', 'cam.h264', '--fps', '0.1', ...base]), { name: 'UsageError', message: /below the supported minimum/ });
  t.same(parseUploadArgs(['--input', 'cam.h264', '--fps', '1/5', ...base]).cameras[0].fpsRate, { num: 1, den: 5 });
});

t.test('--verify: auto by default, the four modes, anything else refused', async (t) => {
  t.equal(parseUploadArgs(['--input', 'clip.mp4', ...base]).verify, 'auto');
  for (const m of ['auto', 'checksum', 'etag', 'off']) t.equal(parseUploadArgs(['--input', 'clip.mp4', '--verify', m, ...base]).verify, m);
  t.throws(() => parseUploadArgs(['--input', 'clip.mp4', '--verify', 'never', ...base]), {
    name: 'UsageError',
    message: /--verify must be one of auto\|checksum\|etag\|off, got 'never'/,
  });
});
