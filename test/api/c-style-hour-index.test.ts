/**
 * The C-style API writes hour and day index objects through the composition root (CameraPipeline's
 * `hourIndex`, on by default), against s3rver: `querySpans` (what `s3hls recordings` and serve run)
 * then answers from them, not from LIST, as its stats show; `hourIndex: false` writes none.
 *
 * Live segments take their times from the wall clock, and an hour is indexed only once it has
 * closed. So the process's wall clock (Date.now, read by the API's AnchoredClock and by the index
 * writer) runs 26 h behind while frames are put: the footage lands on a day that has closed by the
 * time finalize() runs with the clock set right again.
 */
import t, { type Test } from 'tap';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3Hls } from '../../src/api/s3hls.js';
import { parseSegmentKey } from '../../src/keys/object-keys.js';
import { DAY_MS, dayIndexKey, dayStartOf } from '../../src/recordings/day-index.js';
import { HOUR_MS, hourIndexKey } from '../../src/recordings/hour-index.js';
import { querySpans } from '../../src/recordings/spans.js';
import { accessUnits, annexB } from '../helpers/annexb-units.js';
import { fixture, hasFfmpeg } from '../helpers/fixtures.js';
import { startS3, S3RVER_CREDENTIALS, type TestS3 } from '../helpers/s3server.js';

/** Runs the API over the baseline fixture with the wall clock `behindMs` behind; returns the keys stored. */
async function upload(t: Test, s3: TestS3, prefix: string, hourIndex: boolean | undefined, behindMs: number): Promise<{ keys: string[]; stored: number }> {
  const realNow = Date.now;
  let offset = -behindMs;
  Date.now = () => realNow() + offset;
  t.teardown(() => {
    Date.now = realNow;
  });
  const api = new S3Hls();
  api.initialize({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    prefix,
    credentials: { ...S3RVER_CREDENTIALS },
    ...(hourIndex === undefined ? {} : { hourIndex }),
    onWarning: (w) => t.fail(`warning ${w.code}: ${w.message}`),
  });
  api.setTag('site=paris');
  api.startUpload();
  const aus = accessUnits(fixture('baseline.h264')).map((n) => annexB(n));
  let accepted = 0;
  for (const [i, au] of aus.entries()) if (api.putVideoFrame({ items: [{ part1: au }], timestampUs: i * 40_000 })) accepted++;
  t.equal(accepted, aus.length, 'every frame accepted');
  offset = 0; // finalize runs on the right clock: the footage's hour and day have closed
  const report = await api.finalize({ timeoutMs: 30_000 });
  Date.now = realNow;
  t.equal(report.complete, true, 'every segment stored');
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
  return { keys: (listed.Contents ?? []).map((o) => o.Key!), stored: report.segmentsStored };
}

if (!hasFfmpeg()) {
  t.pass('ffmpeg tests', { skip: 'ffmpeg is not installed: the test command installs it' });
} else {
  t.test('S3HLS writes the hour and day index; querySpans reads them, not LIST', async (t) => {
    const s3 = await startS3();
    t.teardown(() => s3.close());
    const prefix = 'cameras/porch';
    const { keys, stored } = await upload(t, s3, prefix, undefined, 26 * HOUR_MS);
    const segments = keys.map((k) => parseSegmentKey(k, prefix)).filter((p) => p !== undefined);
    t.equal(segments.length, stored, 'one object per stored segment');
    t.ok(stored >= 2, `${stored} segments`);
    const first = segments[0].startTimeMs;
    const hours = [...new Set(segments.map((s) => Math.floor(s.startTimeMs / HOUR_MS) * HOUR_MS))];
    const day = dayStartOf(first);
    t.same(keys.filter((k) => k.endsWith('.json')).sort(), [...hours.map((h) => hourIndexKey(prefix, h)), dayIndexKey(prefix, day)].sort(), 'an index for each hour and the day');
    const tagged = s3.requests.filter((r) => r.method === 'PUT' && r.url.includes('/index'));
    t.ok(tagged.length >= 2 && tagged.every((r) => r.headers['x-amz-tagging'] === 'site=paris'), 'index objects carry the segments’ tags (retention)');

    const client = s3.client();
    const listedSpans = await querySpans({ client, bucket: s3.bucket, prefix, startMs: day, endMs: day + DAY_MS, useIndex: false });
    t.ok(listedSpans.stats.listedHours >= 1);
    const dayQuery = await querySpans({ client, bucket: s3.bucket, prefix, startMs: day, endMs: day + DAY_MS });
    t.same(dayQuery.spans, listedSpans.spans, 'same spans as LIST');
    t.equal(
      dayQuery.spans.reduce((n, s) => n + s.segments, 0),
      stored,
    );
    t.equal(dayQuery.stats.dayIndexes, 1, 'the day from its day index');
    t.equal(dayQuery.stats.listedHours + dayQuery.stats.indexHours, 0, 'no hour listed or read on its own');
    const hourQuery = await querySpans({ client, bucket: s3.bucket, prefix, startMs: first, endMs: first + 60_000 });
    t.equal(hourQuery.stats.indexHours, 1, 'a window inside the hour: its hour index');
    t.equal(hourQuery.stats.listedHours, 0, 'not LIST');
    t.equal(hourQuery.spans.length, 1);
  });

  t.test('hourIndex: false writes no index object', async (t) => {
    const s3 = await startS3();
    t.teardown(() => s3.close());
    const { keys, stored } = await upload(t, s3, 'cameras/shed', false, 26 * HOUR_MS);
    t.equal(keys.length, stored, 'segments only');
    t.notOk(
      keys.some((k) => k.endsWith('.json')),
      'no index',
    );
  });
}
