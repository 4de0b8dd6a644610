import t from 'tap';
import { pesHeaderLength, pesPacketLength, writePesHeader } from '../../src/mpegts/pes-header.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('video PES header with PTS and DTS (ISO/IEC 13818-1 §2.4.3.7)', async (t) => {
  const b = new Uint8Array(19);
  const n = writePesHeader(b, 0, { streamId: 0xe0, pts90k: 2 ** 32 + 3600, dts90k: 2 ** 32 }, pesPacketLength(19, 1000, false));
  t.equal(n, 19);
  t.equal(
    hex(b),
    '000001' + // packet_start_code_prefix
      'e0' + // stream_id: video stream 0
      '03f5' + // PES_packet_length = 3 + 10 + 1000 = 1013
      '84' + // '10' scrambling 00 priority 0 data_alignment_indicator 1 copyright 0 original 0
      'c0' + // PTS_DTS_flags '11', no other optional fields
      '0a' + // PES_header_data_length 10
      '3900011c21' + // '0011' PTS: 2^32 + 3600 → TS[32..30]=100, TS[14..0]=3600=0x0E10
      '1900010001', // '0001' DTS: 2^32
  );
});

t.test('audio PES header with PTS only', async (t) => {
  const b = new Uint8Array(14);
  const n = writePesHeader(b, 0, { streamId: 0xc0, pts90k: 2 ** 33 - 1, dts90k: 2 ** 33 - 1 }, pesPacketLength(14, 371, true));
  t.equal(n, 14);
  // stream_id 0xC0; PES_packet_length 3 + 5 + 371 = 379 = 0x017B; flags '10'; length 5; '0010' PTS 2^33-1
  t.equal(hex(b), '000001c0017b' + '84' + '80' + '05' + '2fffffffff');
});

t.test('PES_packet_length: exact when bounded, 0 for long unbounded video', async (t) => {
  t.equal(pesHeaderLength(false), 14);
  t.equal(pesHeaderLength(true), 19);
  t.equal(pesPacketLength(14, 0, true), 8, 'an empty payload still counts the header after the length field');
  t.equal(pesPacketLength(19, 65535 - 13, false), 65535, 'largest exact video length');
  t.equal(pesPacketLength(19, 65535 - 12, false), 0, 'one more byte: unbounded (0)');
  t.equal(pesPacketLength(14, 65535 - 8, true), 65535);
  t.throws(() => pesPacketLength(14, 65535 - 7, true), RangeError, 'bounded audio may not exceed 16 bits');
});
