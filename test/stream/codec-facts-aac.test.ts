/**
 * The AAC part of CODECS follows the ADTS profile field (ISO/IEC 13818-7 §6.2.1, profile_ObjectType
 * = audioObjectType − 1): Main → mp4a.40.1, LC → mp4a.40.2, SSR → mp4a.40.3, LTP → mp4a.40.4, from
 * the stream through the segment's codec facts (object metadata) into the multivariant playlist.
 * Main, LC and LTP are real encodings by ffmpeg's AAC encoder, and ffprobe reads the same profile
 * back from the muxed segment (the frames are copied, so the profile is the source's). No encoder
 * here writes SSR: its frames are LC frames with the profile field set to 2 (only the header is read).
 * HE-AAC cannot be told from ADTS (docs/playback.md, "AAC object type in CODECS").
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMultivariantPlaylist } from '../../src/playlist/multivariant.js';
import { codecFactsFromMetadata, codecFactsMetadata } from '../../src/stream/codec-facts.js';
import { accessUnits } from '../helpers/annexb-units.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { muxUnits, type TestAudio } from '../helpers/mux-units.js';

/** The ADTS frames of a file, one pack per frame, 1024 samples each at 48 kHz (1920 ticks). */
function adtsFrames(bytes: Uint8Array, base: number): TestAudio[] {
  const out: TestAudio[] = [];
  for (let o = 0, i = 0; o + 7 <= bytes.length; i++) {
    // aac_frame_length: 13 bits over bytes 3-5.
    const len = (bytes[o + 3] & 0x03) * 2048 + bytes[o + 4] * 8 + (bytes[o + 5] >> 5);
    out.push({ bytes: bytes.subarray(o, o + len), pts: base + i * 1920 });
    o += len;
  }
  return out;
}

/** A copy of the frames with profile_ObjectType (byte 2, bits 7-6) set to `profile`. */
function withProfile(frames: readonly TestAudio[], profile: number): TestAudio[] {
  return frames.map((f) => {
    const b = Uint8Array.from(f.bytes);
    b[2] = (b[2] & 0x3f) | (profile << 6);
    return { bytes: b, pts: f.pts };
  });
}

const CASES = [
  { name: 'Main', ffmpegProfile: 'aac_main', profileField: 0, codec: 'mp4a.40.1', probe: 'Main' },
  { name: 'LC', ffmpegProfile: 'aac_low', profileField: 1, codec: 'mp4a.40.2', probe: 'LC' },
  { name: 'SSR (profile field rewritten)', ffmpegProfile: undefined, profileField: 2, codec: 'mp4a.40.3', probe: undefined },
  { name: 'LTP', ffmpegProfile: 'aac_ltp', profileField: 3, codec: 'mp4a.40.4', probe: 'LTP' },
] as const;

t.test('CODECS says the ADTS object type', { skip: hasFfmpeg() ? false : 'ffmpeg is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-aot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const units = accessUnits(fixture('baseline.h264')).map((nals, i) => ({ nals, pts: 900_000 + i * 3600, dts: 900_000 + i * 3600 }));
  const encode = (profile: string): Uint8Array => {
    const path = join(dir, `${profile}.aac`);
    // -strict -2: ffmpeg calls its LTP encoder experimental.
    execFileSync(
      'ffmpeg',
      ['-y', '-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4'].concat([
        '-c:a',
        'aac',
        '-strict',
        '-2',
        '-profile:a',
        profile,
        '-f',
        'adts',
        path,
      ]),
    );
    return readFileSync(path);
  };
  const lc = adtsFrames(encode('aac_low'), 900_000);
  for (const c of CASES) {
    const audio = c.ffmpegProfile === undefined ? withProfile(lc, c.profileField) : adtsFrames(encode(c.ffmpegProfile), 900_000);
    t.equal(audio[0].bytes[2] >> 6, c.profileField, `${c.name}: the source's profile field is ${c.profileField}`);
    const { segments, stats } = muxUnits(units, { audio });
    t.equal(stats.audioFramesWritten, audio.length, `${c.name}: every frame muxed`);
    t.same(
      segments.map((s) => s.meta.codecs),
      segments.map(() => `avc1.42c01e,${c.codec}`),
      `${c.name}: every segment says ${c.codec}`,
    );
    const facts = codecFactsFromMetadata(codecFactsMetadata(segments[0].meta));
    t.equal(facts?.codecs, `avc1.42c01e,${c.codec}`, `${c.name}: the metadata round trip keeps it`);
    const text = renderMultivariantPlaylist('playlist.m3u8', { bandwidth: 1_000_000, averageBandwidth: 900_000, facts });
    t.match(text, `CODECS="avc1.42c01e,${c.codec}"`, `${c.name}: index.m3u8 says it`);
    if (c.probe !== undefined) {
      const seg = join(dir, `${c.ffmpegProfile}.ts`);
      writeFileSync(seg, segments[0].bytes);
      const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=profile', '-of', 'json', seg], { encoding: 'utf8' });
      const read = (JSON.parse(probe.stdout || '{}') as { streams?: { profile?: string }[] }).streams?.[0]?.profile;
      t.equal(read, c.probe, `${c.name}: ffprobe reads profile ${c.probe} in the muxed segment`);
    }
  }
});
