import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsDemuxer, readPesTimestamp, type DemuxedPes } from '../../src/sources/ts-demuxer.js';
import { hasFfmpeg, probePackets } from '../helpers/fixtures.js';

const PTS_MODULO = 2 ** 33;

interface Got {
  pts: number;
  dts: number;
  size: number;
  first4: string;
}

function demux(bytes: Uint8Array, chunkSizes: (i: number) => number): { video: Got[]; audio: Got[]; skipped: number } {
  const video: Got[] = [];
  const audio: Got[] = [];
  const rec = (into: Got[]) => (p: DemuxedPes) => into.push({ pts: p.pts90k, dts: p.dts90k, size: p.bytes.length, first4: Buffer.from(p.bytes.subarray(0, 4)).toString('hex') });
  const d = new TsDemuxer({ onVideo: rec(video), onAudio: rec(audio) });
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const n = Math.max(1, chunkSizes(i));
    d.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  d.flush();
  return { video, audio, skipped: d.bytesSkipped };
}

t.test('readPesTimestamp reads all 33 bits (bit 32 set, as mediabunny lost with >>>)', async (t) => {
  // PTS = 2^33 - 1: '0010' + PTS[32..30]=111 + marker 1 → 0x2f; then 0xff 0xff; 0xff 0xff (markers set)
  t.equal(readPesTimestamp(Uint8Array.of(0x2f, 0xff, 0xff, 0xff, 0xff), 0), PTS_MODULO - 1);
  // PTS = 2^32 exactly: PTS[32..30]=100 → 0x29, rest zero with markers → 0x00 0x01 0x00 0x01
  t.equal(readPesTimestamp(Uint8Array.of(0x29, 0x00, 0x01, 0x00, 0x01), 0), 2 ** 32);
});

t.test(
  'ffmpeg TS with B-frames, AAC and a 33-bit PTS wrap: every frame, in order, with the PTS/DTS ffprobe sees',
  { skip: hasFfmpeg() ? false : 'ffmpeg not on PATH' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 's3hls-tsdemux-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'wrap.ts');
    // -output_ts_offset 95442 s puts the start ~1.7 s before 2^33 ticks, so PTS and DTS wrap mid-file.
    execFileSync('ffmpeg', [
      '-y',
      '-hide_banner',
      '-nostdin',
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
      '3',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-bf',
      '2',
      '-g',
      '25',
      '-c:a',
      'aac',
      '-output_ts_offset',
      '95442',
      '-f',
      'mpegts',
      path,
    ]);
    const bytes = readFileSync(path);
    const pv = probePackets(path, 'v:0');
    const pa = probePackets(path, 'a:0');

    const whole = demux(bytes, () => bytes.length);
    t.equal(whole.video.length, pv.length, 'one video PES per ffprobe packet');
    t.equal(whole.audio.length > 0, true, 'audio PES found');
    t.equal(whole.skipped, 0);
    for (let i = 0; i < pv.length; i++) {
      const g = whole.video[i];
      if ((((g.pts - pv[i].pts) % PTS_MODULO) + PTS_MODULO) % PTS_MODULO !== 0 || (((g.dts - pv[i].dts) % PTS_MODULO) + PTS_MODULO) % PTS_MODULO !== 0) {
        t.fail(`frame ${i}: got pts ${g.pts} dts ${g.dts}, ffprobe ${pv[i].pts}/${pv[i].dts}`);
        break;
      }
      if (i > 0 && g.dts <= whole.video[i - 1].dts) t.fail(`DTS not monotonic at ${i} (unwrap failed)`);
    }
    t.ok(
      whole.video.every((g) => g.first4 === '00000001' || g.first4.startsWith('000001')),
      'every video payload starts with a start code',
    );
    t.ok(whole.video[whole.video.length - 1].dts > PTS_MODULO, 'unwrapped past 2^33');
    // Audio: several ADTS frames per PES; first PTS matches ffprobe's first audio packet.
    t.equal((((whole.audio[0].pts - pa[0].pts) % PTS_MODULO) + PTS_MODULO) % PTS_MODULO, 0);
    t.equal(Buffer.from(whole.audio[0].first4, 'hex')[0], 0xff, 'ADTS syncword');

    // Any chunking gives the same frames: 1-byte chunks for the head, then pseudo-random sizes.
    const one = demux(bytes.subarray(0, 40_000), () => 1);
    const ref = demux(bytes.subarray(0, 40_000), () => 40_000);
    t.same(one, ref, '1-byte chunks');
    let seed = 7;
    const rnd = demux(bytes, () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 700);
    t.same(rnd, whole, 'random chunks of 1..699 bytes');
  },
);

t.test('garbage between packets is skipped and counted; a wrong PMT PID yields nothing', async (t) => {
  const frames: number[] = [];
  const d = new TsDemuxer({ onVideo: (p) => frames.push(p.bytes.length) });
  d.push(new Uint8Array(1000).fill(0x11));
  d.flush();
  t.equal(frames.length, 0);
  t.equal(d.bytesSkipped, 1000);
  t.throws(() => new TsDemuxer({} as never), TypeError);
});
