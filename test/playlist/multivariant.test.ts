/**
 * The multivariant playlist (issue 11 §4): figures from the stored segments' sizes (LIST) and codec
 * facts (one HEAD), never a body; the same answer from serve, the Lambda handler and
 * `s3hls playlist --multivariant`; ffprobe follows it through the media playlist to every frame.
 */
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runUpload } from '../../src/cli/commands/upload.js';
import { runPlaylist } from '../../src/cli/commands/playlist.js';
import { createLambdaHandler } from '../../src/lambda/handler.js';
import { averageBitrate, multivariantTarget, peakBitrate, readCodecFacts, renderMultivariantPlaylist, type SegmentSize } from '../../src/playlist/multivariant.js';
import { baseUrlResolver } from '../../src/playlist/segment-urls.js';
import { createPlaylistRoutes } from '../../src/server/playlist-routes.js';
import { startPlaylistServer } from '../../src/server/playlist-server.js';
import { codecFactsFromMetadata, codecFactsMetadata } from '../../src/stream/codec-facts.js';
import { parseSps } from '../../src/h264/sps.js';
import { segmentKey } from '../../src/keys/object-keys.js';
import { hasFfmpeg } from '../helpers/fixtures.js';
import { nalUnits } from '../helpers/annexb-units.js';
import { S3RVER_CREDENTIALS, startS3 } from '../helpers/s3server.js';

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg not on PATH';
const run = promisify(execFile);

function seg(durationMs: number, bytes: number, i: number): SegmentSize {
  return { key: `k${i}`, startTimeMs: i * 2000, durationMs, bytes };
}

t.test('peak segment bit rate (sets of 0.5..1.5 × target) and average, by hand', async (t) => {
  // Target 2 s: sets from 1 s to 3 s. 250000 B in 2 s = 1 Mbit/s; the 1-s segment of 250000 B is 2 Mbit/s.
  const s = [seg(2000, 250_000, 0), seg(2000, 250_000, 1), seg(1000, 250_000, 2), seg(2000, 125_000, 3)];
  t.equal(peakBitrate(s), 2_000_000, 'the 1-s segment alone is a valid set (0.5 × target)');
  t.equal(averageBitrate(s), Math.ceil((875_000 * 8000) / 7000));
  // A 0.4-s segment alone is below 0.5 × target: it counts only together with a neighbour.
  const short = [seg(2000, 250_000, 0), seg(400, 200_000, 1)];
  t.equal(peakBitrate(short), Math.ceil((450_000 * 8000) / 2400));
  t.equal(peakBitrate([seg(400, 100_000, 0)]), 2_000_000, 'no set fits: the single segment');
  t.equal(peakBitrate([]), 0);
  t.equal(averageBitrate([seg(0, 100, 0)]), 0, 'zero durations are left out');
});

t.test('rendered text, and which media playlist index.m3u8 points at', async (t) => {
  const facts = { codecs: 'avc1.64001f,mp4a.40.2', width: 1280, height: 720, frameRate: 29.97 };
  t.equal(
    renderMultivariantPlaylist('playlist.m3u8?start=1795316400', { bandwidth: 2_000_000, averageBandwidth: 1_500_000, facts }),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1500000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970',
      'playlist.m3u8?start=1795316400',
      '',
    ].join('\n'),
  );
  t.match(renderMultivariantPlaylist('live.m3u8', { bandwidth: 1, averageBandwidth: 1, facts: undefined }), /STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\nlive/);
  t.throws(() => renderMultivariantPlaylist('a\nb', { bandwidth: 1, averageBandwidth: 1, facts: undefined }), TypeError);
  t.throws(() => renderMultivariantPlaylist('a', { bandwidth: 0, averageBandwidth: 1, facts: undefined }), /bandwidth/);
  const now = 1_800_000_000_000;
  const at = (q: string, startMs?: number, endMs?: number) => multivariantTarget(new URLSearchParams(q), { startMs, endMs, nowMs: now, liveLookbackMs: 600_000 });
  t.same(at(''), { mediaUri: 'live.m3u8', startMs: now - 600_000, endMs: undefined, maxAgeSeconds: 10 });
  t.same(at('start=1795316400&live', 1_795_316_400_000), { mediaUri: 'live.m3u8?start=1795316400', startMs: 1_795_316_400_000, endMs: undefined, maxAgeSeconds: 10 }, 'EVENT');
  t.same(
    at('start=2026-11-22T03:00:00Z&end=1795316460', 1, 2),
    { mediaUri: 'playlist.m3u8?start=2026-11-22T03%3A00%3A00Z&end=1795316460', startMs: 1, endMs: 2, maxAgeSeconds: 600 },
    'VOD, values passed on as given',
  );
});

t.test('codec facts ↔ metadata', async (t) => {
  const m = codecFactsMetadata({ codecs: 'avc1.64001f,mp4a.40.2', width: 1280, height: 720, videoFrames: 60, durationTicks: 180_180 });
  t.same(m, { codecs: 'avc1.64001f,mp4a.40.2', resolution: '1280x720', 'frame-rate': '29.970' });
  t.same(codecFactsFromMetadata(m), { codecs: 'avc1.64001f,mp4a.40.2', width: 1280, height: 720, frameRate: 29.97 });
  t.same(codecFactsMetadata({ codecs: 'avc1', width: 0, height: 0, videoFrames: 1, durationTicks: 0 }), {}, 'unknowns are left out');
  t.equal(codecFactsFromMetadata({ codecs: 'avc1.64001f" ,x' }), undefined, 'a value that is not a codecs string is not trusted');
  t.equal(codecFactsFromMetadata(undefined), undefined);
});

t.test('end to end: upload → index.m3u8 from serve, Lambda and the CLI → ffprobe plays through', { skip: noFfmpeg }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 's3hls-mv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mp4 = join(dir, 'cam.mp4');
  // High profile, 29.97 fps, a keyframe every 60 frames (2.002 s), AAC-LC: 8 s = 240 frames.
  execFileSync('ffmpeg', [
    '-y',
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30000/1001',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '8.008',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-g',
    '60',
    '-keyint_min',
    '60',
    '-sc_threshold',
    '0',
    '-bf',
    '2',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    mp4,
  ]);
  execFileSync('ffmpeg', ['-y', '-hide_banner', '-nostdin', '-v', 'error', '-i', mp4, '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-an', '-f', 'h264', join(dir, 'cam.h264')]);
  const annexB = readFileSync(join(dir, 'cam.h264'));
  const spsNal = nalUnits(annexB).find((n) => n.type === 7)!;
  const sps = parseSps(annexB.subarray(spsNal.start, spsNal.end));
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const expectedAvc1 = `avc1.${hex(sps.profileIdc)}${hex(sps.constraintFlags)}${hex(sps.levelIdc)}`;

  const s3 = await startS3();
  t.teardown(() => s3.close());
  process.env['AWS_ACCESS_KEY_ID'] = S3RVER_CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = S3RVER_CREDENTIALS.secretAccessKey;
  process.env['AWS_REGION'] = 'us-east-1';
  let log = '';
  const sinkIo = { write: (s: string) => ((log += s), true) };
  const code = await runUpload(
    [
      '--input',
      mp4,
      '--encoder',
      'copy',
      '--bucket',
      s3.bucket,
      '--prefix',
      'cams/door',
      '--endpoint',
      s3.endpoint,
      '--path-style',
      '--progress',
      'plain',
      '--start-time',
      '2026-11-22T03:00:00Z',
    ],
    { stdout: sinkIo, stderr: sinkIo, credentials: { ...S3RVER_CREDENTIALS } },
  );
  t.equal(code, 0, log);

  // The expected figures, computed here from the listing by brute force (every contiguous set).
  const client = s3.client();
  t.teardown(() => client.destroy());
  const listed = (await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'cams/door/' }))).Contents ?? [];
  // Segments only: the upload also wrote the hour's index.json (docs/recordings.md).
  const sizes = listed
    .filter((o) => o.Key!.endsWith('.ts'))
    .map((o) => ({ bytes: o.Size!, ms: Number(/-(\d+)(-d)?\.ts$/.exec(o.Key!)![1]) }))
    .filter((s) => s.ms > 0);
  const targetMs = Math.max(...sizes.map((s) => Math.round(s.ms / 1000))) * 1000;
  let peak = 0;
  for (let i = 0; i < sizes.length; i++) {
    for (let j = i; j < sizes.length; j++) {
      const set = sizes.slice(i, j + 1);
      const ms = set.reduce((a, s) => a + s.ms, 0);
      if (ms >= targetMs / 2 && ms <= targetMs * 1.5) peak = Math.max(peak, (set.reduce((a, s) => a + s.bytes, 0) * 8000) / ms);
    }
  }
  const average = (sizes.reduce((a, s) => a + s.bytes, 0) * 8000) / sizes.reduce((a, s) => a + s.ms, 0);

  const routes = { client, bucket: s3.bucket, rootPrefix: 'cams', urls: baseUrlResolver(`${s3.endpoint}/${s3.bucket}`) };
  const server = await startPlaylistServer({ ...routes, onWarning: () => undefined });
  t.teardown(() => server.close());
  const query = 'start=2026-11-22T03:00:00Z&end=2026-11-22T03:01:00Z';
  const before = s3.requests.length;
  const res = await fetch(`${server.url}/cameras/door/index.m3u8?${query}`);
  const text = await res.text();
  const during = s3.requests.slice(before);
  t.equal(res.status, 200, text);
  t.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  t.comment(text.trim().split('\n').slice(-2).join(' → '));
  t.equal(during.filter((r) => r.method === 'GET' && /\.ts(\?|$)/.test(r.url)).length, 0, 'no segment body read');
  t.equal(during.filter((r) => r.method === 'HEAD').length, 1, 'one HEAD for the codec facts');
  t.comment(`S3 requests for index.m3u8: ${during.map((r) => r.method).join(', ')}; ${sizes.length} segments`);
  const inf = /#EXT-X-STREAM-INF:(.*)\n(.*)\n/.exec(text)!;
  const attrs = Object.fromEntries(inf[1].match(/[A-Z-]+=("[^"]*"|[^,]*)/g)!.map((a) => a.split(/=(.*)/s).slice(0, 2) as [string, string]));
  t.equal(inf[2], 'playlist.m3u8?start=2026-11-22T03%3A00%3A00Z&end=2026-11-22T03%3A01%3A00Z', 'start/end passed on');
  t.equal(Number(attrs['BANDWIDTH']), Math.ceil(peak), 'BANDWIDTH = peak segment bit rate (RFC 8216 §4.3.4.2)');
  t.equal(Number(attrs['AVERAGE-BANDWIDTH']), Math.ceil(average));
  t.ok(Number(attrs['BANDWIDTH']) >= Number(attrs['AVERAGE-BANDWIDTH']));
  t.equal(attrs['CODECS'], `"${expectedAvc1},mp4a.40.2"`, `CODECS from the SPS (profile ${sps.profileIdc}, level ${sps.levelIdc}) and ADTS`);
  t.match(attrs['CODECS'], /^"avc1\.[0-9a-f]{6},mp4a\.40\.2"$/, 'the form hls.js and MSE accept (6 lower-case hex digits)');
  t.equal(attrs['RESOLUTION'], '640x360');
  t.equal(attrs['FRAME-RATE'], '29.970');

  // The Lambda handler and the CLI give the same playlist.
  const lambda = createLambdaHandler(routes);
  const viaLambda = await lambda({ rawPath: '/cameras/door/index.m3u8', rawQueryString: query, requestContext: { http: { method: 'GET' } } });
  t.equal(viaLambda.statusCode, 200);
  t.equal(viaLambda.body, text, 'Lambda: same body');
  let cliOut = '';
  const cliCode = await runPlaylist(
    [
      '--multivariant',
      '--prefix',
      'cams/door',
      '--start',
      '2026-11-22T03:00:00Z',
      '--end',
      '2026-11-22T03:01:00Z',
      '--bucket',
      s3.bucket,
      '--endpoint',
      s3.endpoint,
      '--path-style',
    ],
    { stdout: { write: (s: string) => (cliOut += s) }, stderr: { write: (s: string) => (cliOut += s) } },
  );
  t.equal(cliCode, 0, cliOut);
  t.equal(cliOut, text, 'CLI: same text');

  // ffprobe reads the multivariant playlist, follows it to the media playlist and decodes every frame.
  const probe = JSON.parse(
    (
      await run(
        'ffprobe',
        [
          '-v',
          'error',
          '-protocol_whitelist',
          'file,http,tcp',
          '-count_frames',
          '-show_entries',
          'stream=codec_type,codec_name,profile,width,height,nb_read_frames',
          '-of',
          'json',
          `${server.url}/cameras/door/index.m3u8?${query}`,
        ],
        { timeout: 120_000 },
      )
    ).stdout,
  ) as { streams: { codec_type: string; codec_name: string; width?: number; height?: number; nb_read_frames: string }[] };
  const video = probe.streams.find((s) => s.codec_type === 'video')!;
  const audio = probe.streams.find((s) => s.codec_type === 'audio')!;
  t.equal(video.codec_name, 'h264');
  t.equal(`${video.width}x${video.height}`, '640x360');
  t.equal(Number(video.nb_read_frames), 240, 'every video frame played through index.m3u8 → playlist.m3u8 → segments');
  t.equal(audio.codec_name, 'aac');
  t.ok(Number(audio.nb_read_frames) >= 370, `${audio.nb_read_frames} AAC frames`);

  // Live: index.m3u8 without a range points at live.m3u8; an EVENT keeps its start.
  const uploadedAt = Date.parse('2026-11-22T03:00:00Z');
  const liveRoutes = createPlaylistRoutes({ ...routes, nowMs: () => uploadedAt + 20_000 });
  const live = await liveRoutes({ method: 'GET', rawPath: '/cameras/door/index.m3u8', query: new URLSearchParams() });
  t.match(live.body, /FRAME-RATE=29\.970\nlive\.m3u8\n$/);
  t.match(live.headers['cache-control'], /max-age=10/);
  const event = await liveRoutes({ method: 'GET', rawPath: '/cameras/door/index.m3u8', query: new URLSearchParams('start=1795316400&live') });
  t.match(event.body, /\nlive\.m3u8\?start=1795316400\n$/);
  const none = await liveRoutes({ method: 'GET', rawPath: '/cameras/door/index.m3u8', query: new URLSearchParams('start=1700000000&end=1700000060') });
  t.equal(none.status, 404, 'no segment in the window: 404 naming it');
  const bad = await liveRoutes({ method: 'GET', rawPath: '/cameras/door/index.m3u8', query: new URLSearchParams('start=1795316400&end=1795316300') });
  t.equal(bad.status, 400);

  // Segments stored before facts were recorded: bandwidths still, no CODECS (players probe).
  for (let i = 0; i < 3; i++) {
    const key = segmentKey('cams/old', { startTimeMs: uploadedAt + i * 2000, sequence: i, durationMs: 2000, discontinuity: i === 0 });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: new Uint8Array(188 * 1000) }));
  }
  const old = await liveRoutes({ method: 'GET', rawPath: '/cameras/old/index.m3u8', query: new URLSearchParams(query) });
  t.equal(old.status, 200);
  t.match(old.body, /#EXT-X-STREAM-INF:BANDWIDTH=752000,AVERAGE-BANDWIDTH=752000\n/);
  t.notMatch(old.body, /CODECS/);

  // A key deleted between LIST and HEAD (404) is skipped; a role that may not read (403) gets no facts, no failure.
  const newest = listed
    .map((o) => o.Key!)
    .filter((k) => k.endsWith('.ts'))
    .sort(); // not the hour index.json
  const gone = await readCodecFacts({ client, bucket: s3.bucket, keys: [...newest, 'cams/door/2026/11/22/03/1795316499000-99-2000.ts'], maxHeads: 3 });
  t.equal(gone.requests, 2);
  t.equal(gone.facts?.codecs, `${expectedAvc1},mp4a.40.2`);
  // The newest segment has codecs but one frame (no frame rate): an older complete one is used.
  const oneFrame = segmentKey('cams/door', { startTimeMs: uploadedAt + 30_000, sequence: 99, durationMs: 33, discontinuity: false });
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: oneFrame, Body: new Uint8Array(188), Metadata: { codecs: 'avc1.64001e', resolution: '640x360' } }));
  const complete = await readCodecFacts({ client, bucket: s3.bucket, keys: [...newest, oneFrame], maxHeads: 3 });
  t.same(complete, { facts: { codecs: `${expectedAvc1},mp4a.40.2`, width: 640, height: 360, frameRate: 29.97 }, requests: 2 });
  const onlyPartial = await readCodecFacts({ client, bucket: s3.bucket, keys: [oneFrame], maxHeads: 3 });
  t.same(onlyPartial.facts, { codecs: 'avc1.64001e', width: 640, height: 360, frameRate: undefined });
  const stranger = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'NOT-S3RVER', secretAccessKey: 'x' } });
  t.teardown(() => stranger.destroy());
  const denied = await readCodecFacts({ client: stranger, bucket: s3.bucket, keys: newest, maxHeads: 3 });
  t.same(denied, { facts: undefined, requests: 1 }, '403: answered without facts');
});
