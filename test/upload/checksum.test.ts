import t from 'tap';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { checksumBase64, crc32Parts, crc32Table } from '../../src/upload/checksum.js';

t.test('CRC-32 (IEEE) check value, not CRC-32/MPEG-2', async (t) => {
  const data = Buffer.from('123456789');
  t.equal(crc32Parts([data]), 0xcbf43926);
  t.equal(crc32Table(data), 0xcbf43926);
  t.not(crc32Parts([data]), 0x0376e6e7, 'MPEG-2 CRC would be 0x0376E6E7');
  t.equal(checksumBase64('CRC32', [data]), Buffer.from([0xcb, 0xf4, 0x39, 0x26]).toString('base64'));
  t.equal(crc32Parts([new Uint8Array(0)]), 0);
});

t.test('property: any split into parts gives the checksum of the whole', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(), (bytes, cut) => {
      const at = bytes.length === 0 ? 0 : cut % (bytes.length + 1);
      const parts = [bytes.subarray(0, at), bytes.subarray(at)];
      const whole = createHash('sha256').update(bytes).digest('base64');
      return crc32Parts(parts) === crc32Table(bytes) && checksumBase64('CRC32', parts) === checksumBase64('CRC32', [bytes]) && checksumBase64('SHA256', parts) === whole;
    }),
  );
  t.pass('100 random splits agree');
});
