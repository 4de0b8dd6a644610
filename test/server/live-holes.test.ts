/**
 * Live and EVENT playlists while uploads finish out of order (retries, concurrency ≥ 2), and the
 * live TARGETDURATION, through the routes against a real S3 (s3rver on 127.0.0.1). RFC 8216
 * §6.2.1/§6.2.2: a live playlist's MEDIA-SEQUENCE never goes back and each segment keeps its
 * number; §4.3.3.5: an EVENT playlist is only ever appended to; §6.2.1: TARGETDURATION does not change.
 */
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import HLS from 'hls-parser';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { createPlaylistRoutes, type RouteResponse } from '../../src/server/playlist-routes.js';
import { collectBody } from '../../src/playback/http-body.js';
import { startS3 } from '../helpers/s3server.js';

HLS.setOptions({ strictMode: true });

// Key times from the next hour on: the store stamps each object with the real clock (LastModified),
// which must not make these segments "stored late" (docs/playback.md, "Late uploads"; that rule is
// tested in test/playback/late-upload.test.ts). Here only the out-of-order order within the grace matters.
const T0 = (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000;
/** The muxer numbers a run from floor(run start ms / 100) (docs/keys.md). */
const BASE = Math.floor(T0 / 100);

t.test('out-of-order uploads', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  let now = T0;
  const routes = createPlaylistRoutes({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver('https://cdn.example'), liveWindow: 6, nowMs: () => now });

  /** Stores segment i of a camera (2 s each from T0, or `durations[i]`), as the uploader would. */
  async function store(camera: string, i: number, durationMs = 2000, startTimeMs = T0 + i * 2000): Promise<void> {
    const Key = segmentKey(`cams/${camera}`, { startTimeMs, sequence: BASE + i, durationMs, discontinuity: i === 0 });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: new Uint8Array(188).fill(0x47) }));
  }
  async function get(path: string, query = ''): Promise<{ res: RouteResponse & { body: string }; p: HLS.types.MediaPlaylist }> {
    const streamed = await routes({ method: 'GET', rawPath: path, query: new URLSearchParams(query) });
    const res = { ...streamed, body: (await collectBody(streamed.body, 1e8)).toString() };
    t.equal(res.status, 200, `${path}?${query}: ${res.body.slice(0, 200)}`);
    return { res, p: HLS.parse(res.body) as HLS.types.MediaPlaylist };
  }
  const index = (uri: string): number => Number(/-(\d+)-\d+(?:-d)?\.ts$/.exec(uri)![1]) - BASE;

  t.test('regression: a segment stored late does not make the live MEDIA-SEQUENCE go backwards', async (t) => {
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 9, 10]) await store('late', i);
    now = T0 + 11 * 2000 + 500; // segment 10 just stored; 8 is still being retried
    const before = await get('/cameras/late/live.m3u8');
    t.same(
      before.p.segments.map((s) => index(s.uri)),
      [2, 3, 4, 5, 6, 7],
      'published up to the young hole',
    );
    t.equal(before.p.mediaSequenceBase, BASE + 2);
    await store('late', 8);
    now += 1000;
    const after = await get('/cameras/late/live.m3u8');
    t.same(
      after.p.segments.map((s) => index(s.uri)),
      [5, 6, 7, 8, 9, 10],
    );
    t.ok(after.p.mediaSequenceBase! >= before.p.mediaSequenceBase!, `MEDIA-SEQUENCE ${before.p.mediaSequenceBase} then ${after.p.mediaSequenceBase}`);
    for (const s of after.p.segments) {
      const was = before.p.segments.find((b) => b.uri === s.uri);
      if (was) t.equal(s.mediaSequenceNumber, was.mediaSequenceNumber, `${index(s.uri)} keeps its number`);
    }
    t.notMatch(after.res.body, /#EXT-X-DISCONTINUITY\n/, 'no discontinuity once the hole is filled');
  });

  t.test('regression: a segment stored late is not inserted in the middle of an EVENT playlist', async (t) => {
    for (const i of [0, 1, 3]) await store('event', i);
    now = T0 + 4 * 2000 + 500;
    const before = await get('/cameras/event/live.m3u8', `start=${T0 / 1000}`);
    t.equal(before.p.playlistType, 'EVENT');
    t.same(
      before.p.segments.map((s) => index(s.uri)),
      [0, 1],
    );
    await store('event', 2);
    now += 1000;
    const after = await get('/cameras/event/live.m3u8', `start=${T0 / 1000}`);
    t.same(
      after.p.segments.map((s) => index(s.uri)),
      [0, 1, 2, 3],
    );
    t.same(
      after.p.segments.slice(0, before.p.segments.length).map((s) => s.uri),
      before.p.segments.map((s) => s.uri),
      'the earlier list is a prefix of the later one (appended only)',
    );
  });

  t.test('a hole older than the grace period counts as lost: discontinuity, window after it', async (t) => {
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 9, 10]) await store('lost', i);
    now = T0 + 11 * 2000 + 500;
    const young = await get('/cameras/lost/live.m3u8');
    t.equal(young.p.segments.length, 6);
    now = T0 + 10 * 2000 + 30_000; // 30 s (the default grace) after segment 9 ended
    const old = await get('/cameras/lost/live.m3u8');
    t.same(
      old.p.segments.map((s) => index(s.uri)),
      [9, 10],
      'the window starts after the lost segment',
    );
    t.ok(old.p.mediaSequenceBase! > young.p.mediaSequenceBase!, 'forward, never back');
    const event = await get('/cameras/lost/live.m3u8', `start=${T0 / 1000}`);
    t.same(
      event.p.segments.map((s) => index(s.uri)),
      [0, 1, 2, 3, 4, 5, 6, 7, 9, 10],
    );
    t.equal(event.p.segments[8].discontinuity, true, 'the EVENT list marks the lost segment with a discontinuity');
    now = T0 + 11 * 2000 + 500;
    const vod = await get('/cameras/lost/playlist.m3u8', `start=${T0 / 1000}`);
    t.equal(vod.p.segments.length, 10, 'a VOD range is a snapshot: it lists everything stored, hole or not');
    const impatient = createPlaylistRoutes({
      client,
      bucket: s3.bucket,
      rootPrefix: 'cams',
      urls: baseUrlResolver('https://cdn.example'),
      liveWindow: 6,
      liveGraceMs: 0,
      nowMs: () => now,
    });
    const r = await impatient({ method: 'GET', rawPath: '/cameras/lost/live.m3u8', query: new URLSearchParams() });
    t.same(
      (HLS.parse((await collectBody(r.body, 1e8)).toString()) as HLS.types.MediaPlaylist).segments.map((s) => index(s.uri)),
      [9, 10],
      'liveGraceMs: 0 publishes at once',
    );
    t.throws(() => createPlaylistRoutes({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver('https://x.example'), liveGraceMs: -1 }), RangeError);
  });

  t.test('regression: live TARGETDURATION stays put while a long-GOP segment moves through the window', async (t) => {
    // Segment 1 is a 7-s GOP; the others are 2 s. Reload after every upload.
    let at = T0;
    const targets: number[] = [];
    for (let i = 0; i < 14; i++) {
      const durationMs = i === 1 ? 7000 : 2000;
      await store('gop', i, durationMs, at);
      at += durationMs;
      now = at + 300;
      if (i >= 1) targets.push((await get('/cameras/gop/live.m3u8')).p.targetDuration);
    }
    t.same(new Set(targets), new Set([7]), `TARGETDURATION on every reload: ${targets.join(',')}`);
    const last = await get('/cameras/gop/live.m3u8');
    t.notOk(
      last.p.segments.some((s) => index(s.uri) === 1),
      'the long segment has left the window',
    );
    t.equal(last.res.headers['cache-control'], 'public, max-age=3', 'max-age is half the (stable) target duration');
  });
});
