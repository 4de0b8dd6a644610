import t from 'tap';
import fc from 'fast-check';
import { writePcr, writeTimestamp, wrapTicks } from '../../src/mpegts/timestamps.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function pts(prefix: number, ticks: number): string {
  const b = new Uint8Array(5);
  writeTimestamp(b, 0, prefix, ticks);
  return hex(b);
}

function pcr(base: number, ext = 0): string {
  const b = new Uint8Array(6);
  writePcr(b, 0, base, ext);
  return hex(b);
}

// 5-byte field (ISO/IEC 13818-1 §2.4.3.7): prefix(4) TS[32..30](3) marker | TS[29..15](15) marker | TS[14..0](15) marker.
t.test('PTS golden vectors (prefix 0010)', async (t) => {
  // 0: 0010 000 1 | 00000000 0000000 1 | 00000000 0000000 1
  t.equal(pts(0b0010, 0), '2100010001');
  // 2^32-1: TS[32..30] = 011 → 0x27; all lower 30 bits 1 → ff ff ff ff
  t.equal(pts(0b0010, 2 ** 32 - 1), '27ffffffff');
  // 2^32: TS[32..30] = 100 → 0010 100 1 = 0x29; lower bits 0, markers 1
  t.equal(pts(0b0010, 2 ** 32), '2900010001');
  // 2^33-1: TS[32..30] = 111 → 0x2f; the rest all ones
  t.equal(pts(0b0010, 2 ** 33 - 1), '2fffffffff');
  // 2^33 wraps to 0 (33-bit counter)
  t.equal(pts(0b0010, 2 ** 33), '2100010001');
  // 2^33 + 90000 wraps to 90000 = 0x15F90: TS[29..15] = 2 → 00 05, TS[14..0] = 0x5F90 → 0xBF 0x21
  t.equal(pts(0b0010, 2 ** 33 + 90000), pts(0b0010, 90000));
  t.equal(pts(0b0010, 90000), '210005bf21');
  // 2^31 (where `>>` turns negative): TS[32..30] = 010 → 0x25
  t.equal(pts(0b0010, 2 ** 31), '2500010001');
});

t.test('DTS and PTS-with-DTS prefixes', async (t) => {
  t.equal(pts(0b0001, 0), '1100010001', 'DTS: prefix 0001');
  t.equal(pts(0b0011, 2 ** 32 - 1), '37ffffffff', 'PTS followed by DTS: prefix 0011');
  t.equal(pts(0b0001, 2 ** 32), '1900010001');
  t.equal(pts(0b0001, 2 ** 33 - 1), '1fffffffff');
  t.equal(pts(0b0001, 2 ** 33), '1100010001');
});

// 6-byte PCR (§2.4.3.4): base(33) reserved(6)=111111 extension(9).
t.test('PCR golden vectors', async (t) => {
  t.equal(pcr(0), '000000007e00', 'base 0: reserved bits 111111 only');
  // 2^32-1: base bit 32 = 0, bits 31..0 = 1 → 0 1111111 | ff | ff | ff | 1 111111 0 | 00
  t.equal(pcr(2 ** 32 - 1), '7ffffffffe00');
  t.equal(pcr(2 ** 32), '800000007e00', 'only bit 32 set: the top bit of the first byte');
  t.equal(pcr(2 ** 33 - 1), 'fffffffffe00');
  t.equal(pcr(2 ** 33), '000000007e00', '2^33 wraps to 0');
  t.equal(pcr(0, 299), '000000007f2b', 'extension 299 = 1 0010 1011');
  t.equal(pcr(1, 256), '00000000ff00', 'base bit 0 and extension bit 8 share byte 4');
  t.throws(() => pcr(0, 300), RangeError);
  t.throws(() => pcr(0, -1), RangeError);
});

t.test('wrapTicks reduces modulo 2^33 with arithmetic, negatives from the top', async (t) => {
  t.equal(wrapTicks(0), 0);
  t.equal(wrapTicks(2 ** 33), 0);
  t.equal(wrapTicks(2 ** 40 + 7), 7);
  t.equal(wrapTicks(-1), 2 ** 33 - 1);
  t.throws(() => wrapTicks(1.5), RangeError);
  t.throws(() => wrapTicks(Number.NaN), RangeError);
  t.throws(() => writeTimestamp(new Uint8Array(5), 0, 2, Infinity), RangeError);
});

// Independent decoders (multiplication, no bit operators on the 33-bit value).
function decodePts(b: Uint8Array): number {
  return ((b[0] >> 1) & 7) * 2 ** 30 + b[1] * 2 ** 22 + (b[2] >> 1) * 2 ** 15 + b[3] * 2 ** 7 + (b[4] >> 1);
}
function decodePcrBase(b: Uint8Array): number {
  return b[0] * 2 ** 25 + b[1] * 2 ** 17 + b[2] * 2 ** 9 + b[3] * 2 + (b[4] >> 7);
}

t.test('any tick count round-trips modulo 2^33 with valid marker bits', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 299 }), (ticks, ext) => {
      const b = new Uint8Array(5);
      writeTimestamp(b, 0, 0b0011, ticks);
      const p = new Uint8Array(6);
      writePcr(p, 0, ticks, ext);
      const markers = (b[0] & 1) === 1 && (b[2] & 1) === 1 && (b[4] & 1) === 1 && b[0] >> 4 === 0b0011;
      const pcrExt = (p[4] & 1) * 256 + p[5];
      return markers && decodePts(b) === ticks % 2 ** 33 && decodePcrBase(p) === ticks % 2 ** 33 && pcrExt === ext && (p[4] & 0x7e) === 0x7e;
    }),
    { numRuns: 2000 },
  );
  t.pass('the property held on every generated case');
});
