import t from 'tap';
import { readFileSync } from 'node:fs';
import { fixturePath, hasFfmpeg } from '../helpers/fixtures.js';
import { checkTransportStream, crc32Mpeg2Bitwise, type TsCheckState } from './ts-checker.js';
import { ChunkList } from '../../src/mpegts/chunk-list.js';
import { ContinuityCounters } from '../../src/mpegts/continuity-counters.js';
import { PesPacketizer, type PesWrite } from '../../src/mpegts/packetizer.js';
import { writePat, writePmt } from '../../src/mpegts/psi.js';

if (!hasFfmpeg()) {
  t.fail('ffmpeg is required (apt-get install -y ffmpeg)');
  process.exit(1);
}

const ffmpegTs = readFileSync(fixturePath('high-bframes.ts'));
const P = 188;
const pidOf = (b: Uint8Array, i: number) => ((b[i * P + 1] & 0x1f) << 8) | b[i * P + 2];
const afc = (b: Uint8Array, i: number) => (b[i * P + 3] >> 4) & 3;
const copy = (b: Uint8Array) => Uint8Array.from(b);
/** Index of the first packet matching `pred`. */
function find(b: Uint8Array, pred: (i: number) => boolean, from = 0): number {
  for (let i = from; i < b.length / P; i++) if (pred(i)) return i;
  throw new Error(`no such packet from ${from} in ${b.length / P}`);
}

/** A small stream written by our own writers: PAT, PMT (video + audio), video and audio PES. */
function ourStream(): Uint8Array {
  const pool = new Uint8Array(P * 128);
  let slot = 0;
  const cursor = { nextPacket: () => slot++ * P };
  const cc = new ContinuityCounters();
  writePat(pool, cursor.nextPacket(), cc);
  writePmt(pool, cursor.nextPacket(), cc, { video: true, audio: true });
  const packetizer = new PesPacketizer(pool);
  const payload = new ChunkList();
  const src = new Uint8Array(4000).map((_, i) => (i * 13) & 0xff);
  const video: PesWrite = {
    pid: 0x100,
    streamId: 0xe0,
    pts90k: 2 ** 33 - 3600,
    dts90k: 2 ** 33 - 7200,
    pcr90k: 2 ** 33 - 9000,
    randomAccess: true,
    discontinuity: false,
    boundedLength: false,
  };
  const audio: PesWrite = { pid: 0x101, streamId: 0xc0, pts90k: 100, dts90k: 100, pcr90k: -1, randomAccess: true, discontinuity: false, boundedLength: true };
  for (let f = 0; f < 4; f++) {
    payload.clear();
    payload.add(src, 0, 1500 + f * 700);
    packetizer.write(cursor, cc, video, payload);
    video.pts90k += 3600;
    video.dts90k += 3600;
    video.pcr90k += 3600; // crosses the 33-bit wrap
    video.randomAccess = false;
    payload.clear();
    payload.add(src, 100, 100 + 300 + f);
    packetizer.write(cursor, cc, audio, payload);
  }
  return pool.subarray(0, slot * P);
}

t.test('the Debian ffmpeg stream: only the table order differs from what we require', async (t) => {
  const r = checkTransportStream(ffmpegTs);
  // ffmpeg's mpegts muxer writes the DVB SDT (PID 0x11) first, then PAT and PMT.
  t.same(r.errors, ['packet 0 (pid 0x11): first packet is not the PAT', 'packet 1 (pid 0x0): second packet is not the PMT (PAT names none)']);
  t.equal(pidOf(ffmpegTs, 0), 0x11);
  const relaxed = checkTransportStream(ffmpegTs, { requirePatPmtFirst: false });
  t.same(relaxed.errors, [], 'every CRC (SDT, PAT, PMT), CC, adaptation field, PCR gap and PES header is valid');
  t.equal(relaxed.pesCount.get(0x100), 100, '4 s at 25 fps: 100 video PES');
  t.equal(relaxed.packets, ffmpegTs.length / P);
  // ffmpeg writes a PCR every 80 ms on the video PID: inside the 100 ms limit, outside a 50 ms one.
  const gaps = relaxed.pcrs90k.slice(1).map((v, i) => v - relaxed.pcrs90k[i]);
  t.equal(Math.max(...gaps), 7200, 'largest PCR gap 80 ms');
  const strict = checkTransportStream(ffmpegTs, { requirePatPmtFirst: false, maxPcrGapMs: 50 });
  t.ok(strict.errors.length > 0 && strict.errors.every((e) => /PCR gap 80\.000 ms > 50 ms/.test(e)), 'a 50 ms limit reports every gap');
});

t.test('our own writers produce a stream the checker accepts', async (t) => {
  const s = ourStream();
  const r = checkTransportStream(s);
  t.same(r.errors, []);
  t.equal(r.pesCount.get(0x100), 4);
  t.equal(r.pesCount.get(0x101), 4);
  t.equal(r.firstPesPts.get(0x100), 2 ** 33 - 3600);
  t.equal(r.pcrs90k.length, 4);
  t.equal(r.pcrs90k[3], (2 ** 33 - 9000 + 3 * 3600) % 2 ** 33, 'PCR wrapped past 2^33 and the gap check followed it');
});

t.test('corruptions are reported', async (t) => {
  const relaxed = { requirePatPmtFirst: false };
  const expectError = (name: string, bytes: Uint8Array, pattern: RegExp, options: object = relaxed) => {
    const r = checkTransportStream(bytes, options);
    t.ok(
      r.errors.some((e) => pattern.test(e)),
      `${name}: ${r.errors[0] ?? 'no error reported'}`,
    );
  };

  let b = copy(ffmpegTs);
  const pat = find(b, (i) => pidOf(b, i) === 0);
  b[pat * P + 5 + 12] ^= 0x01; // first CRC_32 byte of the PAT (after pointer_field + 12 section bytes)
  expectError('PAT CRC byte flipped', b, /CRC_32 of table_id 0x0 section/);

  b = copy(ffmpegTs);
  const pmt = find(b, (i) => pidOf(b, i) === 0x1000);
  b[pmt * P + 5 + 17 + 3] ^= 0x80; // last CRC_32 byte of the one-stream PMT
  expectError('PMT CRC byte flipped', b, /CRC_32 of table_id 0x2 section/);

  b = copy(ffmpegTs);
  b[5 + 3] ^= 0x10; // SDT section_length byte changed: its CRC no longer matches
  expectError('SDT damaged', b, /CRC_32 of table_id 0x42|section incomplete/);

  b = copy(ffmpegTs);
  const mid = find(b, (i) => pidOf(b, i) === 0x100 && afc(b, i) === 1, Math.floor(b.length / P / 2));
  b[mid * P + 3] = (b[mid * P + 3] & 0xf0) | ((b[mid * P + 3] + 3) & 0x0f);
  expectError('CC broken', b, new RegExp(`packet ${mid} \\(pid 0x100\\): continuity_counter`));

  b = copy(ffmpegTs);
  b[10 * P] = 0x46;
  expectError('bad sync byte', b, /packet 10 .*sync_byte is 0x46/);

  b = copy(ffmpegTs);
  b[10 * P + 1] |= 0x80;
  expectError('transport_error_indicator', b, /transport_error_indicator/);

  b = copy(ffmpegTs);
  const withAf = find(b, (i) => pidOf(b, i) === 0x100 && afc(b, i) === 3 && b[i * P + 4] > 10);
  b[withAf * P + 4] = 183; // too long while payload is present
  expectError('adaptation_field_length 183 with payload', b, /adaptation_field_length 183 with payload/);

  b = copy(ffmpegTs);
  const stuffed = find(b, (i) => pidOf(b, i) === 0x100 && afc(b, i) === 3 && b[i * P + 4] > 10 && (b[i * P + 5] & 0x10) === 0);
  b[stuffed * P + 4 + b[stuffed * P + 4]] = 0x00; // last stuffing byte
  expectError('stuffing byte not 0xFF', b, /stuffing byte .* is 0x0/);

  b = copy(ffmpegTs);
  const dropped = find(b, (i) => pidOf(b, i) === 0x100 && afc(b, i) === 1, Math.floor((b.length / P) * 0.7));
  expectError('a packet dropped', Buffer.concat([b.subarray(0, dropped * P), b.subarray((dropped + 1) * P)]), /continuity_counter/);

  expectError('truncated', ffmpegTs.subarray(0, ffmpegTs.length - 100), /not a multiple of 188/);

  // Our stream has exact PES_packet_length on audio and video: dropping a middle packet of a PES
  // and renumbering the CCs behind it is caught by the length check alone.
  const ours = ourStream();
  const audioStart = find(ours, (i) => pidOf(ours, i) === 0x101 && (ours[i * P + 1] & 0x40) !== 0);
  const video2 = find(ours, (i) => pidOf(ours, i) === 0x100 && (ours[i * P + 1] & 0x40) !== 0, audioStart);
  const cut = Buffer.concat([ours.subarray(0, (video2 + 2) * P), ours.subarray((video2 + 3) * P)]);
  for (let i = video2 + 2; i < cut.length / P; i++) if (pidOf(cut, i) === 0x100) cut[i * P + 3] = (cut[i * P + 3] & 0xf0) | ((cut[i * P + 3] - 1) & 0x0f);
  const rc = checkTransportStream(cut);
  t.ok(rc.errors.length > 0 && rc.errors.every((e) => /PES_packet_length \d+ announces/.test(e)), `PES shorter than announced: ${rc.errors[0]}`);

  b = copy(ours);
  b[video2 * P + 4 + 1 + b[video2 * P + 4] + 9 + 2] &= 0xfe; // PTS's second marker bit
  expectError('PTS marker bit', b, /PTS marker_bit is 0/, {});

  b = copy(ours);
  // PCR_flag on the audio PES's stuffed last packet (the stuffing is read as the PCR field): the
  // PMT says PCR_PID is 0x100.
  const audioLast = find(b, (i) => pidOf(b, i) === 0x101 && afc(b, i) === 3 && (b[i * P + 1] & 0x40) === 0 && b[i * P + 4] >= 7);
  b[audioLast * P + 5] |= 0x10;
  expectError('PCR on a PID other than PCR_PID', b, /PCR on a PID other than PCR_PID 0x100/, {});

  b = copy(ours);
  const pmtOurs = 1;
  b[pmtOurs * P + 5 + 12 + 5 + 2] = 0x02; // audio elementary_PID 0x101 → 0x102 (CRC fixed below)
  // section_length 23: 26 section bytes, CRC_32 over the first 22 and stored in the last 4.
  const crc = crc32Mpeg2Bitwise(b, pmtOurs * P + 5, pmtOurs * P + 5 + 22);
  b.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], pmtOurs * P + 5 + 22);
  const rp = checkTransportStream(b);
  t.ok(
    rp.errors.some((e) => /PMT lists stream_type 0xf on 0x102 but no packet carries it/.test(e)),
    'PMT names a PID that is absent',
  );
  t.ok(
    rp.errors.some((e) => /pid 0x101\): packets on a PID the PMT does not list/.test(e)),
    'packets on an unlisted PID',
  );
  expectError(
    'PES start code',
    (() => {
      const c = copy(ours);
      c[audioStart * P + 4 + 1 + c[audioStart * P + 4] + 2] = 0x02;
      return c;
    })(),
    /packet_start_code_prefix/,
    {},
  );
  expectError('PAT/PMT not first', ours.subarray(P), /first packet is not the PAT/, {});
});

t.test('duplicates: one identical copy is allowed (§2.4.3.3), a changed one is not', async (t) => {
  const i = find(ffmpegTs, (k) => pidOf(ffmpegTs, k) === 0x100 && afc(ffmpegTs, k) === 1, Math.floor(ffmpegTs.length / P / 4));
  const dup = Buffer.concat([ffmpegTs.subarray(0, (i + 1) * P), ffmpegTs.subarray(i * P, (i + 1) * P), ffmpegTs.subarray((i + 1) * P)]);
  t.same(checkTransportStream(dup, { requirePatPmtFirst: false }).errors, []);
  const changed = Buffer.from(dup);
  changed[(i + 1) * P + 100] ^= 0xff;
  t.match(checkTransportStream(changed, { requirePatPmtFirst: false }).errors.join('\n'), /continuity_counter \d+ repeats without being a duplicate/);
});

t.test('state carries CC and PCR across segments', async (t) => {
  // Cut ffmpeg's stream at a packet boundary: the halves checked with one state are clean…
  const cutAt = Math.floor(ffmpegTs.length / P / 2) * P;
  const state: TsCheckState = { cc: new Map() };
  t.same(checkTransportStream(ffmpegTs.subarray(0, cutAt), { state, requirePatPmtFirst: false }).errors, []);
  t.same(
    checkTransportStream(ffmpegTs.subarray(cutAt), { state, requirePatPmtFirst: false }).errors.filter((e) => !/PES header incomplete|announces/.test(e)),
    [],
  );
  // …but losing the packet at the boundary is visible only through the carried state.
  const lost = ffmpegTs.subarray(cutAt + P);
  const s2: TsCheckState = { cc: new Map() };
  checkTransportStream(ffmpegTs.subarray(0, cutAt), { state: s2, requirePatPmtFirst: false });
  const r = checkTransportStream(lost, { state: s2, requirePatPmtFirst: false });
  t.ok(
    r.errors.some((e) => /^packet 0 .*continuity_counter/.test(e)),
    'CC jump at the start of the second segment',
  );
  t.equal(checkTransportStream(lost, { requirePatPmtFirst: false }).errors.filter((e) => /continuity/.test(e)).length, 0, 'without state there is nothing to compare');
  // A PCR gap across the boundary: the state remembers the last PCR.
  const s3: TsCheckState = { cc: new Map(), lastPcr: 0 };
  t.match(checkTransportStream(ffmpegTs, { state: s3, requirePatPmtFirst: false }).errors[0], /PCR gap/);
  // A discontinuity_indicator allows both jumps.
  const ours = ourStream();
  const s4: TsCheckState = { cc: new Map([[0x100, 7]]), lastPcr: 5 };
  t.ok(checkTransportStream(ours, { state: s4 }).errors.length > 0, 'CC and PCR jump without discontinuity_indicator');
  const disc = copy(ours);
  const v = find(disc, (i) => pidOf(disc, i) === 0x100);
  disc[v * P + 5] |= 0x80;
  const s5: TsCheckState = { cc: new Map([[0x100, 7]]), lastPcr: 5 };
  t.same(checkTransportStream(disc, { state: s5 }).errors, [], 'discontinuity_indicator allows them');
});
