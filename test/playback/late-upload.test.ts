/**
 * Issue 10 §7, end to end against a real S3 (s3rver on 127.0.0.1): a segment stored after the
 * grace period (a long retry) does not rewrite the middle of an EVENT playlist a player already has,
 * nor move the live MEDIA-SEQUENCE back; the VOD range and the recordings spans still have it. Store
 * times are s3rver's real LastModified (whole seconds), read from LIST and from the hour index.
 */
import t from 'tap';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import HLS from 'hls-parser';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { PlaybackService } from '../../src/playback/playback-service.js';
import { collectBody } from '../../src/playback/http-body.js';
import { newRecordSourceStats } from '../../src/playback/record-source.js';
import { buildHourIndex, HOUR_MS, hourIndexKey, type HourIndexJson } from '../../src/recordings/hour-index.js';
import { HourIndexWriter } from '../../src/recordings/hour-index-writer.js';
import { createPlaylistRoutes } from '../../src/server/playlist-routes.js';
import { startS3 } from '../helpers/s3server.js';

HLS.setOptions({ strictMode: true });

/** A small grace period so the test waits for real instead of faking the store's clock. */
const GRACE_MS = 300;

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}
const media = (s: string): HLS.types.MediaPlaylist => HLS.parse(s) as HLS.types.MediaPlaylist;

/** A camera of 2-s segments from `t0`, numbered as the muxer numbers a run (docs/keys.md). */
function cameraOf(client: S3Client, bucket: string, prefix: string, t0: number) {
  const base = Math.floor(t0 / 100);
  const key = (i: number): string => segmentKey(prefix, { startTimeMs: t0 + i * 2000, sequence: base + i, durationMs: 2000, discontinuity: i === 0 });
  return {
    key,
    index: (uri: string): number => Number(/-(\d+)-\d+(?:-d)?\.ts$/.exec(uri)![1]) - base,
    base,
    store: async (i: number): Promise<void> => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(i), Body: new Uint8Array(188).fill(0x47) }));
    },
  };
}

/** s3rver keeps LastModified in whole seconds: wait until the next one, so "stored after" is visible. */
async function nextStoreSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
}

t.test('a segment stored after the grace period, listed with LIST', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const service = new PlaybackService({ client, bucket: s3.bucket, urls: baseUrlResolver('https://cdn.example'), liveGraceMs: GRACE_MS });
  const t0 = Date.now() - 120_000; // recorded two minutes ago: every hole below is old at once
  const cam = cameraOf(client, s3.bucket, 'cams/late', t0);
  const uris = (p: HLS.types.MediaPlaylist): number[] => p.segments.map((s) => cam.index(s.uri));

  for (const i of [0, 1, 2, 3, 5, 6]) await cam.store(i); // 4 is still being retried
  const event1 = media(await text(service.eventPlaylist('cams/late', t0)));
  const live1 = media((await service.livePlaylist('cams/late', 600_000, 6)).text);
  t.same(uris(event1), [0, 1, 2, 3, 5, 6], 'the EVENT list went past the hole (older than the grace period: lost)');
  t.equal(event1.segments[4].discontinuity, true);
  t.same(uris(live1), [5, 6]);

  await nextStoreSecond();
  await cam.store(4); // the retry succeeds, long after the grace period
  for (const i of [7, 8]) await cam.store(i);

  const event2 = media(await text(service.eventPlaylist('cams/late', t0)));
  t.same(
    event2.segments.slice(0, event1.segments.length).map((s) => s.uri),
    event1.segments.map((s) => s.uri),
    'the earlier EVENT list is a prefix of the later one',
  );
  t.same(uris(event2), [0, 1, 2, 3, 5, 6, 7, 8], 'only new segments at its end; 4 left out');
  t.equal(event2.segments[4].discontinuity, true, 'the hole stays a discontinuity');
  const live2 = media((await service.livePlaylist('cams/late', 600_000, 6)).text);
  t.ok(live2.mediaSequenceBase! >= live1.mediaSequenceBase!, `live MEDIA-SEQUENCE ${live1.mediaSequenceBase} then ${live2.mediaSequenceBase}`);
  t.same(uris(live2), [5, 6, 7, 8]);

  const routes = createPlaylistRoutes({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example'), liveGraceMs: GRACE_MS });
  const viaRoute = await routes({ method: 'GET', rawPath: '/cameras/late/live.m3u8', query: new URLSearchParams({ start: String(t0 / 1000) }) });
  t.same(uris(media((await collectBody(viaRoute.body, 1e6)).toString())), [0, 1, 2, 3, 5, 6, 7, 8], 'the same through the HTTP/Lambda routes');

  const vod = media(await text(service.vodPlaylist('cams/late', { startMs: t0, endMs: t0 + 18_000 })));
  t.same(uris(vod), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'the VOD range is a snapshot: it lists the late segment');
  t.notMatch(await text(service.vodPlaylist('cams/late', { startMs: t0, endMs: t0 + 18_000 })), /#EXT-X-DISCONTINUITY\n/);
  const { spans } = await service.spans('cams/late', { startMs: t0 });
  t.same(
    spans.map((s) => [s.startMs - t0, s.endMs - t0, s.segments]),
    [[0, 18_000, 9]],
    'recordings: one span with the late segment in it',
  );
});

t.test('a segment stored after the grace period, read from the hour index', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  const service = new PlaybackService({ client, bucket: s3.bucket, urls: baseUrlResolver('https://cdn.example'), liveGraceMs: GRACE_MS });
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS; // closed: its index is read
  const t0 = hour + 600_000;
  const prefix = 'cams/indexed';
  const cam = cameraOf(client, s3.bucket, prefix, t0);
  const uris = (p: HLS.types.MediaPlaylist): number[] => p.segments.map((s) => cam.index(s.uri));
  const writer = new HourIndexWriter({ client, bucket: s3.bucket, onError: (m) => t.fail(m) });
  const storeAndIndex = async (list: number[]): Promise<void> => {
    for (const i of list) {
      await cam.store(i);
      writer.noteStored(cam.key(i));
    }
    await writer.close(); // the hour ended two hours ago: written now
  };
  const readIndex = async (): Promise<HourIndexJson> =>
    JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: hourIndexKey(prefix, hour) }))).Body!.transformToString()) as HourIndexJson;

  await storeAndIndex([0, 1, 2, 3, 5, 6]);
  const stats = newRecordSourceStats();
  for await (const page of service.records(prefix, { startMs: t0 }, stats)) t.ok(page.length > 0);
  t.equal(stats.indexHours, 1, 'the records come from the index object');
  t.equal((await readIndex()).stored?.length, 6, 'the index carries a store time per segment');
  const event1 = media(await text(service.eventPlaylist(prefix, t0)));
  t.same(uris(event1), [0, 1, 2, 3, 5, 6]);

  await nextStoreSecond();
  await storeAndIndex([4, 7, 8]);
  t.equal((await readIndex()).segments.length, 9, 'the index was rewritten with the late segment');
  const event2 = media(await text(service.eventPlaylist(prefix, t0)));
  t.same(uris(event2), [0, 1, 2, 3, 5, 6, 7, 8], 'prefix-preserving: 4 left out, 7 and 8 appended');
  const vod = media(await text(service.vodPlaylist(prefix, { startMs: t0, endMs: t0 + 18_000 })));
  t.same(uris(vod), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'VOD from the index lists it');

  // An index written before store times were recorded: still read, every segment on time.
  const old = buildHourIndex(
    prefix,
    hour,
    [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => cam.key(i)),
    Date.now(),
  );
  t.equal(old.stored, undefined, 'bare keys: no store times written');
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: hourIndexKey(prefix, hour), Body: JSON.stringify(old) }));
  const oldStats = newRecordSourceStats();
  for await (const page of service.records(prefix, { startMs: t0 }, oldStats)) t.ok(page.length > 0);
  t.equal(oldStats.indexHours, 1, 'the old index is still used');
  t.same(uris(media(await text(service.eventPlaylist(prefix, t0)))), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'without store times nothing counts as late');
});
