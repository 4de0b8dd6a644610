/**
 * The recordings.json and clip.mp4 routes against s3rver with real ffmpeg-made segments: `s3hls
 * serve` streams the MP4 as an attachment named after camera and times; the Lambda handler writes
 * it under exports/ and answers 303 to a presigned URL; ranges beyond the limit or without footage
 * are 400s that say why.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { segmentKey } from '../../src/keys/object-keys.js';
import { baseUrlResolver, presignedUrlResolver } from '../../src/playlist/segment-urls.js';
import { startPlaylistServer } from '../../src/server/playlist-server.js';
import { createLambdaHandler } from '../../src/lambda/handler.js';
import { startS3 } from '../helpers/s3server.js';
import { hasFfmpeg, twoSecondSegmentArgs } from '../helpers/fixtures.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

t.test('recordings.json and clip.mp4 on serve and on the Lambda handler', { skip: !hasFfmpeg() && 'no ffmpeg' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-cliproute-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('ffmpeg', [...twoSecondSegmentArgs('320x180', 6), join(dir, 'seg%d.ts')]);
  const segs = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
  const s3 = await startS3();
  t.teardown(() => s3.close());
  const client = s3.client();
  // Segments 0 and 1 back to back, segment 2 after a 10 s gap.
  for (const [n, at] of [
    [0, 0],
    [1, 2000],
    [2, 14_000],
  ] as const) {
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: segmentKey('cams/door', { startTimeMs: T0 + at, sequence: n, durationMs: 2000, discontinuity: n === 0 }), Body: segs[n] }),
    );
  }
  const server = await startPlaylistServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver(`${s3.endpoint}/${s3.bucket}`), maxClipRangeMs: 3_600_000 });
  t.teardown(() => server.close());
  const q = `start=${new Date(T0).toISOString()}&end=${T0 / 1000 + 20}`;

  const rec = await fetch(`${server.url}/cameras/door/recordings.json?${q}`);
  t.equal(rec.status, 200);
  const json = (await rec.json()) as { spans: unknown[] };
  t.same(json.spans, [
    { start: new Date(T0).toISOString(), end: new Date(T0 + 4000).toISOString(), segments: 2 },
    { start: new Date(T0 + 14_000).toISOString(), end: new Date(T0 + 16_000).toISOString(), segments: 1 },
  ]);

  const clip = await fetch(`${server.url}/cameras/door/clip.mp4?${q}`);
  t.equal(clip.status, 200);
  t.equal(clip.headers.get('content-type'), 'video/mp4');
  t.equal(clip.headers.get('content-disposition'), 'attachment; filename="door_20261122T100000Z_20261122T100020Z.mp4"');
  t.equal(clip.headers.get('content-encoding'), null, 'MP4 is not gzipped');
  const mp4 = Buffer.from(await clip.arrayBuffer());
  const file = join(dir, 'clip.mp4');
  writeFileSync(file, mp4);
  const duration = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString());
  t.ok(Math.abs(duration - 6) < 0.3, `3 segments, gap skipped: ${duration} s`);
  t.same(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file]).toString().trim().split('\n').sort(), ['aac', 'h264']);

  const long = await fetch(`${server.url}/cameras/door/clip.mp4?start=${T0 / 1000}&end=${T0 / 1000 + 7200}`);
  t.equal(long.status, 400);
  t.match(await long.text(), /over the maximum of 3600 s for a clip \(longer clips: s3hls export/);
  const empty = await fetch(`${server.url}/cameras/door/clip.mp4?start=${T0 / 1000 + 100}&end=${T0 / 1000 + 200}`);
  t.equal(empty.status, 400);
  t.match(await empty.text(), /no recording in the requested range/);

  // The Lambda: same routes, the clip written to S3 and answered with a presigned URL.
  const handler = createLambdaHandler({ client, bucket: s3.bucket, rootPrefix: 'cams', urls: presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 600 }) });
  const event = (path: string, query: string) => ({ version: '2.0', rawPath: path, rawQueryString: query, headers: {}, requestContext: { http: { method: 'GET' } } });
  const lrec = await handler(event('/cameras/door/recordings.json', q));
  t.equal(lrec.statusCode, 200);
  t.same((JSON.parse(lrec.body) as { spans: unknown[] }).spans, json.spans);
  const lclip = await handler(event('/cameras/door/clip.mp4', q));
  t.equal(lclip.statusCode, 303);
  const info = JSON.parse(lclip.body) as { url: string; key: string; bytes: number; fileName: string };
  t.equal(lclip.headers['location'], info.url);
  t.match(info.key, /^exports\/[0-9a-f-]{36}\/door_20261122T100000Z_20261122T100020Z\.mp4$/);
  t.match(info.url, /response-content-disposition=attachment/);
  const got = Buffer.from(await (await fetch(info.url)).arrayBuffer());
  t.equal(got.length, info.bytes);
  t.ok(got.equals(mp4), 'the stored clip is the same MP4 serve streams');
  const ltoo = await handler(event('/cameras/door/clip.mp4', `start=${T0 / 1000}&end=${T0 / 1000 + 601}`));
  t.equal(ltoo.statusCode, 400);
  t.match(ltoo.body, /over the maximum of 600 s for a clip/);
});
