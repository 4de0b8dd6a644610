import t from 'tap';
import fc from 'fast-check';
import { ChunkList } from '../../src/mpegts/chunk-list.js';
import { ContinuityCounters } from '../../src/mpegts/continuity-counters.js';
import { PesPacketizer, type PacketCursor, type PesWrite } from '../../src/mpegts/packetizer.js';
import { checkTransportStream, type TsCheckState } from '../checker/ts-checker.js';

/** A ring of `packets` slots; counts calls. */
class RingCursor implements PacketCursor {
  calls = 0;
  readonly offsets: number[] = [];
  constructor(
    readonly packets: number,
    public slot = 0,
  ) {}
  nextPacket(): number {
    const o = (this.slot % this.packets) * 188;
    this.slot++;
    this.calls++;
    this.offsets.push(o);
    return o;
  }
}

function pes(over: Partial<PesWrite> = {}): PesWrite {
  return { pid: 0x100, streamId: 0xe0, pts90k: 1000, dts90k: 1000, pcr90k: -1, randomAccess: false, discontinuity: false, boundedLength: false, ...over };
}

/** Reads a PES back from packets with nothing but the spec: returns its elementary stream bytes. */
function readBack(pool: Uint8Array, offsets: readonly number[]): { es: Uint8Array; headerLength: number; pesPacketLength: number } {
  const bytes: number[] = [];
  for (const o of offsets) {
    const afc = (pool[o + 3] >> 4) & 3;
    const start = afc === 3 ? o + 5 + pool[o + 4] : o + 4;
    for (let k = start; k < o + 188; k++) bytes.push(pool[k]);
  }
  const headerLength = 9 + bytes[8];
  return { es: Uint8Array.from(bytes.slice(headerLength)), headerLength, pesPacketLength: bytes[4] * 256 + bytes[5] };
}

const source = new Uint8Array(70000).map((_, i) => (i * 7 + 3) & 0xff);

t.test('packetCount is exact for every payload size 0..400 and every header option', async (t) => {
  const pool = new Uint8Array(188 * 8);
  const packetizer = new PesPacketizer(pool);
  const cc = new ContinuityCounters();
  const state: TsCheckState = { cc: new Map() };
  const payload = new ChunkList();
  let mismatches = 0;
  let roundTripFailures = 0;
  const checkerErrors: string[] = [];
  const stuffingCases = { oneByteAf: 0, longAf: 0, firstPacketStuffed: 0, exactFit: 0 };
  let pcr = 0;
  for (const hasDts of [false, true]) {
    for (const hasPcr of [false, true]) {
      for (const flags of [0, 1, 2, 3]) {
        for (let size = 0; size <= 400; size++) {
          payload.clear();
          // Split into up to three ranges so range boundaries fall at varying places.
          const a = size % 3 === 0 ? 0 : Math.floor(size / 3);
          const b = size % 2 === 0 ? a : Math.floor((2 * size) / 3);
          payload.add(source, 100, 100 + a);
          payload.add(source, 5000 + a, 5000 + b);
          payload.add(source, 9000 + b, 9000 + size);
          const expected = Uint8Array.from([...source.subarray(100, 100 + a), ...source.subarray(5000 + a, 5000 + b), ...source.subarray(9000 + b, 9000 + size)]);
          const cursor = new RingCursor(8);
          const w = pes({ dts90k: hasDts ? 100 : 1000, pcr90k: hasPcr ? pcr++ : -1, randomAccess: (flags & 1) !== 0, discontinuity: (flags & 2) !== 0 });
          const written = packetizer.write(cursor, cc, w, payload);
          const counted = packetizer.packetCount(size, hasDts, hasPcr);
          if (written !== counted || cursor.calls !== counted) mismatches++;
          const back = readBack(pool, cursor.offsets);
          if (Buffer.compare(back.es, expected) !== 0 || back.pesPacketLength !== back.headerLength - 6 + size) roundTripFailures++;
          const packets = Uint8Array.from(cursor.offsets.flatMap((o) => [...pool.subarray(o, o + 188)]));
          const r = checkTransportStream(packets, { state, requirePatPmtFirst: false });
          if (r.errors.length) checkerErrors.push(`dts=${hasDts} pcr=${hasPcr} flags=${flags} size=${size}: ${r.errors.join('; ')}`);
          // First packet: PUSI and an adaptation field carrying exactly the requested flags.
          const f = cursor.offsets[0];
          if ((pool[f + 1] & 0x40) === 0 || (pool[f + 3] & 0x30) !== 0x30) mismatches++;
          if (pool[f + 5] !== (((flags & 2) !== 0 ? 0x80 : 0) | ((flags & 1) !== 0 ? 0x40 : 0) | (hasPcr ? 0x10 : 0))) mismatches++;
          const last = cursor.offsets[cursor.offsets.length - 1];
          if (written === 1) {
            if (pool[f + 4] > (hasPcr ? 7 : 1)) stuffingCases.firstPacketStuffed++;
            else stuffingCases.exactFit++;
          } else if ((pool[last + 3] & 0x20) !== 0) {
            if (pool[last + 4] === 0) stuffingCases.oneByteAf++;
            else stuffingCases.longAf++;
          } else stuffingCases.exactFit++;
        }
      }
    }
  }
  t.equal(mismatches, 0, 'write() uses exactly packetCount() packets, and the first packet carries PUSI and the flags');
  t.equal(roundTripFailures, 0, 'payload bytes and PES_packet_length read back exactly');
  t.same(checkerErrors.slice(0, 5), [], 'the structural checker accepts every PES, CC continuous across all 6416');
  t.ok(
    stuffingCases.oneByteAf > 0 && stuffingCases.longAf > 0 && stuffingCases.firstPacketStuffed > 0 && stuffingCases.exactFit > 0,
    `all stuffing cases met: ${JSON.stringify(stuffingCases)}`,
  );
});

t.test('boundaries, packet by packet (no DTS, no PCR: 14-byte header, 182 bytes of room in packet 1)', async (t) => {
  const pool = new Uint8Array(188 * 4);
  const packetizer = new PesPacketizer(pool);
  const run = (size: number) => {
    const payload = new ChunkList();
    payload.add(source, 0, size);
    const cursor = new RingCursor(4);
    const n = packetizer.write(cursor, new ContinuityCounters(), pes(), payload);
    return { n, p: (i: number) => pool.subarray(188 * i, 188 * i + 188) };
  };
  let r = run(168); // 14 + 168 = 182: fills packet 1 exactly
  t.equal(r.n, 1);
  t.same([...r.p(0).subarray(0, 6)], [0x47, 0x41, 0x00, 0x30, 1, 0x00], 'AF length 1 (flags only), no stuffing');
  r = run(167); // 181: one stuffing byte in packet 1's adaptation field
  t.equal(r.n, 1);
  t.same([...r.p(0).subarray(3, 7)], [0x30, 2, 0x00, 0xff], 'adaptation_field_length 2: flags + one 0xFF');
  t.same([...r.p(0).subarray(7, 10)], [0, 0, 1], 'PES start code right after the stuffing');
  r = run(169); // 183: 182 in packet 1, 1 byte in packet 2 behind 182 adaptation field bytes
  t.equal(r.n, 2);
  t.same([...r.p(1).subarray(0, 6)], [0x47, 0x01, 0x00, 0x31, 182, 0x00], 'packet 2: PUSI 0, CC 1, AF length 182, no flags');
  t.ok(
    r
      .p(1)
      .subarray(6, 187)
      .every((b) => b === 0xff),
    '181 stuffing bytes',
  );
  r = run(168 + 183); // 365: 183 bytes left for packet 2 → the 1-byte adaptation field
  t.equal(r.n, 2);
  t.same([...r.p(1).subarray(3, 5)], [0x31, 0], 'adaptation_field_length 0: exactly 183 payload bytes follow');
  t.equal(r.p(1)[5], source[351 - 183], 'payload starts right after the length byte');
  r = run(168 + 184); // 366: packet 2 is payload only
  t.equal(r.n, 2);
  t.equal(r.p(1)[3], 0x11, 'adaptation_field_control 01 on a full packet');
  r = run(0);
  t.equal(r.n, 1, 'an empty payload is one packet holding only the header');
});

t.test('first packet with PCR, random access and discontinuity: every header byte', async (t) => {
  const pool = new Uint8Array(188);
  const packetizer = new PesPacketizer(pool);
  const payload = new ChunkList();
  payload.add(source, 0, 10);
  const n = packetizer.write(
    new RingCursor(1),
    new ContinuityCounters(),
    pes({ pid: 0x101, streamId: 0xc0, pts90k: 2 ** 33 + 5, dts90k: 2 ** 33 + 5, pcr90k: 2 ** 32, randomAccess: true, discontinuity: true, boundedLength: true }),
    payload,
  );
  t.equal(n, 1);
  const head = Buffer.from(pool.subarray(0, 12)).toString('hex');
  t.equal(
    head,
    '47' + // sync_byte
      '4101' + // PUSI 1, PID 0x101
      '30' + // adaptation_field_control 11, CC 0
      '9f' + // adaptation_field_length 159 = 184 - 1 - 24 PES bytes: flags, PCR (7) and 152 stuffing bytes
      'd0' + // discontinuity_indicator 1, random_access_indicator 1, PCR_flag 1
      '800000007e00', // PCR base 2^32, extension 0
  );
  t.ok(
    pool.subarray(12, 164).every((b) => b === 0xff),
    'stuffing 0xFF up to the PES header',
  );
  // PES header: PTS 2^33 + 5 wraps to 5; audio length exact = 3 + 5 + 10 = 18.
  t.equal(Buffer.from(pool.subarray(164, 178)).toString('hex'), '000001c0001284800521000100' + '0b');
  t.same([...pool.subarray(178)], [...source.subarray(0, 10)]);
});

t.test('any split of the payload into ranges gives byte-identical packets', async (t) => {
  const packetizer = new PesPacketizer(new Uint8Array(188 * 16));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2500 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), fc.boolean(), (size, cuts, hasDts, hasPcr) => {
      const w = pes({ dts90k: hasDts ? 0 : 1000, pcr90k: hasPcr ? 0 : -1 });
      const whole = new ChunkList();
      whole.add(source, 0, size);
      const pool1 = new Uint8Array(188 * 16);
      const p1 = new PesPacketizer(pool1);
      p1.write(new RingCursor(16), new ContinuityCounters(), w, whole);
      const points = [...new Set(cuts.map((c) => (size === 0 ? 0 : c % (size + 1))))].sort((x, y) => x - y);
      const split = new ChunkList();
      let prev = 0;
      for (const p of [...points, size]) {
        // Each range from its own copy, so ByteCopier sees several source buffers.
        split.add(Uint8Array.from(source.subarray(0, size)), prev, p);
        prev = p;
      }
      const pool2 = new Uint8Array(188 * 16);
      new PesPacketizer(pool2).write(new RingCursor(16), new ContinuityCounters(), w, split);
      return Buffer.compare(pool1, pool2) === 0 && packetizer.packetCount(size, hasDts, hasPcr) <= 16;
    }),
    { numRuns: 300 },
  );
  t.pass('the property held on every generated case');
});

t.test('packets follow the cursor around the end of the ring', async (t) => {
  const pool = new Uint8Array(188 * 8);
  const payload = new ChunkList();
  payload.add(source, 0, 700); // 14 + 700 = 714 → 4 packets
  const cursor = new RingCursor(8, 6);
  const n = new PesPacketizer(pool).write(cursor, new ContinuityCounters(), pes(), payload);
  t.equal(n, 4);
  t.same(cursor.offsets, [6 * 188, 7 * 188, 0, 188]);
  t.same([...readBack(pool, cursor.offsets).es], [...source.subarray(0, 700)]);
  t.same(pool.subarray(2 * 188, 6 * 188), new Uint8Array(4 * 188), 'nothing written outside the four slots');
});

t.test('programmer errors are thrown before anything is written', async (t) => {
  const pool = new Uint8Array(188 * 400);
  const packetizer = new PesPacketizer(pool);
  const cc = new ContinuityCounters();
  const payload = new ChunkList();
  payload.add(source, 0, 65535);
  const cursor = new RingCursor(400);
  t.throws(() => packetizer.write(cursor, cc, pes({ pid: 0x101, streamId: 0xc0, boundedLength: true }), payload), RangeError, 'audio PES over 65535 bytes');
  t.throws(() => packetizer.write(cursor, cc, pes({ pid: 0x2000 }), payload), RangeError);
  t.throws(() => packetizer.write(cursor, cc, pes({ streamId: 256 }), payload), RangeError);
  t.throws(() => packetizer.write(cursor, cc, pes({ pts90k: 1.5 }), payload), RangeError);
  t.throws(() => packetizer.write(cursor, cc, pes({ dts90k: Number.NaN }), payload), RangeError);
  t.throws(() => packetizer.write(cursor, cc, pes({ pcr90k: -2 }), payload), RangeError);
  t.equal(cursor.calls, 0, 'the cursor was never asked for a packet');
  t.equal(cc.peek(0x100), 0, 'no counter advanced');
  t.ok(
    pool.every((b) => b === 0),
    'the pool is untouched',
  );
  t.throws(() => packetizer.packetCount(-1, false, false), RangeError);
  t.throws(() => new PesPacketizer([] as unknown as Uint8Array), TypeError);
  t.throws(() => packetizer.write({ nextPacket: () => 188 * 400 }, cc, pes(), payload), RangeError, 'cursor outside the pool');
  // Long video: PES_packet_length 0 (unbounded) once it exceeds 16 bits.
  const n = packetizer.write(new RingCursor(400), cc, pes(), payload);
  t.equal(n, packetizer.packetCount(65535, false, false));
  t.same([pool[4 + 2 + 4], pool[4 + 2 + 5]], [0, 0], 'PES_packet_length 0 for a 65549-byte video PES');
});
