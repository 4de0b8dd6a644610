import t from 'tap';
import fc from 'fast-check';
import { crc32Mpeg2 } from '../../src/mpegts/crc32.js';
import { crc32Mpeg2Bitwise } from '../checker/ts-checker.js';

t.test('CRC-32/MPEG-2 check value', async (t) => {
  // The catalogue check value of CRC-32/MPEG-2 (poly 0x04C11DB7, init all ones, no reflection, no xorout).
  const ascii = new TextEncoder().encode('123456789');
  t.equal(crc32Mpeg2(ascii, 0, 9), 0x0376e6e7);
  t.equal(crc32Mpeg2Bitwise(ascii, 0, 9), 0x0376e6e7, "the checker's bit-serial CRC agrees");
  t.equal(crc32Mpeg2(new Uint8Array(0), 0, 0), 0xffffffff, 'empty input leaves the preset register');
});

t.test("CRC of a real section: ffmpeg's PAT", async (t) => {
  // table_id .. program_map_PID of the PAT ffmpeg 5.1 writes, followed by the CRC it wrote: 2A B1 04 B2.
  const pat = Uint8Array.from([0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00, 0x2a, 0xb1, 0x04, 0xb2]);
  t.equal(crc32Mpeg2(pat, 0, 12), 0x2ab104b2);
  t.equal(crc32Mpeg2(pat, 0, 16), 0, 'Annex A: the decoder register is zero after the whole section, CRC included');
});

t.test('only the given range counts', async (t) => {
  const buf = Uint8Array.from([0xaa, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xbb]);
  t.equal(crc32Mpeg2(buf, 1, 10), 0x0376e6e7);
  t.throws(() => crc32Mpeg2(buf, 5, 4), RangeError);
  t.throws(() => crc32Mpeg2(buf, 0, 12), RangeError);
});

t.test('table-driven CRC equals the bit-serial Annex A register on any input', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
      const start = bytes.length === 0 ? 0 : cut % bytes.length;
      return crc32Mpeg2(bytes, start, bytes.length) === crc32Mpeg2Bitwise(bytes, start, bytes.length);
    }),
    { numRuns: 500 },
  );
  t.pass('the property held on every generated case');
});
