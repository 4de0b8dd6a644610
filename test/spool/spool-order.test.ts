/**
 * SpoolingSink ordering (docs/spool.md, "Ordering"): `live-first` hands the backlog over only while
 * no live segment waits; `oldest-first` holds live segments back until the backlog is gone. Backlog
 * segments carry the key recorded in their spool file (`objectKey`).
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSpool } from '../../src/spool/disk-spool.js';
import { SpoolingSink, type SpoolOrder } from '../../src/spool/spooling-sink.js';
import type { Segment } from '../../src/types.js';
import { testSegment } from './spool-segment.js';

async function until(what: string, cond: () => boolean): Promise<void> {
  // Bounded: a sink that never hands over fails the test with what it waited for.
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function scenario(t: Test, order: SpoolOrder): Promise<{ seen: string[]; got: Segment[] }> {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-spool-order-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const spool = await DiskSpool.open({ directory: dir, quotaBytes: 100_000_000, fsync: false });
  // A backlog left by an earlier run, under another prefix.
  for (let i = 0; i < 3; i++) await spool.write(testSegment({ sequence: i, startTimeMs: 1_000_000 + i * 2000 }), `old/k-${i}.ts`);
  const seen: string[] = [];
  const got: Segment[] = [];
  const inner = { onSegment: (s: Segment) => (seen.push(`${s.objectKey !== undefined ? 'B' : 'L'}${s.sequence}`), got.push(s)) };
  const sink = new SpoolingSink({ spool, inner, streamId: 'cam1', prefix: 'new', order, releaseAfterMs: 60_000, checkIntervalMs: 5 });
  t.teardown(async () => {
    await sink.close();
    await spool.close();
  });
  await until('the first backlog segment', () => seen.length === 1);
  for (let i = 10; i < 13; i++) sink.onSegment(testSegment({ sequence: i, startTimeMs: 2_000_000 + i * 2000 }));
  await new Promise((r) => setTimeout(r, 50));
  // Acknowledge in hand-over order; after each ack, let the sink hand over what comes next.
  for (let n = 0; n < 5; n++) {
    await until(`hand-over ${n + 1}`, () => got.length > n);
    got[n].release();
    await new Promise((r) => setTimeout(r, 60));
  }
  return { seen, got };
}

t.test('live-first: the backlog waits while a live segment waits', async (t) => {
  const { seen, got } = await scenario(t, 'live-first');
  t.same(seen.slice(0, 5), ['B0', 'L10', 'L11', 'L12', 'B1'], seen.join(' '));
  t.equal(got[0].objectKey, 'old/k-0.ts', 'the backlog keeps its recorded key');
  t.equal(got[1].objectKey, undefined, 'live segments get their key from the uploader');
});

t.test('oldest-first: live segments wait for the backlog', async (t) => {
  const { seen } = await scenario(t, 'oldest-first');
  t.same(seen.slice(0, 5), ['B0', 'B1', 'B2', 'L10', 'L11'], seen.join(' '));
});
