// The pool declares its own 188-byte slot size (so src/pool does not import src/mpegts, which imports
// src/pool/byte-copier); this guards that it stays equal to the muxer's TS packet size.
import t from 'tap';
import { TS_PACKET_SIZE } from '../../src/mpegts/constants.js';
import { MIN_POOL_BYTES, SegmentPool } from '../../src/pool/segment-pool.js';

t.test('pool slots are TS packets', async (t) => {
  t.equal(MIN_POOL_BYTES % TS_PACKET_SIZE, 0, 'minimum pool is whole packets');
  const pool = new SegmentPool(MIN_POOL_BYTES + 100);
  t.equal(pool.capacity, MIN_POOL_BYTES, 'capacity rounded down to whole TS packets');
  pool.beginSegment();
  const a = pool.nextPacket();
  const b = pool.nextPacket();
  t.equal(b - a, TS_PACKET_SIZE, 'consecutive slots are one TS packet apart');
});
