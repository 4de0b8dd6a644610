/**
 * Real playback: segments uploaded to s3rver (CORS on) play in Debian chromium (playwright-core)
 * with hls.js through the built-in player page: a VOD range with presigned URLs, and the live
 * playlist while the upload is still running. ffmpeg then reads the VOD playlist end to end through
 * the validation gate.
 *
 * The segment source is one function, `makeSegments` (our muxer by default; ffmpeg's segment muxer
 * with S3HLS_SEGMENT_SOURCE=ffmpeg).
 */
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { segmentKey } from '../../src/keys/object-keys.js';
import { presignedUrlResolver } from '../../src/playlist/segment-urls.js';
import { startPlaylistServer } from '../../src/server/playlist-server.js';
import { startS3 } from '../helpers/s3server.js';
import { probeDurationAsync } from './gate-async.js';
import { ffmpegGateAsync } from '../helpers/ffmpeg-gate.js';
import { startPageServer } from './page-server.js';
import { CHROMIUM, launch, makeSegments, type MadeSegment } from './browser-fixtures.js';
import { recordPlaylistRequests, throughIndex } from './playlist-requests.js';

const TOKEN = 'browser-test-token-0123456789';

interface PlayerState {
  errors: { type: string; details: string; fatal: boolean; url: string }[];
  fatal: string | null;
  url: string | null;
}

/** Waits until the video has played past `seconds`, or fails with what the player saw. */
async function playedPast(page: Page, seconds: number, timeoutMs: number): Promise<{ currentTime: number; state: PlayerState }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await page.evaluate(() => {
      const p = (window as unknown as { s3hlsPlayer?: PlayerState }).s3hlsPlayer;
      const v = document.querySelector('video')!;
      return { currentTime: v.currentTime, state: { errors: p?.errors ?? [], fatal: p?.fatal ?? null, url: p?.url ?? null } };
    });
    if (r.currentTime > seconds || r.state.fatal || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

t.test('playback in chromium with hls.js', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium)` }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 's3hls-browser-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const segments = makeSegments(work);
  t.ok(segments.length >= 10, `${segments.length} segments`);

  const s3 = await startS3({ cors: true });
  t.teardown(() => s3.close());
  const client = s3.client();
  const upload = async (prefix: string, seg: MadeSegment, startTimeMs: number): Promise<void> => {
    const Key = segmentKey(prefix, { startTimeMs, sequence: seg.sequence, durationMs: seg.durationMs, discontinuity: seg.discontinuity });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: seg.bytes, ContentType: 'video/mp2t' }));
  };

  // VOD camera: recorded a minute ago.
  const vodStart = Date.now() - 120_000;
  let at = vodStart;
  const vodStarts = segments.map((s) => ((at += s.durationMs), at - s.durationMs));
  await Promise.all(segments.map((s, i) => upload('cams/vod-cam', s, vodStarts[i])));

  const urls = presignedUrlResolver({ client, bucket: s3.bucket, expiresInSeconds: 600 });
  // The page also asks for each camera's recordings.json: see page-server.ts.
  const server = await startPageServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls, accessToken: TOKEN });
  t.teardown(() => server.close());

  const context = await launch();
  t.teardown(() => context.close());

  t.test('VOD range with presigned segment URLs', async (t) => {
    const page = await context.newPage();
    const playlists = recordPlaylistRequests(page);
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => void (r.status() >= 400 && failed.push(`${r.url()} ${r.status()}`)));
    const q = new URLSearchParams({ token: TOKEN, camera: 'vod-cam', mode: 'vod', start: new Date(vodStart).toISOString(), end: new Date(at).toISOString() });
    await page.goto(`${server.url}/#${q}`);
    await page.waitForFunction(() => document.querySelectorAll('#camera option').length > 0, undefined, { timeout: 10_000 });
    const cams = await page.locator('#camera option').allTextContents();
    t.same(cams, ['vod-cam'], 'the page lists cameras with the token from the fragment');
    t.notMatch(page.url(), /token/, 'the token is removed from the address bar');
    const r = await playedPast(page, 5, 25_000);
    t.ok(r.currentTime > 5, `currentTime ${r.currentTime.toFixed(2)} s`);
    // A non-fatal buffer stall is the machine being slow (seen at load 20), not a failed load; any
    // other error, fatal or not, fails the test (a 403/CORS segment failure would be one).
    t.same(withoutStalls(r.state.errors), [], 'no hls.js error but non-fatal buffer stalls');
    t.same(failed, [], 'no failed request');
    t.match(r.state.url, /^cameras\/vod-cam\/index\.m3u8\?start=/, 'ranges load through the multivariant playlist');
    const chain = throughIndex(playlists);
    t.ok(chain.index === 1 && chain.media >= 1, `requested: ${playlists.map((x) => x.text).join(' then ')}`);
    t.same(chain.orphans, [], 'the media playlist was the one index.m3u8 named (start/end passed through)');
    await page.close();
  });

  t.test('live playlist while the upload is still running', async (t) => {
    // Segments arrive in real time, as from a camera: the first six (a full default window) are
    // there when playback starts, the rest are uploaded as their time comes, so each upload slides
    // the window.
    const liveStart = Date.now() - 12_000;
    let next = liveStart;
    const liveStarts = segments.map((s) => ((next += s.durationMs), next - s.durationMs));
    let uploaded = 0;
    let uploading = true;
    for (; uploaded < 6; uploaded++) await upload('cams/live-cam', segments[uploaded], liveStarts[uploaded]);
    const pump = (async () => {
      while (uploaded < segments.length && uploading) {
        const due = liveStarts[uploaded] + segments[uploaded].durationMs;
        await new Promise((res) => setTimeout(res, Math.max(0, due - Date.now())));
        if (!uploading) break;
        await upload('cams/live-cam', segments[uploaded], liveStarts[uploaded]);
        uploaded += 1;
      }
    })();
    t.teardown(async () => {
      uploading = false;
      await pump;
    });
    const page = await context.newPage();
    const playlists = recordPlaylistRequests(page);
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => void (r.status() >= 400 && failed.push(`${r.url()} ${r.status()}`)));
    const reloads: Promise<string>[] = [];
    page.on('response', (res) => void (res.url().includes('/live.m3u8') && res.status() === 200 && reloads.push(res.text())));
    await page.goto(`${server.url}/#${new URLSearchParams({ token: TOKEN, camera: 'live-cam', mode: 'live' })}`);
    const before = await playedPast(page, 0.5, 20_000);
    t.ok(before.currentTime > 0.5, `started at ${before.currentTime.toFixed(2)} s`);
    const r = await playedPast(page, before.currentTime + 5, 20_000);
    t.ok(r.currentTime > before.currentTime + 5, `advanced from ${before.currentTime.toFixed(2)} to ${r.currentTime.toFixed(2)} s`);
    t.ok(uploaded < segments.length, `the upload was still running (${uploaded}/${segments.length} segments uploaded)`);
    t.same(withoutStalls(r.state.errors), [], 'no hls.js error but non-fatal buffer stalls');
    t.same(failed, [], 'no failed request');
    const chain = throughIndex(playlists);
    t.equal(playlists[0]?.text, '/cameras/live-cam/index.m3u8?live=1', 'live starts at the multivariant playlist');
    t.ok(chain.media > 1, `then ${chain.media} loads of the media playlist`);
    t.same(chain.orphans, [], 'each the one index.m3u8 named');
    await page.close();
    // The window the player reloaded slid forward, and each segment kept its sequence number.
    const sequences = new Set<number>();
    const msnOf = new Map<string, number>();
    let stable = true;
    for (const text of await Promise.all(reloads)) {
      const base = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]);
      sequences.add(base);
      text
        .split('\n')
        .filter((l) => l.startsWith('http'))
        .forEach((uri, i) => {
          const key = uri.slice(0, uri.indexOf('?'));
          if (msnOf.has(key) && msnOf.get(key) !== base + i) stable = false;
          msnOf.set(key, base + i);
        });
    }
    t.ok(sequences.size > 1, `the live window slid over ${reloads.length} reloads (MEDIA-SEQUENCE ${[...sequences].join(', ')})`);
    t.ok(stable, 'every segment kept its media sequence number across reloads');
  });

  t.test('a bucket without CORS: the page names the cause and the fix', async (t) => {
    const closed = await startS3({ cors: false });
    t.teardown(() => closed.close());
    const c2 = closed.client();
    await Promise.all(
      segments.slice(0, 3).map((seg, i) =>
        c2.send(
          new PutObjectCommand({
            Bucket: closed.bucket,
            ContentType: 'video/mp2t',
            Body: seg.bytes,
            Key: segmentKey('cams/vod-cam', { startTimeMs: vodStarts[i], sequence: seg.sequence, durationMs: seg.durationMs, discontinuity: seg.discontinuity }),
          }),
        ),
      ),
    );
    const srv = await startPlaylistServer({
      client: c2,
      bucket: closed.bucket,
      rootPrefix: 'cams',
      urls: presignedUrlResolver({ client: c2, bucket: closed.bucket, expiresInSeconds: 600 }),
    });
    t.teardown(() => srv.close());
    const page = await context.newPage();
    const q = new URLSearchParams({ camera: 'vod-cam', mode: 'vod', start: new Date(vodStart).toISOString(), end: new Date(vodStarts[2] + segments[2].durationMs).toISOString() });
    await page.goto(`${srv.url}/#${q}`);
    await page.waitForFunction(() => /cross-origin/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 20_000 });
    t.equal(await page.locator('#status').textContent(), 'the bucket refused cross-origin GETs from this page: run `s3hls bucket setup`');
    await page.close();
  });

  const ffmpegSource = process.env['S3HLS_SEGMENT_SOURCE'] === 'ffmpeg';
  t.test(
    'ffmpeg reads the VOD playlist end to end through the validation gate',
    {
      // Checked by hand: ffmpeg 5.1 reading its own segment muxer's files as one HLS stream reports
      // "Packet corrupt" at the first boundary under -err_detect explode, with or without s3hls.
      todo: ffmpegSource ? 'ffmpeg segment-muxer output fails the gate as an HLS stream' : false,
    },
    async (t) => {
      // ffmpeg's -headers would also go to S3, which refuses an Authorization header on a presigned
      // URL: the gate reads from an endpoint without a token.
      const open = await startPlaylistServer({ client, bucket: s3.bucket, rootPrefix: 'cams', urls });
      t.teardown(() => open.close());
      const url = `${open.url}/cameras/vod-cam/playlist.m3u8?start=${vodStart / 1000}&end=${at / 1000}`;
      // The gate's arguments (test/helpers/ffmpeg-gate.ts) with an async spawn: see gate-async.ts.
      const gate = await ffmpegGateAsync(url, ['-protocol_whitelist', 'file,http,tcp']);
      t.ok(gate.ok, gate.stderr || 'clean');
      const probe = await probeDurationAsync(url);
      const total = segments.reduce((a, s) => a + s.durationMs, 0) / 1000;
      t.ok(Math.abs(Number(probe) - total) < 0.5, `ffprobe duration ${Number(probe)} s ≈ ${total} s`);
    },
  );
});

/** hls.js errors without the non-fatal buffer-stall reports a loaded machine produces. */
function withoutStalls<E extends { readonly fatal: boolean; readonly details: string }>(errors: readonly E[]): E[] {
  return errors.filter((e) => e.fatal || !/^buffer(Stalled|NudgeOnStall|SeekOverHole)/.test(e.details));
}
