/**
 * Day index objects against s3rver: the HourIndexWriter writes one per closed camera-day (and
 * rewrites it after a late upload, and rolls up the day before a new run's first day); querySpans
 * over day indexes gives exactly what a LIST gives for aligned, mid-hour, open and unbounded
 * windows across the cases that join or split spans at an hour boundary; an unusable day index
 * or an open day is read hour by hour instead.
 */
import t, { type Test } from 'tap';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { buildDayIndex, DAY_MS, dayIndexKey, parseDayIndex, type HourSummary } from '../../src/recordings/day-index.js';
import { HOUR_MS } from '../../src/recordings/hour-index.js';
import { HourIndexWriter } from '../../src/recordings/hour-index-writer.js';
import { querySpans } from '../../src/recordings/spans.js';
import { startS3, type TestS3 } from '../helpers/s3server.js';

const D0 = Date.UTC(2026, 10, 20);
const prefix = 'cams/yard';
const SEG = 600_000; // 10-min segments: few keys, so s3rver stores them fast on a loaded machine

/**
 * Days 0, 1 and 3 with footage, day 2 none. At hour boundaries: day 0 05:00 starts 700 ms late
 * (a gap above the 500 ms link tolerance: a new span although under the 1 s span gap); day 1
 * 00:00 is a restart (`-d`, sequence 0); day 1 10:00 has its sequence go back without a flag;
 * day 1 14:00-20:00 is an outage; everything else is contiguous across hours and days.
 */
function seedKeys(): string[] {
  const keys: string[] = [];
  let seq = 1000;
  for (const day of [0, 1, 3]) {
    for (let i = 0; i < 144; i++) {
      let start = D0 + day * DAY_MS + i * SEG;
      const hour = Math.floor(i / 6);
      if (day === 1 && hour >= 14 && hour < 20) continue;
      let discontinuity = false;
      if (day === 0 && i === 30) start += 700;
      if (day === 1 && i === 0) {
        seq = 0;
        discontinuity = true;
      }
      if (day === 1 && i === 60) seq -= 5;
      keys.push(segmentKey(prefix, { startTimeMs: start, sequence: seq++, durationMs: SEG, discontinuity }));
    }
  }
  return keys;
}

async function seeded(t: Test): Promise<{ s3: TestS3; keys: string[] }> {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const keys = seedKeys();
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array([0x47]) }))));
  }
  return { s3, keys };
}

t.test('day index round trip and refusals', async (t) => {
  const h: HourSummary = {
    hourStartMs: D0 + 5 * HOUR_MS,
    first: { startTimeMs: D0 + 5 * HOUR_MS + 700, durationMs: SEG, sequence: 30, discontinuity: false },
    last: { startTimeMs: D0 + 6 * HOUR_MS - SEG, durationMs: SEG, sequence: 35, discontinuity: true },
    spans: [{ startMs: D0 + 5 * HOUR_MS + 700, endMs: D0 + 6 * HOUR_MS, segments: 6 }],
  };
  const json = buildDayIndex(D0, [h], D0 + DAY_MS);
  t.same(parseDayIndex(JSON.stringify(json), D0), [h]);
  t.equal(dayIndexKey(prefix, D0 + 5 * HOUR_MS), 'cams/yard/index/2026-11-20.json');
  t.throws(() => buildDayIndex(D0 + DAY_MS, [h], 0), RangeError, 'an hour of another day');
  t.throws(() => parseDayIndex(JSON.stringify(json), D0 + DAY_MS), /another day/);
  t.throws(() => parseDayIndex('{"v":2}', D0), /version 2/);
  t.throws(() => parseDayIndex(JSON.stringify({ ...json, hours: [[5, [1, 2], [1, 2, 3, 0], []]] }), D0), /malformed/);
  t.throws(() => parseDayIndex('[', D0), /not JSON/);
});

t.test('querySpans from day indexes equals querySpans from LIST', async (t) => {
  const { s3, keys } = await seeded(t);
  const client = s3.client();
  const nowMs = D0 + 5 * DAY_MS;
  const written: string[] = [];
  const errors: string[] = [];
  const writer = new HourIndexWriter({ client, bucket: s3.bucket, nowMs: () => nowMs, onWritten: (k) => written.push(k), onError: (m) => errors.push(m) });
  for (const k of keys) writer.noteStored(k);
  await writer.close();
  t.same(errors, []);
  const days = written.filter((k) => k.includes('/index/')).sort();
  t.same(
    days,
    [0, 1, 3].map((d) => dayIndexKey(prefix, D0 + d * DAY_MS)),
    'days with footage are rolled up; the empty day 2 and day -1 are not',
  );
  t.equal(written.length - days.length, 24 + 18 + 24, 'one hour index per hour with footage');

  const base = { client, bucket: s3.bucket, prefix, nowMs };
  const windows: [string, number | undefined, number | undefined, number][] = [
    ['aligned days', D0, D0 + 4 * DAY_MS, 3],
    ['mid-hour edges', D0 + 5 * HOUR_MS + 1_200_000, D0 + 3 * DAY_MS + 7 * HOUR_MS + 2_700_000, 3],
    ['start inside a segment', D0 + 3 * HOUR_MS + 300_000, D0 + 2 * DAY_MS, 2],
    ['open end', D0 + DAY_MS + 3 * HOUR_MS, undefined, 2],
    ['no start', undefined, D0 + 2 * DAY_MS + 1, 2],
  ];
  for (const [name, startMs, endMs, dayIndexes] of windows) {
    const listed = await querySpans({ ...base, startMs, endMs, useIndex: false });
    const fast = await querySpans({ ...base, startMs, endMs });
    t.same(fast.spans, listed.spans, `${name}: same spans as LIST (${listed.spans.length})`);
    t.equal(fast.stats.dayIndexes, dayIndexes, `${name}: ${dayIndexes} day indexes used`);
    t.ok(fast.stats.rolledUpHours > 0 && fast.stats.gets + fast.stats.lists < listed.stats.lists, `${name}: fewer requests`);
  }
  const all = await querySpans({ ...base, startMs: D0, endMs: D0 + 4 * DAY_MS });
  t.same(
    all.spans.map((s) => s.segments),
    [30, 114, 60, 24, 24, 144],
    'late start at 05:00, restart at day 1, sequence back at 10:00, outage, empty day 2: each splits',
  );
  t.equal(all.stats.indexHours + all.stats.listedHours, 0, 'aligned window: no hour read on its own');

  const open = await querySpans({ ...base, startMs: D0, endMs: D0 + 4 * DAY_MS, nowMs: D0 + 2 * DAY_MS + 30_000 });
  t.same(open.spans, all.spans, 'day 1 not settled yet: its hours are read one by one');
  t.equal(open.stats.dayIndexes, 1);

  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: dayIndexKey(prefix, D0 + DAY_MS), Body: 'not json' }));
  const broken = await querySpans({ ...base, startMs: D0, endMs: D0 + 4 * DAY_MS });
  t.same(broken.spans, all.spans, 'a broken day index: its hours are read instead');
  t.equal(broken.stats.dayIndexes, 2);
  // 18 hours of day 1 have footage (recordPages may read a prefetched hour twice around an empty run).
  t.ok(broken.stats.indexHours >= 18, `from their hour indexes (${broken.stats.indexHours})`);
});

t.test('the writer: a day closes by camera time, a late segment rewrites it, a new run rolls up the day before', async (t) => {
  const { s3, keys } = await seeded(t);
  const client = s3.client();
  const day0 = keys.filter((k) => k < segmentKey(prefix, { startTimeMs: D0 + DAY_MS, sequence: 0, durationMs: 1, discontinuity: false }));
  const written: string[] = [];
  const a = new HourIndexWriter({ client, bucket: s3.bucket, nowMs: () => D0 + 12 * HOUR_MS, onWritten: (k) => written.push(k) });
  for (const k of day0) a.noteStored(k);
  await a.close();
  t.notOk(
    written.some((k) => k.includes('/index/')),
    'day 0 not closed by camera or server time: no day index',
  );
  t.equal(written.length, 23, 'hours 0-22 closed by camera time; 23 is not');

  // A later run: its first segment is on day 1, 61 s past midnight: day 0 closes and has no index.
  const b = new HourIndexWriter({ client, bucket: s3.bucket, nowMs: () => D0 + DAY_MS + 120_000, onWritten: (k) => written.push(k) });
  b.noteStored(segmentKey(prefix, { startTimeMs: D0 + DAY_MS + 61_000, sequence: 9999, durationMs: 2000, discontinuity: false }));
  await b.close();
  t.ok(written.includes(dayIndexKey(prefix, D0)), 'the day before the run was rolled up');
  const read = async () => parseDayIndex(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: dayIndexKey(prefix, D0) }))).Body!.transformToString(), D0);
  const before = await read();
  t.equal(before.length, 24);
  t.equal(
    before.reduce((n, h) => n + h.spans.reduce((m, s) => m + s.segments, 0), 0),
    144,
  );

  // A late segment of day 0 (a restart inside hour 2) arrives: hour and day indexes follow.
  const late = segmentKey(prefix, { startTimeMs: D0 + 2 * HOUR_MS + 1, sequence: 5000, durationMs: 1000, discontinuity: true });
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: late, Body: new Uint8Array([0x47]) }));
  const n = written.length;
  b.noteStored(late);
  await b.close();
  t.same(written.slice(n).sort(), [`${prefix}/2026/11/20/02/index.json`, dayIndexKey(prefix, D0)]);
  const after = await read();
  t.equal(after[2].spans.length, before[2].spans.length + 2, 'the late discontinuity splits hour 2 in the rewritten day index');
});
