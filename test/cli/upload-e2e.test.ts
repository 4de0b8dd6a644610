/**
 * `s3hls upload` end to end against s3rver on 127.0.0.1: fixtures of every shape go up, then
 * `s3hls playlist` for each prefix gives a VOD playlist ffmpeg reads through the validation gate,
 * with the right frame count and duration.
 */
import t, { type Test } from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUpload } from '../../src/cli/commands/upload.js';
import { runPlaylist } from '../../src/cli/commands/playlist.js';
import { FIXTURE_DIR, fixturePath, hasFfmpeg, highBframes } from '../helpers/fixtures.js';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3server.js';
import { ffmpegGateAsync, HTTP_INPUT_ARGS } from '../helpers/ffmpeg-gate.js';

if (!hasFfmpeg()) {
  t.plan(0, 'ffmpeg not on PATH: fixtures and the gate need it');
  process.exit(0);
}

// The playlist command reads credentials from the standard AWS chain, as users' shells do.
process.env['AWS_ACCESS_KEY_ID'] = S3RVER_CREDENTIALS.accessKeyId;
process.env['AWS_SECRET_ACCESS_KEY'] = S3RVER_CREDENTIALS.secretAccessKey;
process.env['AWS_REGION'] = 'us-east-1';
process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

const run = promisify(execFile);

/** The validation gate, async: the segments are served by s3rver in this very process. */
async function gateAsync(m3u8: string): Promise<{ ok: boolean; stderr: string }> {
  return ffmpegGateAsync(m3u8, HTTP_INPUT_ARGS);
}

async function ffprobe(args: string[]): Promise<string> {
  return (await run('ffprobe', ['-v', 'error', '-protocol_whitelist', 'file,http,tcp', ...args], { timeout: 60_000 })).stdout;
}

function capture() {
  let text = '';
  return {
    write: (s: string) => ((text += s), true),
    get text() {
      return text;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 's3hls-cli-e2e-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let s3: TestS3;
t.before(async () => {
  s3 = await startS3();
});
t.teardown(() => s3.close());

async function upload(args: string[]) {
  const out = capture();
  const err = capture();
  const code = await runUpload([...args, '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--progress', 'plain', '--start-time', '2026-11-22T03:00:00Z'], {
    stdout: out,
    stderr: err,
  });
  return { code, out: out.text, err: err.text };
}

/** Renders the VOD playlist of a prefix with `s3hls playlist`, gates it, counts its frames. */
async function checkPrefix(t: Test, prefix: string, frames: number, seconds: number) {
  const out = capture();
  const err = capture();
  const code = await runPlaylist(['--bucket', s3.bucket, '--prefix', prefix, '--endpoint', s3.endpoint, '--path-style', '--base-url', `${s3.endpoint}/${s3.bucket}`], {
    stdout: out,
    stderr: err,
  });
  t.equal(code, 0, err.text);
  t.match(out.text, /#EXT-X-ENDLIST/);
  const m3u8 = join(dir, `${prefix.replace(/\//g, '_')}.m3u8`);
  writeFileSync(m3u8, out.text);
  const gate = await gateAsync(m3u8);
  t.ok(gate.ok, `${prefix}: the gate passes ${gate.stderr}`);
  const probe = JSON.parse(await ffprobe(['-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets:format=duration', '-of', 'json', m3u8])) as {
    streams: { nb_read_packets: string }[];
    format: { duration: string };
  };
  t.equal(Number(probe.streams[0].nb_read_packets), frames, `${prefix}: ${frames} frames`);
  t.ok(Math.abs(Number(probe.format.duration) - seconds) < 0.15, `${prefix}: duration ${probe.format.duration} ≈ ${seconds}`);
  const extinf = [...out.text.matchAll(/#EXTINF:([\d.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  t.ok(Math.abs(extinf - seconds) < 0.05, `${prefix}: EXTINF sum ${extinf} ≈ ${seconds}`);
  return out.text;
}

t.test('fixtures of every shape → S3 → playlist → gate, frame count, duration', async (t) => {
  const { annexB } = highBframes();
  const high = join(FIXTURE_DIR, 'high-bframes.h264');
  t.ok(annexB.length > 0);
  const ntsc = join(dir, 'ntsc.h264');
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=30000/1001',
    '-frames:v',
    '120',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '30',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'h264',
    ntsc,
  ]);
  const mp4 = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    mp4,
  ]);
  const cases: [string, string[], number, number][] = [
    ['baseline', ['--input', fixturePath('baseline.h264'), '--fps', '25'], 100, 4],
    ['main-slices', ['--input', fixturePath('main-slices.h264'), '--fps', '25'], 100, 4],
    ['high-bframes', ['--input', high, '--fps', '25'], 100, 4],
    ['ntsc', ['--input', ntsc, '--fps', '30000/1001'], 120, (120 * 1001) / 30000],
    ['mp4-aac', ['--input', mp4], 100, 4],
  ];
  for (const [name, args, frames, seconds] of cases) {
    const r = await upload([...args, '--prefix', `e2e/${name}`, '--segment-seconds', '1']);
    t.equal(r.code, 0, `${name}: exit 0 ${r.err}`);
    t.match(r.out, /^stored e2e\/.*\.ts/m, `${name}: plain lines per segment`);
    t.match(r.out, /stored \d+ segments .* 0 frames dropped\n$/, `${name}: summary`);
    const m3u8 = await checkPrefix(t, `e2e/${name}`, frames, seconds);
    if (name === 'mp4-aac') t.match(m3u8, /#EXTINF/);
  }
  // The AAC track went up too.
  const out = capture();
  await runPlaylist(['--bucket', s3.bucket, '--prefix', 'e2e/mp4-aac', '--endpoint', s3.endpoint, '--path-style', '--base-url', `${s3.endpoint}/${s3.bucket}`], { stdout: out });
  writeFileSync(join(dir, 'aac.m3u8'), out.text);
  const audio = (await ffprobe(['-select_streams', 'a:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', join(dir, 'aac.m3u8')])).trim();
  t.equal(audio.split('\n')[0], 'aac');
  // Segment keys carry the start time (--start-time + media time) and the media sequence number
  // (the run start time / 100 ms, + 1 per segment).
  t.ok(
    s3.requests.some((r) => r.method === 'PUT' && r.url.includes('/e2e/baseline/2026/11/22/03/1795316400000-17953164000-')),
    'first key at --start-time',
  );
  // The hour (03:00 UTC on 2026-11-22) is over by the server clock: the run wrote its index.
  const index = await fetch(`${s3.endpoint}/${s3.bucket}/e2e/baseline/2026/11/22/03/index.json`);
  t.equal(index.status, 200, 'hour index written at the end of the run');
  const json = (await index.json()) as { v: number; segments: unknown[]; spans: unknown[] };
  t.equal(json.v, 1);
  t.ok(json.segments.length > 0 && json.spans.length === 1, `${json.segments.length} segments, one span`);
});

t.test('tags go on the wire', async (t) => {
  const r = await upload(['--input', fixturePath('baseline.h264'), '--fps', '25', '--prefix', 'e2e/tagged', '--tag', 'site=paris', '--tag', 'camera=front door']);
  t.equal(r.code, 0, r.err);
  const puts = s3.requests.filter((q) => q.method === 'PUT' && q.url.includes('/e2e/tagged/'));
  t.ok(puts.length >= 2);
  t.ok(puts.every((q) => q.headers['x-amz-tagging'] === 'site=paris&camera=front%20door'));
});

t.test('bad input: garbage, truncated, missing → exit 3 and one line, no stack trace', async (t) => {
  const garbageMp4 = join(dir, 'garbage.mp4');
  writeFileSync(garbageMp4, Buffer.alloc(64 * 1024, 0x42));
  const garbageH264 = join(dir, 'garbage.h264');
  writeFileSync(garbageH264, Buffer.alloc(64 * 1024, 0x42));
  const truncated = join(dir, 'truncated.mp4');
  const whole = execFileSync('cat', [join(dir, 'clip.mp4')]);
  writeFileSync(truncated, whole.subarray(0, whole.length >> 1)); // moov is at the end: cut off
  for (const [input, re] of [
    [garbageMp4, /garbage\.mp4.*Invalid data/],
    [garbageH264, /no H\.264 access unit found in .*garbage\.h264/],
    [truncated, /cannot read .*truncated\.mp4.*(moov atom not found|Invalid data)/],
    [join(dir, 'missing.mp4'), /missing\.mp4.*No such file/],
  ] as const) {
    const r = await upload(['--input', input, '--prefix', 'e2e/bad', ...(input.endsWith('.h264') ? ['--fps', '25'] : [])]);
    t.equal(r.code, 3, `${input}: exit 3`);
    const lines = r.err.trim().split('\n');
    t.match(lines[lines.length - 1], re);
    t.notMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});

t.test('usage errors: exit 2 with the flag named', async (t) => {
  const r = await upload(['--input', 'x.h264', '--prefix', 'e2e/x']);
  t.equal(r.code, 2);
  t.match(r.err, /^s3hls upload: --fps is required/);
});

t.test('an unreachable endpoint → exit 5, one line', async (t) => {
  const err = capture();
  const code = await runUpload(
    ['--input', fixturePath('baseline.h264'), '--fps', '25', '--bucket', 'b-1', '--prefix', 'x', '--endpoint', 'http://127.0.0.1:9', '--path-style', '--progress', 'none'],
    { stderr: err, stdout: capture(), credentials: { ...S3RVER_CREDENTIALS } },
  );
  t.equal(code, 5);
  t.match(err.text.trim().split('\n').pop(), /^s3hls upload: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED after 3 attempts\)/);
  t.notMatch(err.text, /\n\s+at /);
});

t.test('a wrong secret against a server that verifies SigV4 → exit 4, one line, no retry forever', async (t) => {
  const strict = await startS3({ verifySignatures: true, bucket: 'strict' });
  t.teardown(() => strict.close());
  const err = capture();
  const started = Date.now();
  const code = await runUpload(
    ['--input', fixturePath('baseline.h264'), '--fps', '25', '--bucket', 'strict', '--prefix', 'x', '--endpoint', strict.endpoint, '--path-style', '--progress', 'none'],
    { stderr: err, stdout: capture(), credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong-secret' } },
  );
  t.equal(code, 4);
  t.match(err.text.trim().split('\n').pop(), /^s3hls upload: .* refused the credentials \(SignatureDoesNotMatch\)/);
  t.notMatch(err.text, /wrong-secret/, 'the secret is never printed');
  t.ok(Date.now() - started < 20_000, 'ends promptly');
  // And the right secret works against the same server.
  const ok = await runUpload(
    ['--input', fixturePath('baseline.h264'), '--fps', '25', '--bucket', 'strict', '--prefix', 'x', '--endpoint', strict.endpoint, '--path-style', '--progress', 'none'],
    { stderr: err, stdout: capture(), credentials: { ...S3RVER_CREDENTIALS } },
  );
  t.equal(ok, 0, err.text);
});
