import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegSource } from '../../src/sources/ffmpeg-source.js';
import { ffmpegArgs, looksLive } from '../../src/sources/ffmpeg-args.js';
import { SourceError } from '../../src/sources/source-errors.js';
import { NalType } from '../../src/h264/nal-types.js';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { Collector } from './collector.js';

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg not on PATH';

/** NAL unit types in an Annex B access unit. */
function nalTypes(au: Buffer): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) types.push(au[i + 3] & 0x1f);
  }
  return types;
}

t.test('ffmpegArgs: encoders, audio, lavfi input options; bad options throw naming the option', async (t) => {
  const a = ffmpegArgs({ input: 'testsrc2', inputArgs: ['-f', 'lavfi'], encoder: 'libx264', keyframeSeconds: 1 });
  t.match(a.join(' '), /-f lavfi -i testsrc2 -map 0:v:0 -c:v libx264 .*-force_key_frames expr:gte\(t,n_forced\*1\).* -map 0:a:0\? -c:a aac .*-f mpegts .*pipe:1$/);
  t.match(ffmpegArgs({ input: 'x.mp4', encoder: 'h264_nvenc' }).join(' '), /-c:v h264_nvenc .*-forced-idr 1/);
  t.match(ffmpegArgs({ input: 'x.mp4', audio: false, realtime: true, loop: true }).join(' '), /-re -stream_loop -1 -i x\.mp4 .*-c:v copy -an/);
  t.throws(() => ffmpegArgs({ input: '' }), { name: 'TypeError', message: /input/ });
  t.throws(() => ffmpegArgs({ input: 'x', encoder: 'vp9' as never }), { name: 'TypeError', message: /encoder.*"vp9"/ });
  t.throws(() => ffmpegArgs({ input: 'x', keyframeSeconds: 0 }), { name: 'RangeError', message: /keyframeSeconds/ });
  t.equal(looksLive('rtsp://cam/1'), true);
  t.equal(looksLive('/dev/video0'), true);
  t.equal(looksLive('clip.mp4'), false);
});

t.test('missing ffmpeg → SourceError FFMPEG_NOT_FOUND with a one-line fix', async (t) => {
  const src = new FfmpegSource(new Collector(), { input: 'x.mp4', ffmpegPath: '/nonexistent/ffmpeg-s3hls' });
  await t.rejects(src.run(), { name: 'SourceError', code: 'FFMPEG_NOT_FOUND', message: /not found.*install/ });
});

t.test('a file input (lavfi, libx264 + AAC) ends cleanly with every frame and keyframes every 1 s', { skip: noFfmpeg }, async (t) => {
  const c = new Collector();
  const src = new FfmpegSource(c, {
    // One lavfi graph with two outputs: out0 video, out1 audio (so 0:v:0 and 0:a:0 both exist).
    input: 'testsrc2=size=320x240:rate=25:duration=3[out0];sine=frequency=440:sample_rate=48000:duration=3[out1]',
    inputArgs: ['-f', 'lavfi'],
    encoder: 'libx264',
    keyframeSeconds: 1,
    live: false,
  });
  const r = await src.run();
  t.equal(r.reason, 'ended');
  t.equal(c.video.length, 75, '3 s at 25 fps');
  t.equal(r.videoFrames, 75);
  t.ok(c.audio.length > 0, 'AAC packs delivered');
  t.ok(
    c.audio.every((a) => a.bytes![0] === 0xff && (a.bytes![1] & 0xf0) === 0xf0),
    'each audio pack starts with an ADTS syncword',
  );
  const idr = c.video.map((v, i) => (nalTypes(v.bytes!).includes(NalType.Idr) ? i : -1)).filter((i) => i >= 0);
  t.same(idr, [0, 25, 50], 'IDR every 25 frames (forced keyframes)');
  for (let i = 1; i < c.video.length; i++) {
    if (c.video[i].pts! - c.video[i - 1].pts! !== 3600) t.fail(`frame ${i}: PTS step ${c.video[i].pts! - c.video[i - 1].pts!} ≠ 3600`);
  }
  t.equal(c.events.filter((e) => e.kind === 'discontinuity').length, 0);
});

t.test('killing the ffmpeg child mid-run → restart, source-restart discontinuity, frames keep coming', { skip: noFfmpeg }, async (t) => {
  const c = new Collector();
  const src = new FfmpegSource(c, {
    input: 'testsrc2=size=160x120:rate=25',
    inputArgs: ['-f', 'lavfi'],
    encoder: 'libx264',
    realtime: true,
    live: true,
    restartDelayMs: 50,
    audio: false,
  });
  const spawns: number[] = [];
  const exits: (number | undefined)[] = [];
  src.on('spawn', (s) => spawns.push(s.pid));
  src.on('exit', (e) => exits.push(e.restartInMs));
  const running = src.run();
  const waitFrames = async (n: number) => {
    const deadline = Date.now() + 20_000;
    while (c.video.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  await waitFrames(10);
  t.ok(src.killChild(), 'a child was running');
  const atKill = c.video.length;
  await waitFrames(atKill + 10);
  await src.stop();
  const r = await running;
  t.equal(r.reason, 'stopped');
  t.equal(r.restarts, 1);
  t.equal(spawns.length, 2);
  t.equal(new Set(spawns).size, 2, 'a new process');
  t.same(exits.slice(0, 1), [50], 'first restart after restartDelayMs');
  const d = c.events.findIndex((e) => e.kind === 'discontinuity');
  t.equal(c.events[d]?.reason, 'source-restart');
  t.ok(d > 0 && d < c.events.length - 5, 'discontinuity between frames of the two children');
  t.ok(nalTypes(c.events[d + 1].bytes!).includes(NalType.Idr), 'the new child starts with an IDR');
  t.ok(nalTypes(c.events[d + 1].bytes!).includes(NalType.Sps), 'with SPS');
  for (const v of c.video) if (nalTypes(v.bytes!).length === 0) t.fail('truncated frame delivered');
});

t.test("a garbage file → BAD_INPUT / INPUT_UNAVAILABLE with ffmpeg's reason, no restart for files", { skip: noFfmpeg }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-ffsrc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const garbage = join(dir, 'garbage.mp4');
  writeFileSync(garbage, Buffer.alloc(4096, 0x5a));
  const err = await new FfmpegSource(new Collector(), { input: garbage }).run().catch((e: unknown) => e);
  t.type(err, SourceError);
  t.match((err as SourceError).code, /BAD_INPUT|INPUT_UNAVAILABLE/);
  t.match((err as Error).message, /garbage\.mp4/);
  t.notMatch((err as Error).message, /\n/, 'one line');
  const missing = await new FfmpegSource(new Collector(), { input: join(dir, 'nope.mp4') }).run().catch((e: unknown) => e);
  t.match((missing as Error).message, /No such file/);
});

t.test('NVENC through ffmpeg', { skip: spawnSync('nvidia-smi', ['-L']).status === 0 ? false : 'no nvidia-smi on this machine: NVENC test skipped' }, async (t) => {
  const c = new Collector();
  const r = await new FfmpegSource(c, { input: 'testsrc2=size=640x360:rate=25:duration=2', inputArgs: ['-f', 'lavfi'], encoder: 'h264_nvenc', live: false, audio: false }).run();
  t.equal(r.videoFrames, 50);
  t.ok(nalTypes(c.video[0].bytes!).includes(NalType.Idr));
});

t.test('a target that throws (put after finalize) stops the source and rejects run(); the process does not crash', { skip: noFfmpeg }, async (t) => {
  let n = 0;
  const target = {
    putVideoFrame: () => {
      if (++n === 5) throw new TypeError('putVideoFrame() called after finalize()');
      return true;
    },
    putAudioFrame: () => true,
    markDiscontinuity: () => {},
  };
  const src = new FfmpegSource(target, { input: 'testsrc2=size=160x120:rate=25', inputArgs: ['-f', 'lavfi'], encoder: 'libx264', live: true, audio: false });
  await t.rejects(src.run(), { name: 'TypeError', message: /after finalize/ });
  t.equal(src.pid, undefined, 'child gone');
});
