import t from 'tap';
import { Readable } from 'node:stream';
import { AnnexBSource } from '../../src/sources/annexb-source.js';
import { parseFps } from '../../src/h264/frame-timing.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { Segment, VideoFramePack } from '../../src/types.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { fixture, fixturePath, hasFfmpeg, highBframes } from '../helpers/fixtures.js';
import { Collector } from './collector.js';

const skip = hasFfmpeg() ? false : 'ffmpeg not on PATH (fixtures)';

t.test('B-frame stream: every access unit once, PTS/DTS as ffprobe reports them (relative to the first DTS)', { skip }, async (t) => {
  const { annexB, packets } = highBframes();
  const c = new Collector();
  // Tiny chunks: the source must not depend on how the pipe delivers bytes.
  const chunks: Buffer[] = [];
  for (let i = 0; i < annexB.length; i += 1000) chunks.push(annexB.subarray(i, i + 1000));
  const r = await new AnnexBSource(c, { input: Readable.from(chunks), fps: parseFps('25') }).run();
  t.equal(r.videoFrames, packets.length);
  t.equal(r.skipped, 0);
  t.equal(r.clampedPts, 0);
  const d0 = packets[0].dts;
  const ours = c.video.map((v) => [v.pts! - c.video[0].dts!, v.dts! - c.video[0].dts!]);
  const theirs = packets.map((p) => [p.pts - d0, p.dts - d0]);
  t.same(ours, theirs);
  // Each item is a 4-byte start code (part1) + one NAL unit (part2).
  t.ok(c.video.every((v) => v.bytes!.subarray(0, 4).equals(Buffer.of(0, 0, 0, 1))));
});

t.test('a file looped as a live camera: timestamps continue across the loop; stop() ends it', { skip }, async (t) => {
  const c = new Collector();
  const target = {
    putVideoFrame: (p: VideoFramePack) => {
      c.putVideoFrame(p);
      if (c.video.length === 130) void src.stop();
      return true;
    },
    putAudioFrame: () => true,
    markDiscontinuity: () => {},
  };
  // The callback above reads `src` only while run() is going, after this line.
  const src = new AnnexBSource(target, { input: fixturePath('baseline.h264'), fps: parseFps('30000/1001'), loop: true });
  const r = await src.run();
  t.equal(r.reason, 'stopped');
  t.ok(c.video.length >= 130, 'ran past the 100 frames of one pass');
  for (let i = 1; i < c.video.length; i++) {
    const step = c.video[i].dts! - c.video[i - 1].dts!;
    if (step !== 3003 && step !== 3004 && step !== 3002) t.fail(`frame ${i}: DTS step ${step} at 29.97 fps`);
  }
  t.equal(c.video[100].dts, Math.round((100 * 1001 * 90_000) / 30_000), 'frame 100 (second pass) continues the timeline');
});

t.test('garbage → BAD_INPUT; a missing file → INPUT_UNAVAILABLE; option errors name the option', async (t) => {
  const garbage = Readable.from([Buffer.alloc(10_000, 0x5a)]);
  await t.rejects(new AnnexBSource(new Collector(), { input: garbage, fps: parseFps('25') }).run(), { code: 'BAD_INPUT', message: /no H\.264 access unit/ });
  await t.rejects(new AnnexBSource(new Collector(), { input: '/nonexistent/x.h264', fps: parseFps('25') }).run(), { code: 'INPUT_UNAVAILABLE', message: /no such file/ });
  t.throws(() => new AnnexBSource(new Collector(), { input: '-', loop: true }), { name: 'TypeError', message: /loop/ });
  t.throws(() => new AnnexBSource(new Collector(), { input: 'x', realtime: true }), { name: 'TypeError', message: /realtime needs fps/ });
});

t.test('Annex B → HlsStream: segments pass the ffmpeg gate with every frame', { skip }, async (t) => {
  const segs: Buffer[] = [];
  let frames = 0;
  const stream = new HlsStream({
    streamId: 'cam',
    sink: {
      onSegment: (s: Segment) => {
        segs.push(Buffer.concat(s.parts));
        frames += s.videoFrames;
        s.release();
      },
    },
  });
  const r = await new AnnexBSource(stream, { input: Readable.from([fixture('main-slices.h264')]), fps: parseFps('25') }).run();
  stream.finalize();
  t.equal(r.refused, 0);
  t.equal(frames, 100);
  const gate = ffmpegGate(segs);
  t.ok(gate.ok, gate.stderr);
});
