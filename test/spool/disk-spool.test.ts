/**
 * DiskSpool on real files in a temp dir: write → reopen → read round trip byte-exact; damaged files
 * (flipped byte, truncation, bad metadata, stray temp file) set aside and reported; quota policies.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool, type SpoolEntry } from '../../src/spool/disk-spool.js';
import { decodeSpoolFile, encodeSpoolPrefix, encodeSpoolTrailer, SPOOL_PREFIX_BYTES } from '../../src/spool/spool-file.js';
import type { DamagedReport } from '../../src/spool/spool-errors.js';
import { testSegment } from './spool-segment.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-spool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const KEY = (seq: number) => `cams/cam1/2026/11/22/03/${1_795_316_400_000 + seq * 2000}-${seq}-2000.ts`;

t.test('write, reopen, read: byte-exact with every field', async (t) => {
  const dir = tempDir(t);
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 10_000_000 });
  const segs = [testSegment({ sequence: 0 }), testSegment({ sequence: 1, splitAt: 1000 }), testSegment({ sequence: 2, packets: 1 })];
  // Written out of order: pending() must still be oldest first.
  for (const s of [segs[2], segs[0], segs[1]]) {
    const e = await spool.write(s, KEY(s.sequence), { prefix: 'cams/cam1' });
    t.ok(e, `segment ${s.sequence} written`);
  }
  t.equal(segs[1].releases(), 0, 'the spool never releases the caller’s segment');
  t.same(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [],
    'no temp file left',
  );
  await spool.close();

  const again = await DiskSpool.open({ directory: dir, quotaBytes: 10_000_000 });
  const pending = again.pending();
  t.same(
    pending.map((e) => e.segment.sequence),
    [0, 1, 2],
    'recovered oldest first',
  );
  t.equal(again.stats().recovered, 3);
  for (const [i, e] of pending.entries()) {
    const s = segs[i];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- destructured only to leave it out of `fields`, never called
    const { parts: _parts, release: _release, whole: _whole, releases: _releases, ...fields } = s;
    t.same(e.segment, fields, `seq ${i}: every segment field survives (incl. PTS past 2^33, undefined reason)`);
    t.equal(e.key, KEY(i));
    t.same(e.meta, { prefix: 'cams/cam1' });
    const bytes = await again.read(e);
    t.ok(bytes.equals(s.whole), `seq ${i}: bytes identical (${s.parts.length} part(s))`);
  }
  t.equal(again.stats().checkedOut, 3, 'read checks entries out');
  await again.remove(pending[0]);
  await again.remove(pending[0]); // idempotent
  t.equal(again.stats().files, 2);
  t.equal(readdirSync(dir).filter((n) => n.endsWith('.seg')).length, 2, 'file deleted');
  const bytesOnDisk = readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
  t.equal(again.stats().bytes, bytesOnDisk, 'stats().bytes counts the files on disk');
});

t.test('damaged files are set aside and reported, never returned', async (t) => {
  const dir = tempDir(t);
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 10_000_000, fsync: false });
  const entries: SpoolEntry[] = [];
  for (let i = 0; i < 6; i++) entries.push((await spool.write(testSegment({ sequence: i }), KEY(i)))!);
  await spool.close();
  const path = (i: number) => join(dir, entries[i].name);

  // 0: one payload bit flipped.
  const f0 = readFileSync(path(0));
  f0[f0.length - 500] ^= 0x01;
  writeFileSync(path(0), f0);
  // 1: truncated (a power cut without fsync).
  writeFileSync(path(1), readFileSync(path(1)).subarray(0, 3000));
  // 2: a header byte changed (the CRC catches it even though the JSON still parses).
  const f2 = readFileSync(path(2));
  const at = f2.indexOf('"sequence":2');
  f2[at + 11] = '7'.charCodeAt(0);
  writeFileSync(path(2), f2);
  // 3: bad metadata with a valid CRC: caught by the header checks, not the checksum.
  const seg3 = testSegment({ sequence: 3 });
  const prefix = encodeSpoolPrefix({ version: 1, key: KEY(3), meta: {}, writtenAtMs: 1, segment: { ...seg3, byteLength: seg3.byteLength - 1 } });
  const payload = seg3.whole.subarray(0, seg3.byteLength - 1);
  writeFileSync(path(3), Buffer.concat([prefix, payload, encodeSpoolTrailer(prefix, [payload])]));
  // 4: stays good. 5: emptied (a crash between create and write on a filesystem without ordering).
  writeFileSync(path(5), Buffer.alloc(0));
  // An interrupted write from the killed run.
  writeFileSync(join(dir, '1795316400000-0000000099.seg.tmp'), readFileSync(path(4)));

  const reports: DamagedReport[] = [];
  const again = await DiskSpool.open({ directory: dir, quotaBytes: 10_000_000, onDamaged: (r) => reports.push(r) });
  t.same(
    again.pending().map((e) => e.segment.sequence),
    [4],
    'only the intact file is queued',
  );
  t.same(
    reports.map((r) => [r.file, r.reason]),
    [
      [entries[0].name, 'bad-checksum'],
      [entries[1].name, 'truncated'],
      [entries[2].name, 'bad-checksum'],
      [entries[3].name, 'bad-header'],
      [entries[5].name, 'truncated'],
    ],
    'each damaged file reported with why',
  );
  t.match(reports[3].message, /byteLength 5639 is not a multiple of 188/);
  t.equal(again.stats().damaged, 5);
  t.equal(again.stats().tempFilesRemoved, 1, 'the temp file is deleted, not taken for a segment');
  t.same(readdirSync(join(dir, 'damaged')).sort(), [0, 1, 2, 3, 5].map((i) => entries[i].name).sort(), 'moved to damaged/');
  t.notOk(existsSync(path(0)));
  t.same(readdirSync(dir).sort(), ['LOCK', 'damaged', entries[4].name].sort(), 'spool directory holds only the good file');

  // Damage found at read time (the disk rotted after open): set aside, reported, read rejects.
  const good = again.pending()[0];
  const f4 = readFileSync(path(4));
  f4[SPOOL_PREFIX_BYTES + 3] ^= 0x80;
  writeFileSync(path(4), f4);
  await t.rejects(again.read(good), { name: 'SpoolError', code: 'SPOOL_DAMAGED' });
  t.equal(reports.length, 6);
  t.equal(again.pending().length, 0);
  t.ok(existsSync(join(dir, 'damaged', good.name)));
  await t.rejects(again.read(good), { name: 'SpoolError', code: 'SPOOL_ENTRY_GONE' });
});

t.test('decodeSpoolFile: bad magic, short files', async (t) => {
  t.match(decodeSpoolFile(Buffer.from('GARBAGE!garbage')), { ok: false, reason: 'bad-magic' });
  t.match(decodeSpoolFile(Buffer.from('S3HL')), { ok: false, reason: 'truncated' });
  t.match(decodeSpoolFile(Buffer.from('S3HLSSP1\0\0\0\x10{}')), { ok: false, reason: 'truncated' });
});

t.test('quota drop-oldest: keeps the newest, never deletes a checked-out file', async (t) => {
  const dir = tempDir(t);
  const one = testSegment({ sequence: 0 });
  const probe = await DiskSpool.open({ directory: tempDir(t), quotaBytes: 1e9, fsync: false });
  const fileBytes = (await probe.write(one, KEY(0)))!.fileBytes;
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: fileBytes * 3 + 10, fsync: false });
  const first = (await spool.write(testSegment({ sequence: 0 }), KEY(0), {}, { checkedOut: true }))!;
  for (let i = 1; i < 6; i++) t.ok(await spool.write(testSegment({ sequence: i }), KEY(i)), `seq ${i} kept`);
  t.same(
    spool.pending().map((e) => e.segment.sequence),
    [0, 4, 5],
    'oldest droppable files went; the checked-out one stayed',
  );
  const st = spool.stats();
  t.same(st.dropped, { 'quota-oldest': 3, 'quota-newest': 0, 'larger-than-quota': 0 });
  t.equal(st.droppedBytes, 3 * one.byteLength);
  t.ok(st.bytes <= st.quotaBytes, 'within quota');
  t.equal(readdirSync(dir).filter((n) => n.endsWith('.seg')).length, 3);
  // Everything checked out: the new one is refused instead.
  for (const e of spool.pending()) spool.checkout(e);
  t.equal(await spool.write(testSegment({ sequence: 6 }), KEY(6)), undefined);
  t.equal(spool.stats().dropped['quota-newest'], 1);
  spool.checkin(first);
  t.ok(await spool.write(testSegment({ sequence: 7 }), KEY(7)));
  t.notOk(spool.has(first), 'checked in again: droppable');
  t.equal(await spool.write(testSegment({ sequence: 8, packets: 200 }), KEY(8)), undefined, 'larger than the whole quota');
  t.equal(spool.stats().dropped['larger-than-quota'], 1);
});

t.test('quota drop-newest: keeps the oldest', async (t) => {
  const dir = tempDir(t);
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 3 * (30 * 188 + 600), policy: 'drop-newest', fsync: false });
  const kept: number[] = [];
  for (let i = 0; i < 5; i++) if (await spool.write(testSegment({ sequence: i }), KEY(i))) kept.push(i);
  t.same(kept, [0, 1, 2]);
  t.same(
    spool.pending().map((e) => e.segment.sequence),
    [0, 1, 2],
  );
  t.same(spool.stats().dropped, { 'quota-oldest': 0, 'quota-newest': 2, 'larger-than-quota': 0 });
  await spool.remove(spool.pending()[0]);
  t.ok(await spool.write(testSegment({ sequence: 5 }), KEY(5)), 'room again after a remove');
});

t.test('a failed write leaves nothing and says so', async (t) => {
  const dir = tempDir(t);
  const spool = await DiskSpool.open({ directory: join(dir, 'sp'), quotaBytes: 1e9 });
  rmSync(join(dir, 'sp'), { recursive: true });
  await t.rejects(spool.write(testSegment(), KEY(0)), { name: 'SpoolError', code: 'SPOOL_WRITE_FAILED' });
  t.equal(spool.stats().writeErrors, 1);
  t.equal(spool.stats().files, 0);
  mkdirSync(join(dir, 'sp'));
  t.ok(await spool.write(testSegment(), KEY(0)), 'usable again once the directory is back');
  t.equal(spool.stats().files, 1);
});

t.test('options are validated', async (t) => {
  await t.rejects(DiskSpool.open({ directory: '', quotaBytes: 1 }), TypeError);
  await t.rejects(DiskSpool.open({ directory: '/tmp/x', quotaBytes: 0 }), /quotaBytes must be a positive integer, got 0/);
  await t.rejects(DiskSpool.open({ directory: '/tmp/x', quotaBytes: 1, policy: 'lifo' as never }), /policy/);
});
