/** The pool sizing rule (src/pool/pool-sizing.ts) and the first-GOP scan of Annex B files. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFirstGop } from '../../src/pool/first-gop-scan.js';
import { MAX_AUTO_POOL_BYTES, poolBytesFor, segmentBytesFromBitrate, segmentBytesFromGop } from '../../src/pool/pool-sizing.js';
import { DEFAULT_POOL_BYTES } from '../../src/pool/segment-pool.js';
import { fixturePath } from '../helpers/fixtures.js';
import { accessUnits } from '../helpers/annexb-units.js';
import { fixture } from '../helpers/fixtures.js';

const MIB = 1024 * 1024;

t.test('the rule: 3 segments × 1.1, rounded up to MiB, between 4 MiB and 256 MiB', async (t) => {
  // 12 Mbit/s × 2 s = 3 MB per segment → 9.9 MB → 10 MiB.
  const s = segmentBytesFromBitrate(12_000_000, 2);
  t.equal(s, 3_000_000);
  t.same(poolBytesFor({ segmentBytes: s }), { poolBytes: 10 * MIB, minimumBytes: 4 * MIB, exceedsCap: false });
  t.equal(poolBytesFor({ segmentBytes: segmentBytesFromBitrate(2_000_000, 2) }).poolBytes, DEFAULT_POOL_BYTES, 'ordinary bitrates keep the default');
  t.equal(poolBytesFor({ segmentBytes: 200 * MIB }).poolBytes, MAX_AUTO_POOL_BYTES, 'capped');
  t.equal(poolBytesFor({ segmentBytes: 240 * MIB }).exceedsCap, true, 'one segment larger than the cap');
  t.equal(segmentBytesFromBitrate(8_000_000, 2, 4), 4_000_000, 'a GOP longer than the target makes segments one GOP long');
  t.equal(segmentBytesFromGop(1000, 0.5, 2), 4000, 'segments hold whole GOPs up to the target');
  t.equal(segmentBytesFromGop(1000, 3, 2), 1000, 'a GOP longer than the target is one segment');
});

t.test('scanFirstGop measures IDR to IDR, counts frames, and says when no second IDR came', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-gop-scan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = fixturePath('baseline.h264');
  const units = accessUnits(fixture('baseline.h264'));
  const gop = scanFirstGop(path, 1 << 30);
  t.ok(gop, 'found an IDR');
  t.equal(gop?.open, false);
  t.equal(gop?.gopFrames, 25, 'GOP of 25 frames (-g 25)');
  t.ok(units.length > 25);
  // Only the first IDR frame and a few P frames: the GOP runs to the end of the file.
  const one = join(dir, 'one.h264');
  const bytes = fixture('baseline.h264');
  writeFileSync(one, bytes.subarray(0, (gop?.gopBytes ?? 0) - 10));
  const open = scanFirstGop(one, 1 << 30);
  t.equal(open?.open, true);
  t.equal(open?.truncated, false);
  const limited = scanFirstGop(path, 5000);
  t.equal(limited?.truncated, true, 'the scan stops at its limit');
  const none = join(dir, 'none.h264');
  writeFileSync(none, Buffer.alloc(5000, 7));
  t.equal(scanFirstGop(none, 1 << 30), undefined, 'no IDR at all');
  // Chunk boundaries: the same file padded so start codes straddle 1 MiB reads gives the same GOP.
  const padded = join(dir, 'padded.h264');
  const pad = Buffer.alloc(MIB - 2, 0xff);
  writeFileSync(padded, Buffer.concat([pad, bytes]));
  t.equal(scanFirstGop(padded, 1 << 30)?.gopBytes, gop?.gopBytes);
});
