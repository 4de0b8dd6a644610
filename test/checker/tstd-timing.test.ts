/**
 * T-STD timing of what HlsStream stores (issue 11 §1, §2, §5), read back by the independent
 * test/checker/tstd-timing.ts, with ffmpeg's decode gate as the second opinion, on four inputs:
 * raw Annex B (timestamps from 0), an MP4 with AAC through the ffmpeg source (audio arrives late, in
 * bundles), B-frames with late audio, and the ring-wrapped API path (every item in two parts, audio
 * ahead of the video).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { AnnexBSource } from '../../src/sources/annexb-source.js';
import { FfmpegSource } from '../../src/sources/ffmpeg-source.js';
import { HlsStream } from '../../src/stream/hls-stream.js';
import type { AudioFramePack, VideoFramePack } from '../../src/types.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { CollectSink, type CollectedSegment } from '../helpers/collect-sink.js';
import { ffmpegGate } from '../helpers/ffmpeg-gate.js';
import { fixture, fixturePath, hasFfmpeg, highBframes } from '../helpers/fixtures.js';
import { measureTiming, type TimingReport } from './tstd-timing.js';

if (!hasFfmpeg()) t.fail('ffmpeg is required (apt-get install ffmpeg)');

/** ADTS frames of the sine fixture. */
function adtsFrames(): Uint8Array[] {
  const aac = fixture('sine.aac');
  const out: Uint8Array[] = [];
  for (let p = 0; p + 7 <= aac.length;) {
    const len = ((aac[p + 3] & 3) << 11) | (aac[p + 4] << 3) | (aac[p + 5] >> 5);
    out.push(aac.subarray(p, p + len));
    p += len;
  }
  return out;
}

/** Counts ADTS frames in a byte run. */
function countAdts(b: Uint8Array): number {
  let n = 0;
  for (let p = 0; p + 7 <= b.length; n++) p += ((b[p + 3] & 3) << 11) | (b[p + 4] << 3) | (b[p + 5] >> 5);
  return n;
}

/** Every timing rule of issue 11, asserted; returns the report for extra checks. */
function assertTiming(t: Test, segments: readonly CollectedSegment[], o: { delayMs: number; audioFrames?: number; alignFirst?: boolean }): TimingReport {
  const r = measureTiming(
    segments.map((s) => s.bytes),
    { minMarginMs: 200 },
  );
  t.ok(segments.length >= 2, `${segments.length} segments`);
  t.equal(r.lateVideoPes + r.lateAudioPes, 0, 'no PES arrives after its DTS');
  t.equal(r.belowMargin, 0, `every PES has DTS − PCR ≥ 200 ms (${r.errors[0] ?? ''})`);
  t.ok(r.minVideoMarginMs >= o.delayMs - 0.01, `video DTS − PCR ≥ the mux delay (${r.minVideoMarginMs.toFixed(1)} ms)`);
  t.equal(r.pcrRepeats, 0, 'PCR never repeats');
  t.equal(r.pcrBackwards, 0, 'PCR never goes back');
  t.ok(r.pcrContinuousAcrossSegments, 'PCR continues across segments');
  t.ok(r.maxPcrGapMs <= 100, `PCR interval ≤ 100 ms (${r.maxPcrGapMs.toFixed(1)})`);
  if (o.audioFrames !== undefined) {
    t.equal(r.audioFrames, o.audioFrames, 'every audio frame stored once');
    t.equal(r.audioGaps + r.audioDuplicates, 0, 'no audio lost or duplicated across cuts');
    t.ok(r.maxAudioStartOffsetMs <= r.audioFrameMs, `each segment's audio starts within one AAC frame of its video (${r.maxAudioStartOffsetMs.toFixed(1)} ms)`);
    t.ok(r.maxCarriedAudioMs < r.audioFrameMs, `no audio from before a cut carried into the next segment (${r.maxCarriedAudioMs.toFixed(1)} ms)`);
  }
  const gate = ffmpegGate(segments.map((s) => s.bytes));
  t.ok(gate.ok, `ffmpeg decodes the segments as one stream cleanly ${gate.stderr.slice(0, 300)}`);
  return r;
}

t.test('raw Annex B, timestamps from 0: PCR starts above 0 and never stands still', async (t) => {
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'raw', sink });
  await new AnnexBSource(stream, { input: fixturePath('baseline.h264'), fps: { num: 25, den: 1 } }).run();
  stream.finalize();
  const r = assertTiming(t, sink.segments, { delayMs: 700 });
  t.equal(r.videoPes, 100);
  const first = measureTiming([sink.segments[0].bytes]);
  t.ok(first.pcrs > 0 && first.minVideoMarginMs >= 700 - 0.01, 'the first PES has the full margin too');
});

t.test('MP4 with AAC through the ffmpeg source: audio cut with its video', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-tstd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mp4 = join(dir, 'in.mp4');
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '7',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '50',
    '-keyint_min',
    '50',
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    mp4,
  ]);
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'mp4', sink });
  let audioFrames = 0;
  const target = {
    putVideoFrame: (p: VideoFramePack) => stream.putVideoFrame(p),
    putAudioFrame: (p: AudioFramePack) => {
      audioFrames += countAdts(p.items[0].part1);
      return stream.putAudioFrame(p);
    },
    markDiscontinuity: () => stream.markDiscontinuity('source-restart'),
  };
  await new FfmpegSource(target, { input: mp4, encoder: 'copy' }).run();
  stream.finalize();
  const st = stream.stats();
  t.equal(st.audioFramesDropped, 0, 'no audio dropped');
  assertTiming(t, sink.segments, { delayMs: 700, audioFrames });
});

t.test('B-frames with audio delivered late, in bundles of 8 frames', async (t) => {
  const { annexB: bytes, packets } = highBframes();
  const units = accessUnits(bytes).map((nals) => annexB(nals));
  const adts = adtsFrames();
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'bf', sink });
  const start = packets[0].dts;
  let a = 0;
  for (let i = 0; i < units.length; i++) {
    stream.putVideoFrame({ items: [{ part1: units[i] }], pts90k: packets[i].pts, dts90k: packets[i].dts });
    // A bundle is delivered once the video is 60 ms past its last frame (a demuxer's interleaving).
    while (a + 8 <= adts.length && start + (a + 8) * 1920 + 5400 <= packets[i].dts) {
      stream.putAudioFrame({ items: [{ part1: Buffer.concat(adts.slice(a, a + 8)) }], pts90k: start + a * 1920 });
      a += 8;
    }
  }
  stream.finalize();
  assertTiming(t, sink.segments, { delayMs: 700, audioFrames: a });
});

t.test('ring-wrapped API path: two-part items, audio 300 ms ahead of the video', async (t) => {
  const units = accessUnits(fixture('baseline.h264')).map((nals) => annexB(nals));
  const adts = adtsFrames();
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'ring', sink, muxDelayMs: 500 });
  const split = (b: Uint8Array, k: number) => {
    const at = 1 + ((k * 7919) % (b.length - 1));
    return { part1: b.subarray(0, at), part2: b.subarray(at) };
  };
  const base = 7_200_000; // a camera clock 80 s in
  let a = 0;
  for (let i = 0; i < units.length; i++) {
    const pts = base + i * 3600;
    stream.putVideoFrame({ items: [split(units[i], i)], pts90k: pts });
    while (a + 3 <= adts.length && base + a * 1920 <= pts + 27_000) {
      stream.putAudioFrame({ items: [split(Buffer.concat(adts.slice(a, a + 3)), a)], pts90k: base + a * 1920 });
      a += 3;
    }
  }
  stream.finalize();
  assertTiming(t, sink.segments, { delayMs: 500, audioFrames: a });
  t.ok(
    sink.segments.some((s) => s.partCount === 1),
    'segments collected',
  );
});

t.test('the mux delay changes no byte count (pool use is the same)', async (t) => {
  const units = accessUnits(fixture('baseline.h264')).map((nals) => annexB(nals));
  const adts = adtsFrames();
  const run = (muxDelayMs: number) => {
    const sink = new CollectSink();
    const stream = new HlsStream({ streamId: 'd', sink, muxDelayMs });
    let a = 0;
    for (let i = 0; i < units.length; i++) {
      stream.putVideoFrame({ items: [{ part1: units[i] }], pts90k: 900_000 + i * 3600 });
      while (a < adts.length && a * 1920 <= i * 3600) stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a++ * 1920 });
    }
    stream.finalize();
    return { sizes: sink.segments.map((s) => s.bytes.length), high: stream.stats().pool.highWaterBytes, first: measureTiming([sink.segments[0].bytes]).minVideoMarginMs };
  };
  const short = run(200);
  const long = run(2000);
  t.same(long.sizes, short.sizes, 'same segment sizes');
  t.equal(long.high, short.high, 'same pool high-water mark');
  t.ok(Math.abs(long.first - 2000) < 0.01 && Math.abs(short.first - 200) < 0.01, 'and the PCR really moved');
});

t.test('muxDelayMs is validated', async (t) => {
  for (const bad of [199, 5001, Number.NaN, -1]) {
    t.throws(() => new HlsStream({ streamId: 'v', muxDelayMs: bad }), { name: 'RangeError', message: /muxDelayMs/ }, `${bad} refused`);
  }
  t.doesNotThrow(() => new HlsStream({ streamId: 'v', muxDelayMs: 200 }));
});

t.test('the reader reports what it is there to find', async (t) => {
  const units = accessUnits(fixture('baseline.h264')).map((nals) => annexB(nals));
  const adts = adtsFrames();
  const sink = new CollectSink();
  const stream = new HlsStream({ streamId: 'neg', sink });
  let a = 0;
  for (let i = 0; i < units.length; i++) {
    stream.putVideoFrame({ items: [{ part1: units[i] }], pts90k: 900_000 + i * 3600 });
    while (a < adts.length && a * 1920 <= i * 3600) stream.putAudioFrame({ items: [{ part1: adts[a] }], pts90k: 900_000 + a++ * 1920 });
  }
  stream.finalize();
  const clean = sink.segments.map((s) => Buffer.from(s.bytes));
  const base = measureTiming(clean, { minMarginMs: 200 });
  t.same([base.errors, base.lateVideoPes, base.audioGaps], [[], 0, 0], 'the clean stream has nothing to report');
  // Offsets of packets with a PCR in segment 1.
  const seg = Buffer.from(clean[1]);
  const withPcr: number[] = [];
  for (let o = 0; o < seg.length; o += 188) if (seg[o + 3] & 0x20 && seg[o + 4] > 0 && seg[o + 5] & 0x10) withPcr.push(o);
  const pcrOf = (b: Buffer, o: number) => b[o + 6] * 2 ** 25 + b[o + 7] * 2 ** 17 + b[o + 8] * 2 ** 9 + b[o + 9] * 2 + (b[o + 10] >> 7);
  const setPcr = (b: Buffer, o: number, v: number) => {
    b[o + 6] = Math.floor(v / 2 ** 25) % 256;
    b[o + 7] = Math.floor(v / 2 ** 17) % 256;
    b[o + 8] = Math.floor(v / 2 ** 9) % 256;
    b[o + 9] = Math.floor(v / 2) % 256;
    b[o + 10] = (b[o + 10] & 0x7f) | ((v % 2) * 0x80);
  };
  t.ok(withPcr.length > 10, 'segment 1 has PCRs');

  const late = Buffer.from(seg);
  setPcr(late, withPcr[5], pcrOf(late, withPcr[5]) + 63_000 + 900); // 10 ms past its DTS
  const lateR = measureTiming([clean[0], late, ...clean.slice(2)], { minMarginMs: 200 });
  t.ok(lateR.lateVideoPes >= 1 && lateR.belowMargin >= 1, 'a PES arriving after its DTS is reported');

  const repeat = Buffer.from(seg);
  setPcr(repeat, withPcr[5], pcrOf(repeat, withPcr[4]));
  t.ok(measureTiming([clean[0], repeat, ...clean.slice(2)]).pcrRepeats >= 1, 'a repeated PCR is reported');

  // Remove one audio PES (its packets on PID 0x101) from segment 1.
  const packets: Buffer[] = [];
  let skipping = false;
  let removed = false;
  for (let o = 0; o < seg.length; o += 188) {
    const pid = ((seg[o + 1] & 0x1f) << 8) | seg[o + 2];
    const pusi = (seg[o + 1] & 0x40) !== 0;
    if (pid === 0x101 && pusi) skipping = !removed && o > 188 * 40;
    if (pid === 0x101 && skipping) {
      removed = true;
      continue;
    }
    packets.push(seg.subarray(o, o + 188));
  }
  t.ok(removed, 'an audio PES was removed');
  t.ok(measureTiming([clean[0], Buffer.concat(packets), ...clean.slice(2)]).audioGaps >= 1, 'a lost audio PES is reported as a gap');
});
