import t from 'tap';
import { ContinuityCounters } from '../../src/mpegts/continuity-counters.js';
import { writePat, writePmt } from '../../src/mpegts/psi.js';
import { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO } from '../../src/mpegts/constants.js';
import { checkTransportStream, crc32Mpeg2Bitwise } from '../checker/ts-checker.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const stuffedTo188 = (head: string): string => head + 'ff'.repeat(188 - head.length / 2);

// Expected packets, byte by byte. The PAT and the video-only and audio-only PMTs are byte-identical to
// what Debian's ffmpeg 5.1 writes for `-f mpegts` with the same streams (video → PID 0x100; audio alone
// given `-streamid 0:0x101`), so two independent writers agree on every field and the CRC. The
// video + audio PMT is ffmpeg's too except version_number 1 (and so its CRC, computed bit-serially).
const PAT =
  '47' + // sync_byte
  '4000' + // transport_error 0, payload_unit_start 1, priority 0, PID 0x0000
  '10' + // scrambling 00, adaptation_field_control 01 (payload only), continuity_counter 0
  '00' + // pointer_field
  '00' + // table_id: program_association_section
  'b00d' + // section_syntax_indicator 1, '0', reserved 11, section_length 13
  '0001' + // transport_stream_id 1
  'c1' + // reserved 11, version_number 0, current_next_indicator 1
  '00' +
  '00' + // section_number, last_section_number
  '0001' + // program_number 1
  'f000' + // reserved 111, program_map_PID 0x1000
  '2ab104b2'; // CRC_32

const PMT_HEAD = (sectionLength: string, pcrPid: string, versionByte = 'c1') =>
  '47' +
  '5000' + // PUSI 1, PID 0x1000
  '10' + // payload only, CC 0
  '00' + // pointer_field
  '02' + // table_id: TS_program_map_section
  sectionLength + // '1' '0' '11' + section_length (13 + 5 per stream)
  '0001' + // program_number 1
  versionByte + // reserved 11, version_number (0, or 1 with both tracks), current_next 1
  '0000' + // section_number, last_section_number
  pcrPid + // reserved 111 + PCR_PID
  'f000'; // reserved 1111, program_info_length 0
const ES_VIDEO = '1b' + 'e100' + 'f000'; // stream_type 0x1B (H.264), reserved 111 + PID 0x100, ES_info_length 0
const ES_AUDIO = '0f' + 'e101' + 'f000'; // stream_type 0x0F (AAC ADTS), PID 0x101, ES_info_length 0

const PMT_VIDEO = PMT_HEAD('b012', 'e100') + ES_VIDEO + '15bd4d56';
const PMT_AUDIO = PMT_HEAD('b012', 'e101') + ES_AUDIO + 'ece2b094'; // PCR_PID = audio PID when no video
// Version 1: the PMT of a segment with both tracks differs from a video-only one (ffmpeg writes version 0 for its single PMT).
const PMT_BOTH = PMT_HEAD('b017', 'e100', 'c3') + ES_VIDEO + ES_AUDIO + '00e2db21';

t.test('PAT: every byte', async (t) => {
  const buf = new Uint8Array(188);
  writePat(buf, 0, new ContinuityCounters());
  t.equal(hex(buf), stuffedTo188(PAT));
});

t.test('PMT: video only, audio only, both — every byte', async (t) => {
  for (const [tracks, expected] of [
    [{ video: true, audio: false }, PMT_VIDEO],
    [{ video: false, audio: true }, PMT_AUDIO],
    [{ video: true, audio: true }, PMT_BOTH],
  ] as const) {
    const buf = new Uint8Array(188);
    writePmt(buf, 0, new ContinuityCounters(), tracks);
    t.equal(hex(buf), stuffedTo188(expected), JSON.stringify(tracks));
    // The CRC again, by the checker's bit-serial implementation: the register over section + CRC is 0.
    const sectionLength = ((buf[6] & 0x0f) << 8) | buf[7];
    t.equal(crc32Mpeg2Bitwise(buf, 5, 8 + sectionLength), 0, 'CRC_32 verifies');
  }
});

t.test('written at an offset, with the continuity counter advancing per PID and wrapping', async (t) => {
  const cc = new ContinuityCounters();
  const buf = new Uint8Array(188 * 40).fill(0xaa);
  for (let i = 0; i < 20; i++) {
    writePat(buf, 188 * 2 * i, cc);
    writePmt(buf, 188 * (2 * i + 1), cc, { video: true, audio: true });
  }
  const ccs = Array.from({ length: 40 }, (_, i) => buf[188 * i + 3] & 0x0f);
  t.same(
    ccs.filter((_, i) => i % 2 === 0),
    [...Array(20).keys()].map((i) => i % 16),
    'PAT CC 0..15, 0..3',
  );
  t.same(
    ccs.filter((_, i) => i % 2 === 1),
    [...Array(20).keys()].map((i) => i % 16),
    'PMT CC counts on its own',
  );
  t.equal(cc.peek(PID_PAT), 4);
  t.equal(cc.peek(PID_PMT), 4);
  t.equal(cc.peek(PID_VIDEO), 0, 'other PIDs untouched');
  // The checker sees continuous CCs and valid sections (ES PIDs absent here, so only those complaints).
  const r = checkTransportStream(buf);
  t.same(
    r.errors.filter((e) => !/no packet carries it|PCR_PID/.test(e)),
    [],
  );
});

t.test('programmer errors', async (t) => {
  const cc = new ContinuityCounters();
  t.throws(() => writePmt(new Uint8Array(188), 0, cc, { video: false, audio: false }), TypeError);
  t.throws(() => writePat(new Uint8Array(187), 0, cc), RangeError);
  t.throws(() => writePmt(new Uint8Array(376), 189, cc, { video: true, audio: false }), RangeError);
  t.equal(cc.peek(PID_PAT), 0, 'a refused write does not advance the counter');
  t.equal(cc.peek(PID_AUDIO), 0);
});

t.test('ContinuityCounters', async (t) => {
  const cc = new ContinuityCounters();
  const seq = Array.from({ length: 18 }, () => cc.next(0x100));
  t.same(seq, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1]);
  t.equal(cc.peek(0x100), 2, 'peek shows the next value without advancing');
  t.equal(cc.peek(0x100), 2);
  t.equal(cc.next(0x1fff), 0, 'the null PID is a valid index');
  t.throws(() => cc.next(0x2000), RangeError);
  t.throws(() => cc.peek(-1), RangeError);
  t.throws(() => cc.next(1.5), RangeError);
});
