/**
 * Hour index objects against s3rver: the writer hooked to a real Uploader writes one index per
 * camera-hour when the hour closes (and rewrites it after a late upload); querySpans over indexed
 * hours gives exactly what a LIST gives, with one GET per hour instead of the LIST pages; an
 * unreadable index falls back to LIST.
 */
import t from 'tap';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { buildHourIndex, HOUR_MS, hourIndexKey, parseHourIndex, segmentKeyHour, type HourIndexJson } from '../../src/recordings/hour-index.js';
import { HourIndexWriter } from '../../src/recordings/hour-index-writer.js';
import { querySpans } from '../../src/recordings/spans.js';
import { Uploader } from '../../src/upload/uploader.js';
import { startS3, S3RVER_CREDENTIALS } from '../helpers/s3server.js';
import { fakeSegment } from '../upload/fake-segment.js';

const H0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const prefix = 'cams/door';

t.test('segmentKeyHour and the index round trip', async (t) => {
  const key = segmentKey(prefix, { startTimeMs: H0 + 1234, sequence: 7, durationMs: 2000, discontinuity: true });
  t.same(segmentKeyHour(key), { prefix, hourStartMs: H0 });
  t.equal(segmentKeyHour('cams/door/notes.txt'), undefined);
  const odd = `${prefix}/2026/11/22/10/${String(H0 + 5000).padStart(13, '0')}-007-2000.ts`; // not canonical: kept by name
  const json = buildHourIndex(prefix, H0, [key, odd, `${prefix}/2026/11/22/10/index.json`], H0 + HOUR_MS);
  t.same(json.segments, [
    [1234, 7, 2000, 1],
    [5000, 7, 2000, 0, odd.slice(odd.lastIndexOf('/') + 1)],
  ]);
  t.same(
    json.spans,
    [
      [H0 + 1234, H0 + 3234, 1],
      [H0 + 5000, H0 + 7000, 1],
    ],
    'sequence 7 after 7 breaks the span',
  );
  t.same(
    parseHourIndex(JSON.stringify(json), prefix, H0).map((f) => f.key),
    [key, odd],
  );
  t.throws(() => parseHourIndex('{"v":2}', prefix, H0), /version 2/);
  t.throws(() => parseHourIndex(JSON.stringify(json), prefix, H0 + HOUR_MS), /another hour/);
});

t.test('the writer hooked to an Uploader indexes closed hours, rewrites after a late upload', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const uploader = new Uploader({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, credentials: { ...S3RVER_CREDENTIALS } });
  t.teardown(() => uploader.close());
  const errors: string[] = [];
  const writer = new HourIndexWriter({ client, bucket: s3.bucket, settleMs: 10_000, nowMs: () => H0 + 3 * HOUR_MS, onError: (m) => errors.push(m) });
  writer.attach(uploader);
  const sink = uploader.sinkFor('door', { prefix });
  // The last 20 s of hour 10 and the first 20 s of hour 11, but segment 3 (hour 10) comes late.
  const at = (i: number) => H0 + HOUR_MS - 20_000 + i * 2000;
  const order = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
  for (const i of order) sink.onSegment(fakeSegment({ streamId: 'door', sequence: i, startTimeMs: at(i), durationTicks: 180_000 }));
  await uploader.drain({ timeoutMs: 20_000 });
  await writer.close();
  const read = async (hour: number) =>
    JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: hourIndexKey(prefix, hour) }))).Body!.transformToString()) as HourIndexJson;
  const first = await read(H0);
  t.equal(first.segments.length, 9, 'hour 10 indexed once a segment 10 s past its end was stored: 9 of its 10 segments');
  t.same(first.spans.length, 2, 'the missing segment splits the hour into two spans');
  sink.onSegment(fakeSegment({ streamId: 'door', sequence: 3, startTimeMs: at(3), durationTicks: 180_000 }));
  await uploader.drain({ timeoutMs: 20_000 });
  await writer.close();
  const again = await read(H0);
  t.equal(again.segments.length, 10, 'the late segment re-wrote the index');
  t.same(again.spans, [[at(0), at(10), 10]]);
  const second = await read(H0 + HOUR_MS);
  t.equal(second.segments.length, 10, 'close() indexed hour 11: the server clock has passed it');
  t.same(errors, []);
  t.ok(writer.written >= 3);
});

t.test('querySpans from index objects equals querySpans from LIST; a broken index falls back', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  // Three hours of 10 s segments (few keys: s3rver stores ~50/s on a loaded machine) with an outage and a restart inside, written key by key.
  const keys: string[] = [];
  let seq = 0;
  for (let ms = H0; ms < H0 + 3 * HOUR_MS; ms += 10_000) {
    if (ms >= H0 + 1800_000 && ms < H0 + 1900_000) continue; // outage
    const restart = ms === H0 + 2 * HOUR_MS + 600_000;
    if (restart) seq = 0;
    keys.push(segmentKey(prefix, { startTimeMs: ms, sequence: seq++, durationMs: 10_000, discontinuity: restart }));
  }
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(keys.slice(i, i + 100).map((Key) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array([0x47]) }))));
  }
  const nowMs = H0 + 5 * HOUR_MS;
  const window = { client, bucket: s3.bucket, prefix, startMs: H0 + 600_000, endMs: H0 + 3 * HOUR_MS - 600_000, nowMs };
  const listed = await querySpans({ ...window, useIndex: false });
  t.equal(listed.spans.length, 3, 'outage and restart split the range');
  t.equal(listed.stats.indexHours, 0);

  const writer = new HourIndexWriter({ client, bucket: s3.bucket, nowMs: () => nowMs });
  for (const k of keys) writer.noteStored(k);
  await writer.close();
  t.equal(writer.written, 3);
  const indexed = await querySpans(window);
  t.same(indexed.spans, listed.spans, 'same spans from the index');
  t.equal(indexed.stats.indexHours, 3);
  t.equal(indexed.stats.listedHours, 0);
  t.ok(indexed.stats.lists < listed.stats.lists, `fewer LISTs (${indexed.stats.lists} vs ${listed.stats.lists})`);
  const open = await querySpans({ ...window, nowMs: H0 + 2 * HOUR_MS + 30_000 });
  t.same(open.spans, listed.spans);
  t.equal(open.stats.indexHours, 1, 'hour 11 is not trusted until 60 s after its end; hour 12 is open');

  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: hourIndexKey(prefix, H0 + HOUR_MS), Body: 'not json' }));
  const broken = await querySpans(window);
  t.same(broken.spans, listed.spans, 'a broken index is listed instead');
  t.equal(broken.stats.indexHours, 2);
});
