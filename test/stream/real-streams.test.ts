/**
 * Real streams from Debian ffmpeg/libx264 through HlsStream, verified by the structural checker, the
 * ffmpeg gate and a mux.js round trip (test/helpers/mux-units.ts).
 */
import t from 'tap';
import { accessUnits } from '../helpers/annexb-units.js';
import { fixture, hasFfmpeg, highBframes } from '../helpers/fixtures.js';
import { muxUnits, verifySegments, type TestAudio, type TestUnit } from '../helpers/mux-units.js';

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it (apt-get install ffmpeg)' });
} else {
  const at25fps = (aus: Uint8Array[][], base = 900_000): TestUnit[] => aus.map((nals, i) => ({ nals, pts: base + i * 3600, dts: base + i * 3600 }));

  /** ADTS frames of a file as packs of `perPack` frames, 1024 samples each at 48 kHz. */
  const adtsPacks = (bytes: Uint8Array, base: number, perPack = 1): TestAudio[] => {
    const frames: Uint8Array[] = [];
    for (let o = 0; o + 7 <= bytes.length;) {
      const len = (bytes[o + 3] & 0x03) * 2048 + bytes[o + 4] * 8 + (bytes[o + 5] >> 5);
      frames.push(bytes.subarray(o, o + len));
      o += len;
    }
    const packs: TestAudio[] = [];
    for (let i = 0; i < frames.length; i += perPack) {
      packs.push({ bytes: Buffer.concat(frames.slice(i, i + perPack)), pts: base + i * 1920 });
    }
    return packs;
  };

  t.test('baseline with AUDs, 4-byte start codes', async (t) => {
    const units = at25fps(accessUnits(fixture('baseline.h264')));
    const { segments, stats } = muxUnits(units);
    t.equal(segments.length, 2, '4 s at a 2 s target with 1 s GOPs');
    t.same(
      segments.map((s) => s.meta.durationTicks),
      [180_000, 180_000],
    );
    t.equal(segments[0].meta.codecs, 'avc1.42c01e');
    t.same([segments[0].meta.width, segments[0].meta.height], [640, 360]);
    t.equal(stats.videoFramesDropped, 0);
    verifySegments(t, segments, units);
  });

  t.test('main, 4 slices per frame, SEI, no AUDs (inserted), 3-byte start codes', async (t) => {
    const units = at25fps(accessUnits(fixture('main-slices.h264')));
    t.ok(units[1].nals.length >= 4, 'the fixture really has several slices per frame');
    const { segments } = muxUnits(units, { shortStartCodes: true });
    t.equal(segments.length, 2);
    verifySegments(t, segments, units);
  });

  t.test('high with B-frames: PTS/DTS from the source', async (t) => {
    const { annexB, packets } = highBframes();
    const aus = accessUnits(annexB);
    t.equal(aus.length, packets.length, 'one access unit per ffprobe packet');
    const units: TestUnit[] = aus.map((nals, i) => ({ nals, pts: packets[i].pts, dts: packets[i].dts }));
    t.ok(
      units.some((u) => u.pts !== u.dts),
      'the stream really reorders',
    );
    const { segments } = muxUnits(units);
    t.ok(segments.length >= 2);
    verifySegments(t, segments, units);
    t.same(
      segments.map((s) => s.meta.codecs.startsWith('avc1.64')),
      segments.map(() => true),
      'high profile codec string',
    );
  });

  t.test('1080p 5 Mbit/s with 2 s GOPs', async (t) => {
    const units = at25fps(accessUnits(fixture('1080p.h264')));
    const { segments, stats } = muxUnits(units);
    t.equal(segments.length, 5);
    t.same([segments[0].meta.width, segments[0].meta.height], [1920, 1080], 'cropping applied (1088 coded)');
    t.ok(stats.pool.highWaterBytes < stats.pool.capacityBytes);
    verifySegments(t, segments, units);
  });

  t.test('baseline + AAC interleaved', async (t) => {
    const units = at25fps(accessUnits(fixture('baseline.h264')));
    const audio = adtsPacks(fixture('sine.aac'), 900_000, 2);
    const { segments, stats } = muxUnits(units, { audio });
    t.equal(stats.audioFramesDropped, 0, 'no audio dropped');
    t.equal(stats.audioFramesWritten, audio.length);
    t.equal(segments[0].meta.codecs, 'avc1.42c01e,mp4a.40.2');
    // A pack straddling a cut is split there (its frames go to the segment their PTS is in): one
    // more PES per split, never fewer than packs. Frame-exact checks: test/checker/tstd-timing.test.ts.
    verifySegments(t, segments, units);
    t.equal(
      segments.reduce((n, s) => n + s.meta.audioFrames, 0),
      audio.length,
      'every pack counted in one segment',
    );
  });

  t.test('SPS/PPS sent only once: re-inserted at every segment start', async (t) => {
    const all = accessUnits(fixture('baseline.h264'));
    let seen = false;
    const stripped = all.map((nals) => {
      const hasSps = nals.some((n) => (n[0] & 0x1f) === 7);
      if (hasSps && !seen) {
        seen = true;
        return nals;
      }
      return nals.filter((n) => (n[0] & 0x1f) !== 7 && (n[0] & 0x1f) !== 8);
    });
    const units = at25fps(stripped);
    const { segments } = muxUnits(units);
    t.equal(segments.length, 2);
    verifySegments(t, segments, units);
  });

  t.test('33-bit wrap: PTS crossing 2^33 keeps every field right', async (t) => {
    const units = at25fps(accessUnits(fixture('baseline.h264')), 2 ** 33 - 50 * 3600);
    const { segments } = muxUnits(units);
    t.equal(segments.length, 2);
    t.same(
      segments.map((s) => s.meta.durationTicks),
      [180_000, 180_000],
      'durations unaffected by the wrap',
    );
    // On the wire timestamps are modulo 2^33 (mux.js's ElementaryStream reports them raw).
    const wrapped = units.map((u) => ({ ...u, pts: u.pts % 2 ** 33, dts: u.dts % 2 ** 33 }));
    t.ok(
      wrapped.some((u) => u.pts < 100_000),
      'the input really wraps',
    );
    verifySegments(t, segments, wrapped);
  });
}

if (hasFfmpeg()) {
  t.test('audio that starts in the second segment: ffmpeg reading the segments as one stream finds it', async (t) => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const nodePath = await import('node:path');
    const { tmpdir } = await import('node:os');
    const units = accessUnits(fixture('baseline.h264')).map((nals, i) => ({ nals, pts: 900_000 + i * 3600, dts: 900_000 + i * 3600 }));
    const aac = fixture('sine.aac');
    const frames: Uint8Array[] = [];
    for (let o = 0; o + 7 <= aac.length;) {
      const len = (aac[o + 3] & 0x03) * 2048 + aac[o + 4] * 8 + (aac[o + 5] >> 5);
      frames.push(aac.subarray(o, o + len));
      o += len;
    }
    // Audio from 2 s on: the first segment is video only, the second carries audio.
    const audio = frames.map((bytes, i) => ({ bytes, pts: 900_000 + 180_000 + i * 1920 })).filter((a) => a.pts < 900_000 + 100 * 3600);
    const { segments } = muxUnits(units, { audio });
    t.equal(segments[0].meta.audioFrames, 0, 'first segment: video only');
    t.ok(segments[1].meta.audioFrames > 0, 'second segment: with audio');
    const dir = mkdtempSync(nodePath.join(tmpdir(), 's3hls-pmtv-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const path = nodePath.join(dir, 'all.ts');
    writeFileSync(path, Buffer.concat(segments.map((s) => s.bytes)));
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', path]).toString().trim().split('\n');
    t.ok(streams.includes('audio'), `ffprobe sees the audio track (${streams.join(',')})`);
  });
}
