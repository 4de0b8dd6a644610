import t from 'tap';
import { writePcrOnlyPacket } from '../../src/mpegts/pcr-packet.js';
import { ContinuityCounters } from '../../src/mpegts/continuity-counters.js';
import { checkTransportStream } from '../checker/ts-checker.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('a PCR-only packet, every byte', async (t) => {
  const b = new Uint8Array(188);
  writePcrOnlyPacket(b, 0, 0x100, 5, 2 ** 32);
  t.equal(
    hex(b),
    '47' + // sync_byte
      '0100' + // PUSI 0, PID 0x100
      '24' + // scrambling 00, adaptation_field_control 10 (no payload), CC 4 = the previous packet's
      'b7' + // adaptation_field_length 183
      '10' + // PCR_flag
      '800000007e00' + // PCR base 2^32, reserved 111111, extension 0
      'ff'.repeat(176), // stuffing
  );
  writePcrOnlyPacket(b, 0, 0x100, 0, 0);
  t.equal(b[3], 0x2f, 'next counter 0 → the packet repeats 15');
  t.equal(Buffer.from(b.subarray(6, 12)).toString('hex'), '000000007e00', 'PCR 0');
});

t.test('between payload packets it keeps the continuity counter valid', async (t) => {
  // payload packet CC 0, PCR-only (repeats 0), payload packet CC 1: what the checker accepts.
  const cc = new ContinuityCounters();
  const buf = new Uint8Array(188 * 3).fill(0xff);
  const payloadPacket = (o: number) => {
    buf.set([0x47, 0x01, 0x00, 0x10 | cc.next(0x100)], o);
  };
  payloadPacket(0);
  writePcrOnlyPacket(buf, 188, 0x100, cc.peek(0x100), 9000);
  payloadPacket(376);
  const r = checkTransportStream(buf, { requirePatPmtFirst: false });
  t.same(r.errors, []);
  t.same(r.pcrs90k, [9000]);
});
