/**
 * The cost model of `npm run bench` (issue 15 §1) against the figures worked out by hand in the
 * issue: 43,200 PUTs a day at 2 s segments is $6.48 per camera-month at $0.005 per 1,000; a 2 Mbit/s
 * camera kept 30 days stores 648 GB of H.264 (~$15 at $0.023/GB-month, plus our TS overhead); the
 * same camera on Kinesis Video Streams is 648 GB × ($0.0085 + $0.023) ≈ $20.41.
 */
import t from 'tap';
import { costKey, costOf, costTable, COST_CASES, packing, tsBytesPerSecond } from '../../bench/cost-model.js';
import { PRICES } from '../../bench/prices.js';

t.test('the hand-worked 2 Mbit/s, 2 s case', async (t) => {
  const f = costOf({ mbps: 2, segmentSeconds: 2 }, 0);
  t.equal(f.puts_per_day, 43_200);
  t.equal(f.usd_puts_per_month, 6.48);
  t.equal(f.kvs_usd_per_camera_month, 20.41);
  // 648 GB of H.264 → 662.09 GB of TS at 188/184 with no per-frame overhead.
  const tsGb = (648 * 188) / 184;
  t.equal(f.stored_gb, 662.1);
  t.equal(f.usd_per_camera_month, Math.round((6.48 + tsGb * 0.023) * 100) / 100);
  t.equal(f.list_requests_per_24h_playlist, 44, 'ListObjectsV2 pages of 1,000 keys');
});

t.test('per-frame TS overhead adds storage, not requests', async (t) => {
  const a = costOf({ mbps: 1, segmentSeconds: 6 }, 0);
  const b = costOf({ mbps: 1, segmentSeconds: 6 }, 130);
  t.equal(a.puts_per_day, b.puts_per_day);
  t.ok(b.stored_gb > a.stored_gb);
  t.equal(tsBytesPerSecond(1, 130) - tsBytesPerSecond(1, 0), 25 * 130, '25 frames a second');
});

t.test('the JSON object is keyed by case with the fields the issue names', async (t) => {
  const table = costTable(130);
  t.same(Object.keys(table), ['1mbps_2s', '1mbps_6s', '2mbps_2s', '2mbps_6s', '5mbps_2s', '5mbps_6s']);
  for (const c of COST_CASES) {
    const f = table[costKey(c)];
    t.ok(f.puts_per_day > 0 && f.usd_per_camera_month > 0 && f.kvs_usd_per_camera_month > 0, costKey(c));
  }
});

t.test('packing k segments per object: requests fall by k, live delay grows to the object', async (t) => {
  const p = packing(2, 3);
  t.equal(p.putsPerDay, 14_400);
  t.equal(p.liveDelaySeconds, 6);
  t.equal(p.usdPutsPerMonth, costOf({ mbps: 2, segmentSeconds: 6 }, 0).usd_puts_per_month, 'the same as 6 s segments');
  t.equal(PRICES.s3.putUsd * 1_000, 0.005);
});
